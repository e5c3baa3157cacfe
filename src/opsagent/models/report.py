"""The triage report: the stable output contract (``schema_version`` 1).

Fields may be added; none may be renamed or removed without bumping
``SCHEMA_VERSION``. The published JSON Schema (:func:`report_schema`, ``opsagent schema
report``) therefore lets every object carry properties it does not name, so a reader
built against this version accepts the reports of a later one; the models themselves
stay strict (a report we build or merge never carries a misspelt field).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from .memory import SimilarIncident
from .note import InputNote

SCHEMA_VERSION = 1

Category = Literal[
    "deploy_regression",
    "config_change",
    "dependency_failure",
    "database",
    "capacity",
    "resource_exhaustion",
    "network",
    "dns",
    "certificate",
    "cloud_provider",
    "cache",
    "rate_limit",
    "security",
    "data",
    "clock",
]
# The stable taxonomy ids, in the documented order.
CATEGORIES: tuple[str, ...] = get_args(Category)


class Level(str, Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}

ActionKind = Literal["mitigate", "diagnose", "escalate", "communicate", "follow_up"]
Risk = Literal["low", "medium", "high"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentRef(_Model):
    id: str
    services: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    started_at: str | None = None
    signal_count: int = 0
    environments: list[str] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list)
    now: str | None = None


class Severity(_Model):
    level: Level
    score: float = Field(ge=0.0, le=1.0)
    reasons: list[str] = Field(default_factory=list)
    # The lowest level the hard facts allow (a critical flow broken, the critical error
    # rate reached, a breach or data loss suspected); None when nothing forces a level.
    floor: Level | None = None


class RootCause(_Model):
    category: Category
    title: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)
    counter_evidence: list[str] = Field(default_factory=list)
    failure_mode: str | None = None  # id of the knowledge-base failure mode


class Action(_Model):
    title: str
    kind: ActionKind
    risk: Risk = "low"
    rationale: str = ""
    cause: Category | None = None


class AgentInfo(_Model):
    model: str
    provider: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    tools_used: list[str] = Field(default_factory=list)
    repaired: bool = False
    guardrails: list[str] = Field(default_factory=list)  # what the guardrails changed


class Analysis(_Model):
    engine: str
    agent: AgentInfo | None = None
    fallback: str | None = None
    duration_ms: float = Field(default=0.0, description=(
        "Milliseconds the triage itself took: the engine's analysis of the assembled "
        "incident, plus the agent's review when it ran. Reading the payloads and loading "
        "the knowledge base, the catalog and the configuration are not included."))
    knowledge: list[str] = Field(default_factory=list)  # failure-mode sources consulted


class Conclusion(_Model):
    """Whether the evidence supports a cause. ``insufficient_evidence``: no cause is
    supported well enough to act on; the causes listed are possibilities and the
    actions start with the checks that would decide between them."""

    outcome: Literal["cause_identified", "insufficient_evidence"]
    reason: str = ""


class TriageReport(_Model):
    schema_version: int = SCHEMA_VERSION
    incident: IncidentRef
    summary: str
    severity: Severity
    root_causes: list[RootCause] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    analysis: Analysis
    # values of the payloads that could not be read (the rest was triaged)
    input_notes: list[InputNote] = Field(default_factory=list)
    conclusion: Conclusion | None = None  # the engine always says; absent in old reports
    # past incidents that look like this one, best first (at most five); None (and left
    # out of the JSON) when no history was given, [] when nothing in it is similar
    similar_incidents: list[SimilarIncident] | None = None

    @model_serializer(mode="wrap")
    def _leave_out_unused_memory(self, handler: SerializerFunctionWrapHandler
                                 ) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("similar_incidents", ()) is None:
            del data["similar_incidents"]
        return data


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report as published: objects allow properties added by a
    later version, and ``schema_version`` is required and constant for this one."""
    schema = TriageReport.model_json_schema()
    _allow_additions(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "opsagent triage report"
    schema["properties"]["schema_version"] = {
        "const": SCHEMA_VERSION, "type": "integer", "title": "Schema Version",
        "description": "The version of this contract; a change that renames or removes "
                       "a field bumps it, added fields do not."}
    schema["required"] = ["schema_version",
                          *(n for n in schema.get("required", []) if n != "schema_version")]
    return schema


def _allow_additions(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for value in node.values():
            _allow_additions(value)
    elif isinstance(node, list):
        for value in node:
            _allow_additions(value)
