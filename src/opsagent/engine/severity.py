"""Severity from the rubric: the impact facts set the grade, context can only soften it
(non-production, recovered, a single instance), and every reason names its fact.

A source's own severity (``critical``, ``P1``) is evidence, not the verdict: on its own
a firing critical alert raises the grade to MEDIUM, not HIGH.
"""

from __future__ import annotations

from ..models import Level, Severity
from .context import Context, Impact

_LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)


def grade(ctx: Context) -> Severity:
    features = ctx.features
    impacts = list(ctx.impacts)
    service = ctx.service or "the service"

    flow = features.get("impact.critical_flow")
    if flow is not None and flow.strength >= 0.5:
        quote = flow.evidence[0] if flow.evidence else "a critical flow is failing"
        impacts.append(Impact(2, 0.9, f"customers cannot complete a critical flow ({quote})"))
    for feature, reason in (
        ("text.compromise", "a security breach is suspected"),
        ("text.data_loss", "data loss is suspected"),
    ):
        found = features.get(feature)
        if found is not None and found.strength >= 0.5:
            impacts.append(Impact(2, 0.88, f"{reason} ({found.evidence[0]})"))
    if features.strength("dependency.degraded") >= 0.5 and not any(
            i.level >= 1 for i in impacts):
        evidence = features.get("dependency.degraded")
        detail = evidence.evidence[0] if evidence and evidence.evidence else "degraded"
        impacts.append(Impact(1, 0.5, f"a dependency is degraded ({detail})"))
    for feature, reason in (
        ("memory.high", "memory is near its limit"),
        ("connections.saturated", "a connection pool is nearly exhausted"),
        ("cpu.saturated", "CPU is saturated"),
        ("queue.backlog", "a queue is backing up"),
        ("cert.expiring", "a certificate is about to expire"),
        ("replication.lag", "database replicas are lagging"),
        ("restarts", "containers are restarting"),
    ):
        found = features.get(feature)
        if found is not None and found.strength >= 0.5:
            impacts.append(Impact(1, 0.45, f"{reason} ({found.evidence[0]})"))
    if features.strength("cert.expired") > 0.5:
        found = features.get("cert.expired")
        assert found is not None
        impacts.append(Impact(2, 0.8, f"a certificate has expired ({found.evidence[0]})"))
    if "source.critical" in features and not any(i.level >= 1 for i in impacts):
        found = features.get("source.critical")
        assert found is not None
        impacts.append(Impact(1, 0.5, f"{found.evidence[0]} (taken as evidence, not as the "
                                      "verdict)"))
    users = features.get("impact.users_reporting")
    if users is not None and not any(i.level >= 1 for i in impacts):
        impacts.append(Impact(1, 0.45, f"users report problems ({users.evidence[0]})"))
    if not impacts:
        impacts.append(Impact(0, 0.2, "no measured user impact in the signals given"))

    impacts.sort(key=lambda i: (-i.level, -i.score))
    top = impacts[0]
    level = top.level
    score = top.score
    # several independent HIGH/MEDIUM facts reinforce each other a little
    score = min(1.0, score + 0.02 * (len([i for i in impacts if i.level == level]) - 1))
    reasons = [i.reason for i in impacts if i.level == level][:4]

    caps: list[tuple[int, str]] = []
    if "env.nonprod" in features:
        found = features.get("env.nonprod")
        caps.append((0, f"{found.evidence[0] if found else 'non-production'}: "
                        "no production users affected"))
    if "recovered" in features:
        found = features.get("recovered")
        caps.append((0, f"{found.evidence[0] if found else 'recovered'}: "
                        "the problem is no longer active"))
    if "scope.single_instance" in features and level <= 1 and not any(
            f in features for f in ("errors.elevated", "latency.elevated")):
        found = features.get("scope.single_instance")
        caps.append((0, f"{found.evidence[0] if found else 'single instance'}; "
                        "the service as a whole is not reported degraded"))
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
    return Severity(level=_LEVELS[level], score=round(score, 2), reasons=reasons)


def _clamp(score: float, level: int) -> float:
    low, high = ((0.05, 0.39), (0.4, 0.69), (0.7, 1.0))[level]
    return min(high, max(low, score))
