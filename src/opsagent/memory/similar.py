"""Which past incidents look like this one, how much, and why: pure and deterministic.

The new incident is described the way it will be remembered (a :class:`PastIncident`
with no feedback yet); each candidate is scored on six parts, weighted to sum to 1:

=========================  ======  ====================================================
part                       weight  value in [0, 1]
=========================  ======  ====================================================
shared service             0.30    shared services / the fewer services of the two
                                   (service names compared by identity: ``checkout``
                                   and ``checkout-service`` are one service)
same failure signature     0.30    0.7 × Jaccard of the diagnostic engine features
                                   (context such as ``customer_facing`` left out)
                                   + 0.3 if both rank the same category first
same alert                 0.15    shared alert names / the fewer alert names of the two
same confirmed cause       0.10    1 when the cause people confirmed for the past
                                   incident is this incident's leading category or
                                   failure mode, 0.5 when among its first three
text rank                  0.10    the full-text score a database supplies (0 without)
recency                    0.05    exp(−days between the two onsets / 20)
=========================  ======  ====================================================

A candidate is listed only when it shares an alert, or its signature part is at least
:data:`SIGNATURE_ALONE` (:data:`SERVICE_SIGNATURE` when it shares a service: a shared
service alone is no similarity), and its similarity is at least
:data:`MIN_SIMILARITY`. Candidates that started after this incident, or that are this
incident, are not past. Best first, ties broken by the more recent onset, then by id; at
most :data:`LIMIT`. ``why`` names each part that holds, starting with its kind
(``shared service: checkout``); recency is named within :data:`RECENT_DAYS` days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..models.memory import PastIncident, SimilarIncident
from ..names import service_key
from ..values import format_time

WEIGHTS = {"service": 0.30, "signature": 0.30, "alert": 0.15, "cause": 0.10,
           "text": 0.10, "recency": 0.05}
MIN_SIMILARITY = 0.2
LIMIT = 5
RECENT_DAYS = 20  # most incidents recur within 20 days (the decay scale of recency)
SIGNATURE_SHOWN = 3  # shared features named in ``why``
SIGNATURE_ALONE = 0.5  # the signature part that lists a candidate on its own
SERVICE_SIGNATURE = 0.3  # the signature part that lists a candidate sharing a service

# Features that describe where an incident happens, not how it fails.
CONTEXT_FEATURES = frozenset({
    "customer_facing", "critical_service", "change.none", "dependency.named",
    "traffic.normal", "scope.single_service", "scope.single_region", "env.nonprod",
    "source.critical", "source.warning_only", "recovered", "partially_recovered",
    "severity.high", "severity.medium", "severity.low", "evidence.insufficient",
})


@dataclass(frozen=True, slots=True)
class Match:
    """One past incident found similar: its score, reasons and the services shared."""

    past: PastIncident
    similarity: float
    why: tuple[str, ...]
    shared_services: tuple[str, ...]

    def as_report(self) -> SimilarIncident:
        past = self.past
        return SimilarIncident(
            incident=past.id, started_at=format_time(past.started_at),
            services=list(past.services), summary=past.summary,
            similarity=self.similarity, why=list(self.why),
            confirmed_cause=past.confirmed_cause, resolution=past.resolution)


def find_similar(current: PastIncident, candidates: Iterable[PastIncident],
                 text_rank: Mapping[str, float] | None = None, *, limit: int = LIMIT
                 ) -> list[Match]:
    """The candidates most like ``current``, best first (see the module for the score).

    ``text_rank`` maps a candidate id to its full-text score in [0, 1] (1 the best
    match; :func:`normalize_text_rank` brings a database's scores there)."""
    probe = _Probe(current)
    ranks = text_rank or {}
    found: list[tuple[tuple[float, float, str], Match]] = []
    for past in candidates:
        if past.id == current.id or _later(past, current):
            continue
        match = probe.compare(past, ranks.get(past.id, 0.0))
        if match is not None:
            found.append((_order(match), match))
    found.sort(key=lambda pair: pair[0])
    return [match for _, match in found[:limit]]


def normalize_text_rank(raw: Mapping[str, float], *, higher_is_better: bool = True
                        ) -> dict[str, float]:
    """Full-text scores as [0, 1], the best 1: PostgreSQL's ``ts_rank`` as it is
    (``higher_is_better``), SQLite FTS5's ``bm25()`` (lower is better) with False."""
    if not raw:
        return {}
    values = {key: (value if higher_is_better else -value) for key, value in raw.items()}
    low, high = min(values.values()), max(values.values())
    if high == low:
        return dict.fromkeys(values, 1.0)
    return {key: (value - low) / (high - low) for key, value in values.items()}


def signature(features: Iterable[str]) -> frozenset[str]:
    """The diagnostic part of a set of engine features."""
    return frozenset(features) - CONTEXT_FEATURES


class _Probe:
    """The new incident in comparable form, worked out once for every candidate."""

    def __init__(self, current: PastIncident) -> None:
        self.current = current
        self.services = _services(current.services)
        self.alerts = _alerts(current.alerts)
        self.signature = signature(current.features)
        self.top = current.categories[0] if current.categories else None
        self.lead = set(current.categories[:1]) | set(current.failure_modes[:1])
        self.causes = set(current.categories[:3]) | set(current.failure_modes[:3])

    def compare(self, past: PastIncident, text: float) -> Match | None:
        services = _services(past.services)
        shared_keys = self.services.keys() & services.keys()
        alerts = _alerts(past.alerts)
        alert_keys = self.alerts.keys() & alerts.keys()
        features = signature(past.features)
        common = self.signature & features
        union = len(self.signature) + len(features) - len(common)
        same_top = self.top is not None and past.categories[:1] == [self.top]
        sig = 0.7 * (len(common) / union if union else 0.0) + (0.3 if same_top else 0.0)
        if not alert_keys and sig < (SERVICE_SIGNATURE if shared_keys else SIGNATURE_ALONE):
            return None
        shared, shared_alerts = sorted(shared_keys), sorted(alert_keys)
        confirmed = past.confirmed_cause if past.feedback else None
        days = _days_between(past, self.current)
        parts = {
            "service": _overlap(len(shared), len(self.services), len(services)),
            "signature": sig,
            "alert": _overlap(len(shared_alerts), len(self.alerts), len(alerts)),
            "cause": 0.0 if confirmed is None else 1.0 if confirmed in self.lead
            else 0.5 if confirmed in self.causes else 0.0,
            "text": min(1.0, max(0.0, text)),
            "recency": math.exp(-days / RECENT_DAYS) if days is not None else 0.0,
        }
        similarity = round(sum(WEIGHTS[name] * value for name, value in parts.items()), 3)
        if similarity < MIN_SIMILARITY:
            return None
        why: list[str] = []
        if shared:
            why.append("shared service: " + ", ".join(self.services[k] for k in shared))
        if sig >= 0.5:
            named = sorted(common)[:SIGNATURE_SHOWN]
            head = [self.top] if same_top and self.top else []
            why.append("same failure signature: " + ", ".join(head + named))
        if shared_alerts:
            why.append("same alert: " + ", ".join(self.alerts[k] for k in shared_alerts))
        if parts["cause"]:
            why.append(f"same confirmed cause: {confirmed}")
        if days is not None and days <= RECENT_DAYS:
            why.append(f"recency: {_days_phrase(days)} before")
        return Match(past, min(1.0, similarity), tuple(why),
                     tuple(self.services[k] for k in shared))


def _order(match: Match) -> tuple[float, float, str]:
    started = match.past.started_at
    return (-match.similarity, -started.timestamp() if started else math.inf, match.past.id)


_service_key = lru_cache(maxsize=4096)(service_key)


def _services(names: Sequence[str]) -> dict[str, str]:
    """Identity key → the name as the new incident (or the past one) wrote it."""
    out: dict[str, str] = {}
    for name in names:
        key = _service_key(name)
        if key and key not in out:
            out[key] = name
    return out


def _alerts(names: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        key = " ".join(name.lower().split())
        if key and key not in out:
            out[key] = name
    return out


def _overlap(shared: int, first: int, second: int) -> float:
    fewer = min(first, second)
    return shared / fewer if fewer else 0.0


def _later(past: PastIncident, current: PastIncident) -> bool:
    return (past.started_at is not None and current.started_at is not None
            and past.started_at > current.started_at)


def _days_between(past: PastIncident, current: PastIncident) -> float | None:
    if past.started_at is None or current.started_at is None:
        return None
    return max(0.0, (current.started_at - past.started_at).total_seconds() / 86400.0)


def _days_phrase(days: float) -> str:
    if days < 1:
        hours = round(days * 24)
        return "under an hour" if hours < 1 else f"{hours} hour{'s' if hours != 1 else ''}"
    whole = round(days)
    return f"{whole} day{'s' if whole != 1 else ''}"
