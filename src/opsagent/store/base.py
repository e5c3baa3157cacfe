"""The store's interface and its records, free of any database library.

A :class:`Store` keeps the raw deliveries (committed before they are acknowledged), the
job queue with claims and leases, incidents, their links to deliveries and the report
revisions. :mod:`opsagent.store.sql` implements it on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import RuntimeFailure
from ..models.memory import PastIncident


class StoreUnavailable(RuntimeFailure):
    """The database cannot be reached or refused the write (the sender should retry)."""


class Conflict(RuntimeFailure):
    """Another worker changed the incident first; the job is tried again."""


@dataclass(frozen=True)
class NewDelivery:
    source: str
    body: bytes
    headers: Mapping[str, str]
    received_at: float
    vendor_id: str | None = None


@dataclass(frozen=True)
class Accepted:
    delivery_id: str
    duplicate: bool


@dataclass(frozen=True)
class Delivery:
    id: str
    source: str
    received_at: float
    headers: dict[str, str]
    body: bytes
    body_sha256: str
    vendor_id: str | None
    status: str  # queued | processed | failed
    error: str | None
    adapter: str | None
    incident_id: str | None = None


@dataclass(frozen=True)
class Job:
    id: int
    delivery_id: str
    attempts: int


@dataclass(frozen=True)
class IncidentRow:
    id: str
    group_key: str | None
    services: list[str]
    status: str  # open | resolved
    title: str
    severity: str
    top_cause: str | None
    started_at: float | None
    created_at: float
    updated_at: float
    resolved_at: float | None
    revision: int


@dataclass(frozen=True)
class Revision:
    incident_id: str
    revision: int
    report: dict[str, Any]
    delivery_count: int
    created_at: float


@dataclass(frozen=True)
class NewNotification:
    """A notification decided for a new report revision, recorded in the revision's
    transaction (:mod:`opsagent.store.outbox`). ``basis`` is the revision the target was
    last told about when it was decided (0: none); when the outbox has moved on since,
    the write is a :class:`Conflict` and the delivery is triaged again. ``request`` is
    masked; ``status`` is ``pending``, ``dry_run`` or ``failed`` (it could not be built:
    ``error`` says why)."""

    target: str
    basis: int
    event: dict[str, Any]
    level: str
    resolved: bool
    request: dict[str, Any] | None
    status: str = "pending"
    error: str = ""


@dataclass(frozen=True)
class Triaged:
    """What a worker writes for one delivery: the incident's new state and report."""

    delivery_id: str
    incident_id: str
    new_incident: bool
    expected_revision: int  # the incident's revision the report was computed from
    group_key: str | None
    services: list[str]
    status: str
    title: str
    severity: str
    top_cause: str | None
    started_at: float | None
    report: dict[str, Any]
    delivery_count: int
    adapter: str | None
    now: float
    notifications: list[NewNotification] = field(default_factory=list)
    memory: PastIncident | None = None  # the incident's memory record, kept with the revision


@dataclass
class Stats:
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, status)
    queue_depth: int = 0
    oldest_job_age_s: float = 0.0
    open_incidents: int = 0


class Store(ABC):
    """The history database: one implementation for SQLite and PostgreSQL."""

    url: str

    @abstractmethod
    def migrate(self) -> None:
        """Bring the schema to the latest version (safe to run from several processes)."""

    @abstractmethod
    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` when the database cannot be reached."""

    @abstractmethod
    def accept(self, items: Sequence[NewDelivery], *, dedupe_window_s: float
               ) -> list[Accepted]:
        """Store the deliveries and queue one job per new one, in one transaction."""

    @abstractmethod
    def claim(self, worker: str, *, limit: int, lease_s: float, now: float) -> list[Job]:
        """Claim ready jobs (and jobs whose lease lapsed) for ``worker``."""

    @abstractmethod
    def renew(self, job: Job, worker: str, *, lease_s: float, now: float) -> bool:
        """Extend ``worker``'s claim of ``job`` to ``now + lease_s``; False when the claim
        is lost: another worker claimed the job after the lease lapsed (a job no longer
        queued, because it is done, is True: there is nothing left to keep)."""

    @abstractmethod
    def release(self, job: Job, *, error: str | None, retry_at: float) -> None:
        """Give a claimed job back, to be tried again at ``retry_at``."""

    @abstractmethod
    def reject(self, job: Job, reason: str, *, adapter: str | None, now: float) -> None:
        """Mark the job's delivery failed with ``reason`` and drop the job."""

    @abstractmethod
    def complete(self, job: Job, triaged: Triaged) -> None:
        """Link the delivery, write the incident and a new revision, drop the job: one
        transaction. Raises :class:`Conflict` when the incident moved on meanwhile."""

    @abstractmethod
    def finish_linked(self, job: Job, *, now: float) -> bool:
        """When the job's delivery is already linked (a re-claim after a crash), mark it
        processed and drop the job; False when it is not linked yet."""

    @abstractmethod
    def delivery(self, delivery_id: str) -> Delivery | None: ...

    @abstractmethod
    def incident_deliveries(self, incident_id: str, *, bodies: bool = True
                            ) -> list[Delivery]: ...

    @abstractmethod
    def find_open_incident(self, *, group_key: str | None, services: Sequence[str],
                           since: float) -> IncidentRow | None:
        """The open incident with ``group_key``, else one of ``services`` updated since
        ``since`` (only incidents without a group key join by service)."""

    @abstractmethod
    def incident(self, incident_id: str) -> IncidentRow | None: ...

    @abstractmethod
    def incidents(self, *, status: str | None = None, service: str | None = None,
                  since: float | None = None, limit: int = 50) -> list[IncidentRow]: ...

    @abstractmethod
    def revisions(self, incident_id: str) -> list[Revision]:
        """Every report revision of the incident, oldest first."""

    @abstractmethod
    def stats(self, *, now: float) -> Stats: ...

    def listen_for_jobs(self, wake: Callable[[], None], stop: threading.Event) -> bool:
        """Call ``wake`` whenever new jobs are committed, by any process, until ``stop``
        is set; False when the database cannot tell (workers then poll)."""
        return False

    @abstractmethod
    def close(self) -> None: ...
