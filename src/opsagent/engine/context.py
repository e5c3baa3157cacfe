"""What every engine stage shares: the incident, its catalog entries, the features found
so far and the impact observations that severity is graded from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ..catalog import ServiceCatalog, ServiceEntry
from ..models import Incident
from ..names import service_key
from .features import FeatureSet


class EngineConfig(BaseModel):
    """Thresholds of the default severity rubric and of the assessment; all configurable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical_error_rate: float = Field(0.05, gt=0, le=1)  # HIGH on a critical service
    customer_error_rate: float = Field(0.20, gt=0, le=1)  # HIGH on any customer-facing one
    default_error_objective: float = Field(0.01, gt=0, le=1)
    default_latency_objective_ms: float = Field(1000.0, gt=0)
    latency_high_factor: float = Field(3.0, gt=1)  # "several times its objective"
    default_availability_objective: float = Field(0.999, gt=0, le=1)
    cpu_saturated: float = Field(0.85, gt=0, le=1)
    memory_high: float = Field(0.85, gt=0, le=1)
    disk_high: float = Field(0.85, gt=0, le=1)
    connections_saturated: float = Field(0.85, gt=0, le=1)
    min_confidence: float = Field(0.2, ge=0, le=1)
    max_causes: int = Field(5, ge=1, le=15)
    max_actions: int = Field(8, ge=1, le=30)
    # below this confidence of the leading cause the report says the evidence is thin
    abstain_below: float = Field(0.4, ge=0, le=1)


@dataclass(slots=True)
class Impact:
    """One fact about user impact; severity is graded from these."""

    level: int  # 0 LOW, 1 MEDIUM, 2 HIGH
    score: float  # 0..1 within the scale
    reason: str
    hard: bool = False  # a hard fact of the rubric: no reviewer may grade below it
    label: bool = False  # only the source's own rating of its alert, no reading behind it


@dataclass(slots=True)
class Context:
    incident: Incident
    catalog: ServiceCatalog
    config: EngineConfig
    features: FeatureSet = field(default_factory=FeatureSet)
    impacts: list[Impact] = field(default_factory=list)
    onset: datetime | None = None
    dependency: str | None = None  # best guess of the implicated dependency
    dependency_hints: list[str] = field(default_factory=list)
    change_refs: dict[str, str] = field(default_factory=dict)  # {version}, {change} ...
    headline: list[str] = field(default_factory=list)  # impact phrases for the summary
    impacted_services: set[str] = field(default_factory=set)  # with measured user impact
    worst_error: float = 0.0  # worst error share on a customer-facing service
    worst_latency_factor: float = 0.0  # worst latency / objective on a customer-facing one
    crashing: set[str] = field(default_factory=set)  # instances seen crashing / OOM-killed
    failing_symptoms: list[str] = field(default_factory=list)  # what people see failing
    instances: list[tuple[int, int, str]] = field(default_factory=list)  # "3 of 6 pods"
    # recoveries stated in words: when (if the signal says) and the evidence line
    recovery_said: list[tuple[datetime | None, str]] = field(default_factory=list)
    # readings of resources judged within their limits ("disk 78% on kafka-3")
    within_bounds: list[str] = field(default_factory=list)
    # how far a business flow fell, as stated in the texts, with the evidence line
    flow_drops: list[tuple[float, str]] = field(default_factory=list)
    # what those readings measure ("cpu", "disk", "certificate"): an alert about
    # something else is not bounded by them
    bounded_topics: set[str] = field(default_factory=set)
    _entries: dict[str, ServiceEntry] = field(default_factory=dict)

    @property
    def service(self) -> str | None:
        return self.incident.services[0] if self.incident.services else None

    def entry(self, service: str | None) -> ServiceEntry:
        key = service_key(service) or ""
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = self.catalog.entry(service)
        return found

    def affected_keys(self) -> set[str]:
        return {k for k in (service_key(s) for s in self.incident.services) if k}
