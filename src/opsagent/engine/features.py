"""The features the engine derives from signals: the vocabulary of failure-mode files.

Each feature found in an incident has a strength in [0, 1] and the evidence sentences
that established it. ``text.*`` and ``impact.*`` features come from the vocabulary file
(words in symptoms, logs, alert text); the ones below come from the engine itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, KeysView
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..knowledge.schema import Term

ENGINE_FEATURES: dict[str, str] = {
    # impact
    "errors.elevated": "the service's error rate is above its objective or baseline",
    "errors.5xx": "server-side (5xx) errors are elevated",
    "errors.4xx": "client-side (4xx) errors are elevated",
    "latency.elevated": "latency is above its objective or baseline",
    "availability.low": "availability is below its objective",
    "traffic.surge": "request rate far above its baseline",
    "traffic.drop": "request rate far below its baseline",
    "traffic.normal": "request rate near its baseline",
    # resources
    "cpu.saturated": "CPU utilisation at or near saturation",
    "memory.high": "memory utilisation near its limit",
    "disk.high": "disk utilisation near full",
    "connections.saturated": "a connection pool near exhaustion",
    "db.saturated": "a database's CPU, memory, storage or connections near their limit",
    "queue.backlog": "a queue backing up",
    "restarts": "containers or processes restarting",
    "replication.lag": "database replication lag",
    "cache.hit_rate_drop": "the cache hit ratio dropped",
    "packet_loss": "packet loss on the network path",
    "throttling": "calls being throttled",
    "clock.skew": "clock offset beyond tolerance",
    "cert.expired": "a certificate has expired",
    "cert.expiring": "a certificate expires within days",
    "metric.anomaly": "a metric far from its baseline",
    "hosts.unhealthy": "load-balancer targets or hosts fail their health checks",
    "cache.evicting": "a cache evicts keys before they expire",
    "cpu.throttled": "containers are held back by their CPU limit",
    "spend.anomaly": "cloud spend far above its usual level",
    "impact.critical_flow_partial": "a critical flow fails for part of the customers",
    "impact.business_drop": "orders, checkouts, conversion or payment approvals far below normal",
    "impact.affected_share": "a share of customers or orders is affected (late, cancelled, "
                             "wrong) without failing",
    "change.data.recent": "a data change (an import, backfill, replay, offset reset, "
                          "migration job) before the onset",
    # dependencies
    "dependency.degraded": "a downstream dependency reports errors, latency or an outage",
    "db.degraded": "the service's database reports errors, latency or an outage",
    "cache.degraded": "the service's cache reports errors, latency or an outage",
    "dependency.healthy": "a downstream dependency reports healthy",
    "dependency.named": "a dependency is named in the signals",
    # changes
    "change.deploy.recent": "a deploy of an affected service shortly before the onset",
    "change.deploy.failed": "a deploy of an affected service failed",
    "change.deploy.stale": "the last deploy of the affected service is old (over a week)",
    "change.deploy.superseded": "the deploy ran cleanly until a later change came just "
                                "before the onset",
    "change.deploy.other": "a deploy of a service that is not affected",
    "change.dependency.recent": "a change to a dependency of an affected service",
    "change.config.recent": "a configuration or feature-flag change before the onset",
    "change.flag.recent": "a feature-flag change before the onset",
    "change.secret.recent": "a secret or credential change before the onset",
    "change.migration.recent": "a schema or data migration before the onset",
    "change.planned": "planned work (a maintenance window, a drained upgrade) around the onset",
    "change.cache.recent": "a change that emptied or reshaped a cache (a flush, a purge, a "
                           "restart or resize of the cache) before the onset",
    "change.infra.recent": "an infrastructure change before the onset",
    "change.dns.recent": "a DNS change before the onset",
    "change.certificate.recent": "a certificate change before the onset",
    "change.scale.recent": "a scaling change before the onset",
    "change.other.recent": "an operational change (a script, a manual action) before the onset",
    "change.rollback": "a rollback was made",
    "change.rollback.no_effect": "a rollback after the onset did not end the problem",
    "change.after_onset": "a change made after the problem began",
    "change.none": "no change was reported",
    "change.only": "only changes were reported: nothing is failing",
    # scope
    "scope.single_region": "the problem is confined to one region",
    "scope.multi_region": "the problem spans several regions",
    "scope.single_zone": "the problem is confined to one availability zone",
    "scope.single_service": "one service is affected",
    "scope.multi_service": "several services are affected",
    "scope.shared_dependency": "the affected services share a dependency",
    "scope.single_instance": "one instance or pod is affected",
    "env.nonprod": "the signals come from a non-production environment",
    "recovered": "every problem signal has resolved",
    "partially_recovered": "some problem signals have resolved",
    "source.critical": "a monitoring source rates the alert critical",
    "source.warning_only": "every alert is a warning or informational",
    "customer_facing": "the affected service faces customers",
    "critical_service": "the affected service is on a critical path",
}

# Words of failure: a symptom with one of these reports something failing.
FAILURE_TEXT = frozenset({"text.errors", "text.outage", "text.timeout", "text.5xx", "text.slow",
                          "text.tls", "text.crash", "text.connection_refused",
                          "impact.critical_flow", "impact.wrong_data"})
# Measured failure: the signals themselves show errors or slowness.
MEASURED_FAILURE = frozenset({"errors.elevated", "latency.elevated", "availability.low"})

# Features general actions may also use (the grade, and whether the evidence is thin).
SEVERITY_FEATURES = {"severity.high", "severity.medium", "severity.low",
                     "evidence.insufficient"}


def known_features(terms: Iterable[Term]) -> set[str]:
    return set(ENGINE_FEATURES) | SEVERITY_FEATURES | {t.feature for t in terms}


@dataclass(slots=True)
class Feature:
    id: str
    strength: float
    evidence: list[str] = field(default_factory=list)
    # built only once a second sentence arrives: the sentences seen, and per evidence
    # line [its number of spaces, its shape (worked out when first needed), its first
    # sentence, how many similar ones were folded into it]
    _seen: set[str] | None = None
    _groups: list[list[Any]] | None = None

    def add_evidence(self, sentence: str) -> None:
        """Keep ``sentence``; one that differs from an earlier one only in ids and numbers
        (the same alert from several pods) is counted on that line instead."""
        evidence = self.evidence
        if not evidence:
            evidence.append(sentence)
            return
        if self._groups is None:
            if sentence in evidence:
                return
            self._seen = set(evidence)
            self._groups = [[line.count(" "), None, line, 0] for line in evidence]
        assert self._seen is not None
        if sentence in self._seen:
            return
        self._seen.add(sentence)
        spaces = sentence.count(" ")
        shape = None
        for index, group in enumerate(self._groups):
            if group[0] != spaces:  # a shape keeps every space: these cannot be alike
                continue
            if shape is None:
                shape = _shape(sentence)
            if group[1] is None:
                group[1] = _shape(group[2])
            if group[1] == shape:
                group[3] += 1
                evidence[index] = f"{group[2]} (and {group[3]} similar)"
                return
        self._groups.append([spaces, shape, sentence, 0])
        evidence.append(sentence)


_DIGIT_WORD = re.compile(r"(?<!\S)[^\s\d]*+\d\S*+")


def _shape(sentence: str) -> str:
    """A sentence with every word that holds a digit (ids, pod names, numbers) blanked."""
    return _DIGIT_WORD.sub("#", sentence)


class FeatureSet:
    """Features found in one incident; adding a feature again keeps the larger strength."""

    def __init__(self) -> None:
        self._items: dict[str, Feature] = {}

    def add(self, feature_id: str, strength: float, evidence: str | None = None) -> None:
        if not strength <= 1.0:  # NaN too
            strength = 1.0
        elif strength < 0.0:
            strength = 0.0
        item = self._items.get(feature_id)
        if item is None:
            item = self._items[feature_id] = Feature(feature_id, strength, [])
        elif strength > item.strength:
            item.strength = strength
        if evidence:
            item.add_evidence(evidence)

    def strength(self, feature_id: str) -> float:
        item = self._items.get(feature_id)
        return item.strength if item else 0.0

    def get(self, feature_id: str) -> Feature | None:
        return self._items.get(feature_id)

    def __contains__(self, feature_id: object) -> bool:
        return feature_id in self._items

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def mapping(self) -> dict[str, Feature]:
        """The features by id (read-only use)."""
        return self._items

    def ids(self) -> list[str]:
        return sorted(self._items)

    def items(self) -> list[Feature]:
        return [self._items[k] for k in sorted(self._items)]
