"""The one boundary model: every adapter turns its payload into :class:`Signal` objects.

Vendor JSON survives only in ``raw``. Values are normalised by the adapters:

* ratios (error rate, CPU, memory, disk, availability, cache hit rate, packet loss)
  are fractions between 0 and 1;
* durations and latencies are milliseconds;
* times are timezone-aware UTC datetimes;
* region names are canonical cloud region ids where one is known (``us-east-1``);
* a value written relative to its baseline (``"10x baseline"``, ``"-70%"``) keeps that
  relation in ``baseline_multiple``; how far a reading reaches (``"4 of 24 nodes"``,
  ``"every host"``, ``"96% (app-2), 93% (app-4)"``) is its ``scope``.

Canonical metric names are listed in :data:`METRIC_NAMES`; any other name is kept and
assessed against its baseline or objective, and its words are matched against the
failure vocabulary.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SignalKind(str, Enum):
    METRIC = "metric"  # a numeric reading (error rate, latency, cpu ...)
    ALERT = "alert"  # an alert from a monitoring tool (firing or resolved)
    CHANGE = "change"  # a deploy, config push, feature flag, migration ...
    SYMPTOM = "symptom"  # a plain-words description of what users / engineers see
    LOG = "log"  # a log line or exception
    STATUS = "status"  # the reported health of a component ("degraded", "down")


class ChangeType(str, Enum):
    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    CONFIG = "config"
    FLAG = "flag"
    SECRET = "secret"
    MIGRATION = "migration"
    INFRA = "infra"
    SCALE = "scale"
    CERTIFICATE = "certificate"
    DNS = "dns"
    OTHER = "other"


class SourceSeverity(str, Enum):
    """A source's own severity, mapped by each adapter through an explicit table."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class SignalStatus(str, Enum):
    FIRING = "firing"
    RESOLVED = "resolved"


class ChangeDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ChangeType = ChangeType.DEPLOY
    version: str | None = None
    previous_version: str | None = None
    description: str = ""
    author: str | None = None
    succeeded: bool | None = None  # False for a failed deploy


class Scope(BaseModel):
    """How far a reading reaches, as the payload states it.

    ``"4 of 24 nodes"`` is ``affected=4, total=24, fraction=4/24, unit="node"``;
    ``"every host"`` is ``fraction=1.0, unit="host"``; ``"about 60% of nodes"`` is
    ``fraction=0.6``; ``"one pod"`` is ``affected=1``; ``"96% (app-2), 93% (app-4)"``
    names its ``instances``. ``text`` is the phrase as written.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = ""
    affected: int | None = None
    total: int | None = None
    fraction: float | None = Field(default=None, ge=0.0, le=1.0)
    unit: str | None = None  # singular: "node", "host", "pod"
    instances: tuple[str, ...] = ()


METRIC_NAMES: dict[str, str] = {
    "error_rate": "share of requests that fail (fraction)",
    "http_5xx_rate": "share of responses with a 5xx status (fraction)",
    "http_4xx_rate": "share of responses with a 4xx status (fraction)",
    "latency_ms": "request latency (milliseconds; p95 unless labelled otherwise)",
    "availability": "share of successful probes / requests (fraction)",
    "rps": "request throughput (requests per second)",
    "cpu": "CPU utilisation (fraction)",
    "memory": "memory utilisation (fraction)",
    "disk": "disk utilisation (fraction)",
    "connections": "connection-pool utilisation (fraction)",
    "queue_depth": "messages waiting in a queue (count)",
    "restarts": "container / process restarts in the window (count)",
    "replication_lag_s": "database replication lag (seconds)",
    "cache_hit_rate": "cache hit ratio (fraction)",
    "packet_loss": "packet loss (fraction)",
    "throttled_rate": "share of calls throttled / rate limited (fraction)",
    "saturation": "generic saturation of a resource (fraction)",
    "clock_skew_ms": "clock offset from the reference (milliseconds)",
    "cert_expiry_days": "days until a certificate expires (negative: expired)",
}


class Signal(BaseModel):
    """One observation about the incident, from any source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: SignalKind
    source: str = "generic"  # the adapter that produced it
    name: str = ""  # metric name, alert name, change name
    text: str = ""  # human words: summary, description, message, symptom
    service: str | None = None  # normalised service name
    dependency: str | None = None  # the downstream component the signal is about
    region: str | None = None
    zone: str | None = None
    environment: str | None = None
    value: float | None = None
    unit: str | None = None
    baseline: float | None = None
    objective: float | None = None  # SLO / alert threshold for the value
    # the value as a multiple of its baseline ("10x baseline" → 10.0, "-70%" → 0.3),
    # when the payload states it that way (``value`` may then be None)
    baseline_multiple: float | None = None
    limit: float | None = None  # the capacity of a used/limit reading ("210/800" → 800)
    scope: Scope | None = None  # how far the reading reaches ("4 of 24 nodes")
    severity: SourceSeverity | None = None
    status: SignalStatus | None = None
    at: datetime | None = None  # when observed / started / changed
    ended_at: datetime | None = None  # when it resolved
    count: int = 1  # occurrences folded into this signal
    change: ChangeDetails | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    fingerprint: str | None = None
    raw: Any = Field(default=None, exclude=True, repr=False)

    def key(self) -> tuple[object, ...]:
        """Identity used to deduplicate the same observation reported twice."""
        if self.fingerprint:
            return (self.source, self.fingerprint, self.status)
        return (
            self.kind,
            self.name,
            self.text,
            self.service,
            self.dependency,
            self.region,
            self.zone,
            self.value,
            self.status,
            self.at,
            self.change.version if self.change else None,
        )
