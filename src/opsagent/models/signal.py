"""The one boundary model: every adapter turns its payload into :class:`Signal` objects.

Vendor JSON survives only in ``raw``. Values are normalised by the adapters:

* ratios (error rate, CPU, memory, disk, availability, cache hit rate, packet loss)
  are fractions between 0 and 1;
* durations and latencies are milliseconds;
* times are timezone-aware UTC datetimes;
* region names are canonical cloud region ids where one is known (``us-east-1``).

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
