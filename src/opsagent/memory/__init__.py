"""Incident memory, the pure half: finding similar past incidents and explaining why.

Nothing here touches a database: a store (or a replay) hands past incidents in as
:class:`~opsagent.models.PastIncident` values, with an optional full-text score each,
and gets ranked, explained matches back. The engine uses the same functions
(``Engine.analyze(incident, past=...)``).
"""

from .similar import (
    CONTEXT_FEATURES,
    LIMIT,
    MIN_SIMILARITY,
    WEIGHTS,
    Match,
    find_similar,
    normalize_text_rank,
    signature,
)
from .text import search_terms, search_text

__all__ = [
    "CONTEXT_FEATURES",
    "LIMIT",
    "MIN_SIMILARITY",
    "WEIGHTS",
    "Match",
    "find_similar",
    "normalize_text_rank",
    "search_terms",
    "search_text",
    "signature",
]
