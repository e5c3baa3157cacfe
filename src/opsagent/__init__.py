"""opsagent: an operations triage agent.

``opsagent.analyze(*payloads, now=None, **options)`` turns alert payloads, metrics,
deploys and symptoms into a :class:`TriageReport`.
"""

from ._version import __version__
from .api import analyze, triage
from .errors import (
    AgentError,
    CatalogError,
    ConfigError,
    InputError,
    KnowledgeError,
    OpsagentError,
    RuntimeFailure,
    UserError,
)
from .models import Incident, Signal, TriageReport

__all__ = [
    "AgentError",
    "CatalogError",
    "ConfigError",
    "Incident",
    "InputError",
    "KnowledgeError",
    "OpsagentError",
    "RuntimeFailure",
    "Signal",
    "TriageReport",
    "UserError",
    "__version__",
    "analyze",
    "triage",
]
