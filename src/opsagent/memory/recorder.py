"""``opsagent analyze --history URL``: memory around one command-line triage.

Before the triage, the incident's candidates come from the history database; after it,
the incident, its payloads, the report and its memory record are recorded in one
transaction (the same incident analysed again gets a new report revision and a refreshed
record), and a small batch of incidents past retention deleted. Needs the ``server``
extra (SQLAlchemy).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .settings import HistorySettings, history_url

if TYPE_CHECKING:
    from ..ingest import Document
    from ..models import Incident, TriageReport
    from ..registry import Registry
    from ..store import Store
    from ..store.memory import MemoryStore
    from ..triager import Triager


def open_history(url: str, registry: Registry) -> tuple[Store, MemoryStore]:
    """The history database at ``url`` (a bare file name is SQLite), migrated."""
    try:
        import sqlalchemy  # noqa: F401  (the server extra)
    except ImportError:
        raise ConfigError("the history database needs the server extra: "
                          "pip install 'opsagent[server]'", field="--history") from None
    from ..store import open_store
    from ..store.memory import MemoryStore

    store = open_store(history_url(url), registry)
    memory = MemoryStore.of(store)
    if memory is None:
        raise ConfigError(f"{url!r} keeps no incident memory", field="--history")
    return store, memory


class Recorder:
    def __init__(self, url: str, settings: HistorySettings, registry: Registry) -> None:
        self.settings = settings
        self.store, self.memory = open_history(url, registry)

    def triage(self, triager: Triager, incident: Incident) -> TriageReport:
        """The triage with the incident's past ones (never itself) as memory."""
        found = self.memory.candidates(triager.remember(incident))
        return triager.triage_incident(incident, past=found.past, text_rank=found.text_rank)

    def record(self, triager: Triager, incident: Incident, report: TriageReport,
               docs: Sequence[Document]) -> str:
        """Keep the incident, its payloads and the report; returns the incident id."""
        from ..server.grouping import resolved
        from ..server.worker import _title

        now = time.time()
        payloads = [(doc.source, json.dumps(doc.data, ensure_ascii=False).encode())
                    for doc in docs]
        top = report.root_causes[0].category if report.root_causes else None
        self.memory.record_analysis(
            incident_id=incident.id, title=_title(report), services=list(incident.services),
            status="resolved" if resolved(incident) else "open",
            severity=report.severity.level.value, top_cause=top,
            started_at=incident.started_at.timestamp() if incident.started_at else None,
            report=report.model_dump(mode="json"), payloads=payloads, now=now,
            record=triager.remember(incident, report))
        self.memory.prune(now=now, retention_days=self.settings.retention_days,
                          max_incidents=self.settings.max_incidents)
        return incident.id

    def close(self) -> None:
        self.store.close()
