"""Pydantic models: the signal boundary, the incident and the report contract."""

from .incident import Incident
from .memory import Feedback, PastIncident, SimilarIncident, Verdict, current_verdicts
from .note import InputNote
from .report import (
    CATEGORIES,
    SCHEMA_VERSION,
    Action,
    AgentInfo,
    Analysis,
    Category,
    Conclusion,
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
    Scope,
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
    "Conclusion",
    "Feedback",
    "Incident",
    "IncidentRef",
    "InputNote",
    "Level",
    "PastIncident",
    "RootCause",
    "Scope",
    "Severity",
    "Signal",
    "SignalKind",
    "SignalStatus",
    "SimilarIncident",
    "SourceSeverity",
    "TriageReport",
    "Verdict",
    "current_verdicts",
]
