"""The metrics of a generic event: names as people write them, and what kind of value
each one is (a ratio, a duration, a count), so that its value is read in the right unit."""

from __future__ import annotations

from typing import Any, Literal

from ..values import Kind, Reading

# Metric-name aliases → canonical names.
ALIASES = {
    "cpu_percent": "cpu",
    "cpu_usage": "cpu",
    "cpu_utilization": "cpu",
    "cpu_util": "cpu",
    "mem": "memory",
    "memory_usage": "memory",
    "memory_percent": "memory",
    "memory_utilization": "memory",
    "mem_usage": "memory",
    "disk_usage": "disk",
    "disk_used": "disk",
    "disk_percent": "disk",
    "disk_utilization": "disk",
    "errors": "error_rate",
    "error_percent": "error_rate",
    "failure_percent": "error_rate",
    "pct_failed": "error_rate",
    "percent_failed": "error_rate",
    "failed_request_share": "error_rate",
    "failed_requests_pct": "error_rate",
    "5xx_rate": "http_5xx_rate",
    "http_5xx": "http_5xx_rate",
    "4xx_rate": "http_4xx_rate",
    "http_4xx": "http_4xx_rate",
    "latency": "latency_ms",
    "p95_latency_ms": "latency_ms",
    "p95_latency": "latency_ms",
    "requests_per_second": "rps",
    "throughput": "rps",
    "db_connections": "connections",
    "connection_pool": "connections",
    "connection_pool_usage": "connections",
    "pool_usage": "connections",
    "replication_lag": "replication_lag_s",
    "cache_hit_ratio": "cache_hit_rate",
    "hit_rate": "cache_hit_rate",
    "throttled": "throttled_rate",
    "throttle_rate": "throttled_rate",
    "clock_skew": "clock_skew_ms",
    "clock_offset_ms": "clock_skew_ms",
}
RATIO_METRICS = frozenset({
    "error_rate", "http_5xx_rate", "http_4xx_rate", "availability", "cpu", "memory", "disk",
    "connections", "cache_hit_rate", "packet_loss", "throttled_rate", "saturation",
})
DURATION_METRICS = frozenset({"latency_ms", "clock_skew_ms", "p50_latency_ms",
                              "p99_latency_ms"})
LOWER_IS_WORSE = frozenset({"availability", "cache_hit_rate", "cert_expiry_days"})
CANONICAL = frozenset({
    "error_rate", "http_5xx_rate", "http_4xx_rate", "latency_ms", "availability", "rps",
    "cpu", "memory", "disk", "connections", "queue_depth", "restarts", "replication_lag_s",
    "cache_hit_rate", "packet_loss", "throttled_rate", "saturation", "clock_skew_ms",
    "cert_expiry_days",
})
_SUFFIXES = (("cpu", "cpu"), ("cpu_percent", "cpu"), ("cpu_utilization", "cpu"),
             ("cpu_usage", "cpu"), ("memory", "memory"), ("mem", "memory"),
             ("memory_usage", "memory"), ("memory_percent", "memory"), ("disk", "disk"),
             ("disk_usage", "disk"), ("disk_used", "disk"), ("connections_used", "connections"),
             ("connection_pool", "connections"), ("pool_usage", "connections"),
             # a share of failing requests under a prefix ("edge_5xx_ratio": the edge's)
             ("5xx_ratio", "http_5xx_rate"), ("5xx_rate", "http_5xx_rate"),
             ("5xx_percent", "http_5xx_rate"), ("error_ratio", "error_rate"),
             ("errors_ratio", "error_rate"), ("error_percent", "error_rate"),
             ("error_pct", "error_rate"), ("failed_pct", "error_rate"),
             ("failure_pct", "error_rate"), ("failed_percent", "error_rate"))

MetricKind = Literal["ratio", "duration", "signed_duration", "seconds", "quantity"]


def canonical_name(raw_name: str) -> tuple[str, str]:
    """``(canonical name, key)`` of a metric as written: ``"CPU Usage"`` → ``cpu``;
    ``db_cpu`` → ``cpu`` (the prefix stays in the ``raw_name`` label and its words are
    read by the analysis)."""
    key = str(raw_name).strip().lower().replace(" ", "_").replace("-", "_")
    name = ALIASES.get(key, key)
    if name not in CANONICAL:
        name = next((canonical for suffix, canonical in _SUFFIXES
                     if key == suffix or key.endswith("_" + suffix)), name)
    return name, key


def kind_of(name: str, key: str) -> MetricKind:
    """How the values of metric ``name`` (written ``key``) are read."""
    if name in RATIO_METRICS or key.endswith(("_percent", "_pct", "_ratio", "_rate")):
        return "ratio"
    if name == "clock_skew_ms":
        return "signed_duration"
    if name == "replication_lag_s":
        return "seconds"
    if name in DURATION_METRICS or key.endswith(("_ms", "latency", "_duration")):
        return "duration"
    return "quantity"


def value_kind(kind: MetricKind) -> tuple[Kind, str]:
    """The value reader's kind and default unit for a metric kind."""
    if kind in ("duration", "signed_duration"):
        return "duration", "ms"
    if kind == "seconds":
        return "duration", "s"
    if kind == "ratio":
        return "ratio", "ms"
    return "quantity", "ms"


def signal_fields(reading: Reading, kind: MetricKind) -> dict[str, Any]:
    """The fields of a metric Signal that a reading gives (``value`` in the metric's
    canonical unit, the relation to its baseline, its scope, the value as written)."""
    scale = 0.001 if kind == "seconds" else 1.0  # read in ms, kept in seconds
    fields: dict[str, Any] = {
        "value": reading.value * scale if reading.value is not None else None,
        "baseline_multiple": reading.baseline_multiple,
        "limit": reading.limit,
        "scope": reading.scope,
        "text": reading.text,
    }
    for key in ("baseline", "objective"):
        found = getattr(reading, key)
        if found is not None:
            fields[key] = found * scale
    return fields


def unit_of(reading: Reading, kind: MetricKind) -> str | None:
    """The unit of the signal: the reading's, in the metric's own terms."""
    if kind == "seconds":
        return "s"
    if kind == "ratio" and reading.unit != "bytes":
        return "ratio"
    return reading.unit
