"""A JSON Schema of the generic event, for ``opsagent schema input`` (documentation and
editor validation). The parser itself is more lenient than any schema can say: values in
human forms (``"500/500"``, ``"10x baseline"``, ``"-70% on 4 of 24 nodes"``) are read, and
a value it cannot read is a note, not a refusal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Ratio = float | str
Duration = float | str
Time = str | float


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Objective(_Open):
    error_rate: Ratio | None = Field(None, description="objective for the error rate")
    latency_ms: Duration | None = Field(None, description="objective for p95 latency")
    availability: Ratio | None = None


class Change(_Open):
    type: str = Field("deploy", description="deploy, rollback, config, flag, secret, migration, "
                                            "infra, scale, certificate, dns; any other type "
                                            "(script, maintenance) is kept as other")
    service: str | None = None
    at: Time | None = Field(None, description="ISO 8601, epoch seconds or '2 hours ago'")
    version: str | None = None
    previous_version: str | None = None
    description: str | None = None
    status: str | None = Field(None, description="success / failed")


class Dependency(_Open):
    name: str
    status: str | None = Field(None, description="operational, degraded, down ...")
    error_rate: Ratio | None = None
    latency_ms: Duration | None = None
    region: str | None = None


class MetricReading(_Open):
    value: float | str
    baseline: float | str | None = None
    threshold: float | str | None = None
    unit: str | None = None


class Alert(_Open):
    name: str | None = None
    summary: str | None = None
    severity: str | None = None
    status: str | None = Field(None, description="firing / resolved")
    service: str | None = None
    region: str | None = None
    started_at: Time | None = None


class LogLine(_Open):
    message: str
    level: str | None = None
    timestamp: Time | None = None
    count: int | None = None


class GenericEvent(_Open):
    """A hand-written incident event. Every field is optional, but there must be
    something to analyse. Unknown fields are kept and offered to the analysis."""

    service: str | None = Field(None, description="the affected service, e.g. checkout-service")
    services: list[str] | None = None
    region: str | None = Field(None, description="e.g. ap-south-1, 'US East (N. Virginia)'")
    regions: list[str] | None = None
    zone: str | None = None
    environment: str | None = Field(None, description="production, staging ...")
    timestamp: Time | None = None
    started_at: Time | None = None
    status: str | None = Field(None, description="firing / resolved / degraded")
    ended_at: Time | None = None
    title: str | None = None
    description: str | None = None
    severity: str | None = Field(None, description="the source's own severity (evidence)")
    error_rate: Ratio | None = Field(None, description="'18%', 0.18 or 18")
    latency_ms: Duration | None = Field(None, description="2400, '2400ms' or '2.4s' (p95)")
    latency: Duration | None = None
    availability: Ratio | None = None
    rps: float | str | None = None
    baseline_error_rate: Ratio | None = None
    baseline_latency_ms: Duration | None = None
    baseline_rps: float | str | None = None
    slo: Objective | None = None
    last_deploy: Time | None = Field(None, description="ISO time or '2 hours ago'")
    version: str | None = None
    previous_version: str | None = None
    last_config_change: Time | None = None
    changes: list[Change] | None = None
    dependencies: list[Dependency | str] | dict[str, Any] | None = None
    metrics: dict[str, float | str | MetricReading] | None = Field(
        None, description="cpu, memory, disk, connections, queue_depth, restarts, ...")
    logs: list[str | LogLine] | None = None
    symptoms: list[str] | str | None = Field(None, description="what users or engineers see")
    alerts: list[Alert | str] | None = None


def input_schema() -> dict[str, Any]:
    schema = GenericEvent.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "opsagent generic event"
    return schema
