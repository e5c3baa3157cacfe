"""The words of an incident that a full-text index holds and a search asks for.

One function for both sides, so what is indexed and what is searched for are the same
kind of text: the summary, the services, the alert names, and the causes (their ids
with ``_`` and ``.`` read as spaces, so ``connection pool`` finds
``db_connection_pool``). A store indexes ``search_text(past)`` for every stored
incident, searches with ``search_text(current)`` (SQLite FTS5 ``MATCH`` over its terms
joined by ``OR``, PostgreSQL ``plainto_tsquery`` or ``websearch_to_tsquery``), and hands
the scores, brought to [0, 1] by :func:`~opsagent.memory.normalize_text_rank`, to the
similarity.
"""

from __future__ import annotations

import re

from ..models.memory import PastIncident

_SEPARATORS = re.compile(r"[_.\-/:]+")
_WORD = re.compile(r"\w{2,}")


def search_text(incident: PastIncident) -> str:
    """The searchable words of ``incident``, lower case, each once, in a stable order."""
    parts = [incident.summary, *incident.services, *incident.alerts,
             *incident.categories, *incident.failure_modes, incident.resolution or ""]
    seen: dict[str, None] = {}
    for part in parts:
        for word in _WORD.findall(_SEPARATORS.sub(" ", part).lower()):
            seen.setdefault(word, None)
    return " ".join(seen)


def search_terms(incident: PastIncident, limit: int = 32) -> list[str]:
    """The first ``limit`` words of :func:`search_text`, for a query of alternatives."""
    return search_text(incident).split()[:limit]
