"""Knowledge as data: failure modes, the failure vocabulary and general actions (YAML)."""

from .loader import BUILTIN_DIR, KnowledgeBase, lint, load_knowledge
from .schema import Case, EvidenceRule, FailureMode, RunbookAction, Term

__all__ = [
    "BUILTIN_DIR",
    "Case",
    "EvidenceRule",
    "FailureMode",
    "KnowledgeBase",
    "RunbookAction",
    "Term",
    "lint",
    "load_knowledge",
]
