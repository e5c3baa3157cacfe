"""Small builders shared by the vendor adapters."""

from __future__ import annotations

import re

from ..models import Signal, SignalKind, SourceSeverity
from .metrics import Reading, objective_in_words

# The P1–P5 priority scale that Datadog and PagerDuty share.
PRIORITY_SEVERITY: dict[str, SourceSeverity] = {
    "p1": SourceSeverity.CRITICAL,
    "p2": SourceSeverity.ERROR,
    "p3": SourceSeverity.WARNING,
    "p4": SourceSeverity.INFO,
    "p5": SourceSeverity.INFO,
}
_PERCENTILE = re.compile(r"\b(p(?:50|75|90|95|99|999))\b", re.IGNORECASE)


def metric_from_alert(
    alert: Signal,
    reading: Reading,
    raw_name: str,
    *,
    of_dependency: bool = True,
    stat: str | None = None,
) -> Signal:
    """A METRIC signal for the number an alert carries, scoped like the alert.

    ``of_dependency=False`` when the number measures the alert's service rather than the
    dependency the alert names (a PagerDuty event's custom details). A latency's
    percentile (``stat``, e.g. ``p99``) is taken from the names and text when not given,
    and so is the threshold ("above 70%") when the payload has none of its own.
    """
    labels = {"alert": alert.name}
    if raw_name and raw_name != reading.name:
        labels["raw_name"] = raw_name
    if reading.name == "latency_ms":
        found = stat or next(
            (m.group(1).lower() for m in (_PERCENTILE.search(t)
                                          for t in (raw_name, alert.name, alert.text)) if m),
            None,
        )
        if found:
            labels["stat"] = found
    return Signal(
        kind=SignalKind.METRIC,
        source=alert.source,
        name=reading.name,
        text=f"{reading.name} reported by the alert {alert.name!r}" if alert.name else "",
        service=alert.service,
        dependency=alert.dependency if of_dependency else None,
        region=alert.region,
        zone=alert.zone,
        environment=alert.environment,
        value=reading.value,
        unit=reading.unit,
        objective=reading.objective
        if reading.objective is not None
        else objective_in_words(reading, alert.name, alert.text),
        status=alert.status,
        at=alert.at,
        ended_at=alert.ended_at,
        labels=labels,
        fingerprint=f"{alert.fingerprint}:{reading.name}" if alert.fingerprint else None,
        raw=None,
    )


def join_text(*parts: str) -> str:
    """Non-empty, distinct parts joined into sentences."""
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if part and not any(part in seen for seen in out):
            out.append(part)
    return " ".join(p if p.endswith((".", "!", "?", ":")) else p + "." for p in out)
