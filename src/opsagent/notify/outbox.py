"""The outbox seam: a notification is recorded before it is sent, then marked sent or
failed (with its attempts and when to try again). A durable outbox lives in the store;
:class:`MemoryOutbox` keeps it in memory for the CLI and the tests.

The key is ``(incident, revision, target)``: :meth:`Outbox.record` returns None for a
key already recorded, which is what makes a notification go out at most once per report
revision and target, even when two workers triage the same incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, Protocol

from ..models.report import Level
from .events import Event, Notified
from .request import Request

# ``dry_run`` and ``superseded`` are the service's (:mod:`opsagent.store.outbox`)
Status = Literal["pending", "sent", "failed", "dry_run", "superseded"]


@dataclass(frozen=True)
class Entry:
    """One notification in the outbox. ``event`` is what was decided (its kind, the
    level last told, the Slack message to update); ``request`` is masked (safe to store
    and show): a retry renders the request again from the report revision and the event
    (:func:`~.delivery.resend`). ``ref`` identifies the message sent (Slack channel, ts)."""

    id: int
    incident: str
    revision: int
    target: str
    event: Event
    level: Level
    resolved: bool
    request: Request
    created_at: datetime
    status: Status = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    ref: dict[str, str] = field(default_factory=dict)


class Outbox(Protocol):
    def record(self, *, incident: str, revision: int, target: str, event: Event,
               level: Level, resolved: bool, request: Request, at: datetime) -> Entry | None:
        """Record a notification before it is sent; None if this (incident, revision,
        target) is already recorded."""

    def mark_sent(self, entry_id: int, *, attempts: int, at: datetime,
                  ref: dict[str, str]) -> None: ...

    def mark_failed(self, entry_id: int, *, attempts: int, error: str,
                    next_attempt_at: datetime | None) -> None:
        """A failed attempt: ``next_attempt_at`` None means given up for good."""

    def pending(self, now: datetime) -> list[Entry]:
        """Entries due for a (re)try: pending, or failed with ``next_attempt_at <= now``."""

    def last_notified(self, incident: str, target: str) -> Notified | None:
        """What ``target`` was last successfully told about ``incident``."""


class MemoryOutbox:
    """An :class:`Outbox` in memory (one process, nothing survives it)."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self._keys: set[tuple[str, int, str]] = set()

    def record(self, *, incident: str, revision: int, target: str, event: Event,
               level: Level, resolved: bool, request: Request, at: datetime) -> Entry | None:
        key = (incident, revision, target)
        if key in self._keys:
            return None
        self._keys.add(key)
        entry = Entry(len(self.entries) + 1, incident, revision, target, event, level,
                      resolved, request.masked(), at)
        self.entries[entry.id] = entry
        return entry

    def mark_sent(self, entry_id: int, *, attempts: int, at: datetime,
                  ref: dict[str, str]) -> None:
        self.entries[entry_id] = replace(self.entries[entry_id], status="sent",
                                         attempts=attempts, sent_at=at, ref=dict(ref),
                                         next_attempt_at=None)

    def mark_failed(self, entry_id: int, *, attempts: int, error: str,
                    next_attempt_at: datetime | None) -> None:
        self.entries[entry_id] = replace(self.entries[entry_id], status="failed",
                                         attempts=attempts, last_error=error,
                                         next_attempt_at=next_attempt_at)

    def pending(self, now: datetime) -> list[Entry]:
        return [e for e in self.entries.values()
                if e.status == "pending" or (e.status == "failed" and e.next_attempt_at
                                             is not None and e.next_attempt_at <= now)]

    def last_notified(self, incident: str, target: str) -> Notified | None:
        sent = [e for e in self.entries.values()
                if e.incident == incident and e.target == target and e.status == "sent"]
        if not sent:
            return None
        last = max(sent, key=lambda e: e.revision)
        ref = next((e.ref for e in sorted(sent, key=lambda e: e.revision) if e.ref.get("ts")),
                   {})
        return Notified(last.revision, last.level, last.resolved, dict(ref))
