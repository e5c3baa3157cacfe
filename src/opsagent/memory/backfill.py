"""Memory records for incidents stored before the memory tables existed (``0002_memory``):
``opsagent history backfill``.

Each such incident is remembered as a triage would have remembered it: its stored
deliveries read again into the incident (the engine's features and alert names come from
them), and the causes and summary of its latest report revision. An incident whose
deliveries no longer read (an adapter changed, none stored) is remembered from its
report and its row alone. The work is bounded (``limit`` incidents, newest first, in
transactions of :data:`BATCH`), so a large old database is filled in a few runs, and an
incident triaged meanwhile keeps the record its triage wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..errors import UserError

if TYPE_CHECKING:
    from ..models import Incident, PastIncident
    from ..store import IncidentRow, Store
    from ..store.memory import MemoryStore
    from ..triager import Triager

BATCH = 100  # incidents remembered per transaction


@dataclass(frozen=True)
class Backfilled:
    recorded: int  # records written
    left: int  # incidents still without one (another run continues)


def backfill(store: Store, memory: MemoryStore, triager: Triager, *, limit: int = 1000
             ) -> Backfilled:
    """Write the missing memory records of at most ``limit`` incidents, newest first."""
    recorded = 0
    while recorded < limit:
        ids = memory.unremembered(limit=min(BATCH, limit - recorded))
        records = [r for r in (_record(store, triager, i) for i in ids) if r is not None]
        if not records:
            break
        recorded += memory.record_missing(records)
    return Backfilled(recorded, memory.unremembered_count())


def _record(store: Store, triager: Triager, incident_id: str) -> PastIncident | None:
    from ..models import TriageReport

    row = store.incident(incident_id)
    revisions = store.revisions(incident_id)
    if row is None or not revisions:
        return None
    try:
        report = TriageReport.model_validate(revisions[-1].report)
    except ValueError:  # pydantic's ValidationError: a report of another shape
        report = None
    record = triager.remember(_incident(store, triager, row), report)
    update: dict[str, object] = {}
    if row.started_at is not None:
        update["started_at"] = datetime.fromtimestamp(row.started_at, timezone.utc)
    if report is None:  # nothing to say about causes: not even the engine's guess
        update.update(categories=[row.top_cause] if row.top_cause else [],
                      failure_modes=[], summary=row.title)
    return record.model_copy(update=update)


def _incident(store: Store, triager: Triager, row: IncidentRow) -> Incident:
    """The incident as its deliveries describe it (with the stored id), or one of only
    its services when they no longer read."""
    from ..ingest import Document
    from ..models import Incident

    now = datetime.fromtimestamp(row.updated_at, timezone.utc)
    docs: list[Document] = []
    for delivery in store.incident_deliveries(row.id):
        try:
            data = json.loads(delivery.body)
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        docs.extend(Document(item, f"delivery {delivery.id}") for item in items)
    if docs:
        try:
            return triager.incident(docs, now=now).model_copy(update={"id": row.id})
        except UserError:
            pass
    return Incident(id=row.id, services=list(row.services), now=now)


__all__ = ["BATCH", "Backfilled", "backfill"]
