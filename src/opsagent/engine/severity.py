"""Severity from the rubric: the impact facts set the grade, context can only soften it
(non-production, recovered, a single instance, a scheduled event), and every reason
names its fact.

A source's own severity (``critical``, ``P1``) is evidence, not the verdict: on its own
a firing critical alert raises the grade to MEDIUM, not HIGH.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..models import Level, Severity
from .context import Context, Impact
from .features import FAILURE_TEXT, MEASURED_FAILURE, Feature
from .kinds import ALERT, RESOLVED
from .textfacts import stated_drop

_LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)
_FAILURE_EVIDENCE = FAILURE_TEXT | MEASURED_FAILURE
_ACTIVE_IMPACT = ("errors.elevated", "latency.elevated", "availability.low",
                  "impact.critical_flow", "impact.total_outage", "impact.financial",
                  "impact.wrong_data", "text.outage", "text.errors")
_MEASURED_IMPACT = ("errors.elevated", "latency.elevated", "availability.low",
                    "impact.critical_flow", "impact.total_outage", "impact.financial",
                    "impact.wrong_data", "impact.business_drop", "impact.affected_share")
# measured trouble of any kind: a reading within bounds does not outweigh these
_ABNORMAL = frozenset(_MEASURED_IMPACT) | {
    "memory.high", "connections.saturated", "db.saturated", "cpu.saturated", "disk.high",
    "queue.backlog", "restarts", "throttling", "replication.lag", "cert.expiring",
    "cert.expired", "hosts.unhealthy", "dependency.degraded", "db.degraded", "cache.degraded",
    "text.outage", "text.errors", "text.crash", "text.oom"}
_DEGRADED = ("dependency.degraded", "db.degraded", "cache.degraded")
_RESOURCES = (
    ("memory.high", "memory is near its limit"),
    ("connections.saturated", "a connection pool is nearly exhausted"),
    ("db.saturated", "a database is near its resource limits"),
    ("cpu.saturated", "CPU is saturated"),
    ("disk.high", "a disk is nearly full"),
    ("queue.backlog", "a queue is backing up"),
    ("cert.expiring", "a certificate is about to expire"),
    ("replication.lag", "database replicas are lagging"),
    ("restarts", "containers are restarting"),
    ("throttling", "calls are being throttled"),
)


# facts that are MEDIUM on their own: (feature, score, what it means)
_MEDIUM_FACTS = (
    ("text.exposed_access", 0.5, "data or a credential is reachable by anyone"),
    ("text.broad_grant", 0.48, "a machine identity holds the widest rights"),
    ("impact.critical_flow_partial", 0.62, "a critical flow fails for part of the customers"),
)


def _first(features: Mapping[str, Feature], name: str, default: str) -> str:
    found = features.get(name)
    return found.evidence[0] if found is not None and found.evidence else default


def _instances(names: set[str]) -> list[str]:
    """Crashing instances, an owner and its pod counted once: a Job, ReplicaSet or
    StatefulSet named ``x`` whose pod ``x-…`` is also named is that one instance."""
    owners = set()  # every hyphen-prefix of a name ("x" of "x-7f2c"): linear, not pairwise
    for name in names:
        cut = name.find("-")
        while cut > 0:
            owners.add(name[:cut])
            cut = name.find("-", cut + 1)
    return sorted(names - owners)


def grade(ctx: Context) -> Severity:
    features = ctx.features.mapping()
    cfg = ctx.config
    impacts = list(ctx.impacts)
    service = ctx.service or "the service"

    # HIGH: what the rubric names
    # a breach reported elsewhere whose credentials our audit shows unused is a precaution
    precaution = "text.no_misuse" in features
    for feature, reason in (
        ("impact.critical_flow", "customers cannot complete a critical flow"),
        ("impact.total_outage", "the product is down for its users"),
        ("impact.financial", "money is being lost or customers are charged wrongly"),
        ("text.compromise", "a security breach is suspected"),
        ("text.tampered_code", "code we run was altered by someone else"),
        ("text.data_loss", "data loss is suspected"),
        ("impact.data_exposed", "customers can reach data that is not theirs"),
        ("text.exposed_read", "data open to anyone has been read by outsiders"),
    ):
        found = features.get(feature)
        if feature == "text.compromise" and precaution and found is not None:
            reported, unused = _first(features, feature, ""), _first(features, "text.no_misuse", "")
            impacts.append(Impact(0, 0.35, f"a breach is reported ({reported}) but {unused}"))
            continue
        if found is not None and found.strength >= 0.5:
            impacts.append(Impact(2, 0.9, f"{reason} ({_first(features, feature, '')})",
                                  hard=True))
    if ctx.worst_error >= cfg.critical_error_rate \
            and ctx.worst_latency_factor >= cfg.latency_high_factor:
        impacts.append(Impact(2, 0.8, f"errors at {ctx.worst_error:.0%} and latency "
                                      f"{ctx.worst_latency_factor:.1f}× its objective at once"))
    expired = features.get("cert.expired")
    if expired is not None and expired.strength > 0.5:
        impacts.append(Impact(2, 0.8, "a certificate has expired "
                                      f"({_first(features, 'cert.expired', '')})"))
    # MEDIUM: partial degradation, or data open to anyone before anyone has read it (once
    # someone has, the breach above decides)
    for feature, score, reason in _MEDIUM_FACTS:
        found = features.get(feature)
        if found is not None and found.strength >= 0.5 and found.evidence:
            impacts.append(Impact(1, score, f"{reason} ({found.evidence[0]})"))
    business = features.get("impact.business_drop")
    if business is not None and business.strength >= 0.5 and business.evidence:
        drops = [(d, e) for d, e in ((stated_drop(e), e) for e in business.evidence)
                 if d is not None] + ctx.flow_drops
        drop, said = max(drops, default=(None, ""))
        if drop is not None and drop >= _CLIFF and "critical_service" in features:
            # a third fewer orders (or visits) on a critical flow is customers who cannot
            # buy, however healthy the servers look
            impacts.append(Impact(2, 0.72, f"customers are completing far fewer purchases, "
                                           f"orders or visits ({drop:.0%} down: {said})"))
        else:
            impacts.append(Impact(1, 0.55, "customers are completing fewer purchases, orders "
                                           f"or sign-ups ({business.evidence[0]})"))
    wrong = features.get("impact.wrong_data")
    internal_records = False
    if wrong is not None and wrong.strength >= 0.5:
        entry = ctx.entry(ctx.service)
        if entry.customer_facing or entry.critical or "customer_facing" in features:
            impacts.append(Impact(1, 0.55, f"customers see wrong data ({wrong.evidence[0]})"))
        elif "text.spreads_downstream" in features:
            # internal, but what it holds goes on to partners, exports or invoices
            onward = _first(features, "text.spreads_downstream", "")
            impacts.append(Impact(1, 0.5, f"records are wrong in {service} and go on to "
                                          f"others ({onward})"))
        else:
            # wrong records in an internal report or job: to correct, nobody is harmed yet
            internal_records = True
            impacts.append(Impact(0, 0.38, f"records are wrong in internal {service}, which "
                                           f"customers do not see ({wrong.evidence[0]})"))
    crashing = _instances(ctx.crashing)
    if len(crashing) >= 2:
        impacts.append(Impact(1, 0.5, f"{len(crashing)} instances are crash-looping or "
                                      "being OOM-killed"))
    for affected, total, quote in ctx.instances:
        if affected >= 2 and affected < total and any(f in features for f in (
                "memory.high", "cpu.saturated", "text.oom", "text.crash", "restarts")):
            impacts.append(Impact(1, 0.5, f"{affected} of {total} instances affected "
                                          f'("{quote}")'))
            break
    dependency = max((f for f in (features.get(name) for name in _DEGRADED) if f is not None),
                     key=lambda f: f.strength, default=None)
    if dependency is not None and dependency.strength >= 0.7:
        impacts.append(Impact(1, 0.5, f"a dependency is degraded ({dependency.evidence[0]})"))
    elif dependency is not None:
        impacts.append(Impact(0, 0.3, f"a dependency reports trouble ({dependency.evidence[0]})"))
    for feature, reason in _RESOURCES:
        found = features.get(feature)
        if found is None:
            continue
        evidence = found.evidence[0] if found.evidence else reason
        if found.strength >= 0.75:
            impacts.append(Impact(1, 0.45, f"{reason} ({evidence})"))
        else:
            impacts.append(Impact(0, 0.3, f"{reason} ({evidence}), with headroom left"))
    # (what people report of internal records that are wrong is that same fact)
    if ctx.failing_symptoms and not internal_records and not any(i.level >= 1 for i in impacts):
        quote = ctx.failing_symptoms[0]
        quote = quote if len(quote) <= 100 else quote[:99] + "…"
        impacts.append(Impact(1, 0.45, f'people report failures: "{quote}"'))
    # the numbers behind an alert decide, not its label: readings within bounds and
    # nothing abnormal measured turn a rating alone into a LOW
    bounded = bool(ctx.within_bounds) and not ctx.failing_symptoms and not any(
        features[f].strength >= 0.5 for f in _ABNORMAL if f in features) and _alerts_about(
        ctx, ctx.bounded_topics)
    if bounded:
        impacts = [Impact(0, 0.36, f"{i.reason}, but its readings are within bounds "
                                   f"({ctx.within_bounds[0]})") if i.label else i
                   for i in impacts]
    if "source.critical" in features and not any(i.level >= 1 for i in impacts):
        if bounded:
            impacts.append(Impact(0, 0.36, f"{_first(features, 'source.critical', '')}, but "
                                           f"its readings are within bounds "
                                           f"({ctx.within_bounds[0]})"))
        else:
            impacts.append(Impact(1, 0.5, f"{_first(features, 'source.critical', '')} "
                                          "(taken as evidence, not as the verdict)"))
    users = features.get("impact.users_reporting")
    if users is not None and not any(i.level >= 1 for i in impacts):
        if any(f in features for f in _FAILURE_EVIDENCE):
            impacts.append(Impact(1, 0.45, f"users report failures ({users.evidence[0]})"))
        else:
            impacts.append(Impact(0, 0.3, f"users report a problem with no failure measured "
                                          f"({users.evidence[0]})"))
    if not impacts:
        impacts.append(Impact(0, 0.2, "no measured user impact in the signals given"))

    impacts.sort(key=lambda i: (-i.level, -i.score))
    top = impacts[0]
    level = top.level
    score = top.score
    # several independent facts at the same level reinforce each other a little
    score = min(1.0, score + 0.02 * (len([i for i in impacts if i.level == level]) - 1))
    reasons = list(dict.fromkeys(i.reason for i in impacts if i.level == level))[:4]

    caps: list[tuple[int, str]] = []
    if "env.nonprod" in features:
        caps.append((0, f"{_first(features, 'env.nonprod', 'non-production')}: "
                        "no production users affected"))
    if "change.only" in features:
        caps.append((0, f"{_first(features, 'change.only', 'only a change')}: a change "
                        "alone is not an incident"))
    if "recovered" in features:
        caps.append((0, f"{_first(features, 'recovered', 'recovered')}: "
                        "the problem is no longer active"))
    # one instance, or one client whose own fault it is ("all failures are for user
    # svc-x from one host"), stated in words or not: the service's users are not hit
    single = next((f for f in ("scope.single_instance", "text.one_of_many", "text.one_client")
                   if f in features), None)
    if single is not None and level <= 1 and not any(
            f in features for f in ("errors.elevated", "latency.elevated")):
        caps.append((0, f"{_first(features, single, 'single instance')}; "
                        "the service as a whole is not reported degraded"))
    # planned work's own alerts say "down": only what users feel keeps the grade up
    if ctx.features.strength("change.planned") >= _PLANNED_NEAR and not ctx.failing_symptoms \
            and not any(
            f in features for f in (*_MEASURED_IMPACT, "impact.users_reporting")):
        caps.append((0, f"{_first(features, 'change.planned', 'planned work')}: the alert "
                        "comes from planned work and nothing users touch is failing"))
    if "text.scheduled" in features and not any(f in features for f in _ACTIVE_IMPACT):
        caps.append((0, f"{_first(features, 'text.scheduled', 'scheduled')}: a scheduled "
                        "event, nothing is failing yet"))
    # errors of a part that a working fallback covers are a degradation, not an outage
    # people say the rest works while one part fails: a degradation, not an outage
    if "text.rest_works" in features and level == 2 and ctx.worst_error < _PART_DOWN \
            and not any(
            f in features for f in ("impact.critical_flow", "impact.total_outage",
                                    "impact.financial", "text.compromise", "text.data_loss",
                                    "text.fallback")):
        caps.append((1, f"{_first(features, 'text.rest_works', 'the rest works')}: one part "
                        "fails while the rest works"))
    if "text.fallback" in features and level == 2 and not any(
            f in features for f in ("impact.critical_flow", "impact.total_outage",
                                    "impact.financial", "text.compromise", "text.data_loss")):
        caps.append((1, f"{_first(features, 'text.fallback', 'a fallback')}: a fallback "
                        "serves the users while the part fails"))
    for cap, reason in caps:
        if level > cap:
            level = cap
            score = min(score, 0.35)
            would_be = _LEVELS[top.level].value
            reasons = [reason, f"without that it would be {would_be}: {top.reason}"]
        elif reason not in reasons:
            reasons.append(reason)
    if level == 2 and "critical_service" in features and not any(
            "critical" in r for r in reasons):
        reasons.append(f"{service} is on a critical path")
    score = _clamp(score, level)
    hard = level == 2 and any(i.hard and i.level == 2 for i in impacts)
    return Severity(level=_LEVELS[level], score=round(score, 2), reasons=reasons,
                    floor=Level.HIGH if hard else None)


# the words by which an alert speaks of what a bounded reading measures
_TOPICS = {
    "cpu": re.compile(r"\b(?:cpu|processor|load|utili[sz]ation|saturat\w*|throttl\w*)"),
    "memory": re.compile(r"\b(?:memory|mem|heap|oom\w*|ram|rss|swap)"),
    "disk": re.compile(r"\b(?:disk|filesystem|file system|volume|space|storage|inode)"),
    "connections": re.compile(r"\b(?:connection|pool|sessions?|clients?)"),
    "certificate": re.compile(r"\b(?:cert\w*|tls|ssl|x509|expir\w*)"),
}


def _alerts_about(ctx: Context, topics: set[str]) -> bool:
    """Whether every firing alert speaks of something the bounded readings measure (an
    alert about payments is not bounded by a CPU reading)."""
    patterns = [_TOPICS[t] for t in topics if t in _TOPICS]
    alerts = [f"{s.name} {s.text}".lower().replace("_", " ")
              for s in ctx.incident.signals if s.kind == ALERT and s.status != RESOLVED]
    return bool(patterns) and all(any(p.search(text) for p in patterns) for text in alerts)


# a part failing this completely is down, whatever else works
_PART_DOWN = 0.95
# planned work long before the onset (the strength of its recency) is no longer what the
# alert comes from
_PLANNED_NEAR = 0.5
_CLIFF = 0.3  # the drop in completed flows (or visits) that is HIGH on a critical service
def _clamp(score: float, level: int) -> float:
    low, high = ((0.05, 0.39), (0.4, 0.69), (0.7, 1.0))[level]
    return min(high, max(low, score))
