"""Pydantic models: the signal boundary, the incident and the report contract."""

from .incident import Incident
from .report import (
    CATEGORIES,
    SCHEMA_VERSION,
    Action,
    AgentInfo,
    Analysis,
    Category,
    IncidentRef,
    Level,
    RootCause,
    Severity,
    TriageReport,
)
from .signal import (
    METRIC_NAMES,
    ChangeDetails,
    ChangeType,
    Signal,
    SignalKind,
    SignalStatus,
    SourceSeverity,
)

__all__ = [
    "CATEGORIES",
    "METRIC_NAMES",
    "SCHEMA_VERSION",
    "Action",
    "AgentInfo",
    "Analysis",
    "Category",
    "ChangeDetails",
    "ChangeType",
    "Incident",
    "IncidentRef",
    "Level",
    "RootCause",
    "Severity",
    "Signal",
    "SignalKind",
    "SignalStatus",
    "SourceSeverity",
    "TriageReport",
]
