"""Small builders shared by the vendor adapters."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ..models import Signal, SignalKind, SourceSeverity
from .metrics import Reading, canonical_metric, objective_in_words

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


def named_reading(name: str, value: float, *, unit: str | None = None,
                  threshold: float | None = None, latency_unit: str = "s") -> Reading:
    """The canonical reading of a vendor metric when its name says which one, else the
    reading under the vendor's own name, which the engine reads as the metric family it
    is (``knowledge/builtin/metric_families.yaml``)."""
    return canonical_metric(name, value, unit=unit, threshold=threshold,
                            latency_unit=latency_unit) or Reading(
        name, value, (unit or "").strip().lower() or "count", threshold)


_DETAIL_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(%|ms|s)?\s*")


def numeric_details(raw: object) -> list[tuple[str, float]]:
    """The numbers among an alert's free-form details (``{"error_rate": "14%",
    "p95_latency": "2.4s", "cpu": 0.93}``), percentages as fractions and seconds as
    milliseconds, for :func:`~opsagent.ingest.metrics.canonical_metric` to name."""
    out: list[tuple[str, float]] = []
    if not isinstance(raw, Mapping):
        return out
    for key, value in raw.items():
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            match = _DETAIL_NUMBER.fullmatch(value)
            if match:
                number = float(match.group(1))
                unit = match.group(2)
                if unit == "s":
                    number *= 1000.0
                elif unit == "%":
                    number /= 100.0
        if number is not None and math.isfinite(number):
            out.append((str(key), number))
    return out


def detail_metrics(alert: Signal, details: object) -> list[Signal]:
    """METRIC signals for the details whose key names a canonical metric, measuring the
    alert's service."""
    signals: list[Signal] = []
    for key, amount in numeric_details(details):
        reading = canonical_metric(key, amount, latency_unit="ms")
        if reading is not None:
            signals.append(metric_from_alert(alert, reading, key, of_dependency=False))
    return signals
