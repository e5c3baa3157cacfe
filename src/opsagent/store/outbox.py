"""The durable outbox: the :class:`~opsagent.notify.outbox.Outbox` protocol over the
``notifications`` table of the service's database (migration ``0003_outbox``).

* A worker records a revision's notifications in the revision's own transaction
  (:func:`record_planned`): the revision and its notifications exist together or not at
  all. ``INSERT … ON CONFLICT DO NOTHING`` on ``UNIQUE(incident_id, revision, target)``
  keeps one row per report revision and target.
* A newer row for a target supersedes the older ones not yet sent (and not being sent):
  people get the newest report, and never a second ``new``.
* Senders :meth:`SqlOutbox.claim` due rows with a lease (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; one atomic ``UPDATE … RETURNING`` on SQLite, whose writers are serialized),
  so several processes share the sending; a killed sender's rows are claimed again when
  the lease lapses.

Statuses: ``pending`` (due at ``next_attempt_at``), ``failed`` (tried again at
``next_attempt_at``; given up for good when it is null), ``sent``, ``dry_run`` (a target
in dry run: the request that would have been sent), ``superseded``. Only masked requests
are stored; a send renders the request again from the stored report revision.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..models.report import Level
from ..notify.events import Event, Notified
from ..notify.outbox import Entry, Status
from ..notify.request import Request
from . import base as b
from .schema import notifications as n
from .schema import report_revisions

#: rows a target counts as told: sent, shown in a dry run, or being sent right now
_TOLD = ("sent", "dry_run")
_OPEN = ("pending", "failed")  # not sent yet, may still go out


def event_record(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, "at": event.at.isoformat(), "revision": event.revision,
            "resolved": event.resolved,
            "previous": event.previous.value if event.previous is not None else None,
            "ref": dict(event.ref)}


def request_record(request: Request) -> dict[str, Any]:
    """The request as stored: masked."""
    shown = request.masked()
    return {"method": shown.method, "url": shown.url, "headers": dict(shown.headers),
            "body": shown.body,
            "follow_up": request_record(shown.follow_up) if shown.follow_up else None}


def _event(data: dict[str, Any]) -> Event:
    previous = data.get("previous")
    return Event(data["kind"], datetime.fromisoformat(data["at"]), int(data["revision"]),
                 resolved=bool(data["resolved"]),
                 previous=Level(previous) if previous else None,
                 ref=dict(data.get("ref") or {}))


def _request(data: dict[str, Any] | None) -> Request:
    if not data:
        return Request("", "")
    follow = data.get("follow_up")
    return Request(data["method"], data["url"], dict(data["headers"]), data["body"],
                   follow_up=_request(follow) if follow else None)


def _time(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, tz=timezone.utc) if seconds is not None else None


def _seconds(at: datetime | None) -> float | None:
    return at.timestamp() if at is not None else None


def _entry(m: Any) -> Entry:
    created = _time(m["created_at"])
    assert created is not None
    return Entry(id=m["id"], incident=m["incident_id"], revision=m["revision"],
                 target=m["target"], event=_event(m["event"]), level=Level(m["level"]),
                 resolved=bool(m["resolved"]), request=_request(m["request"]),
                 created_at=created, status=m["status"], attempts=m["attempts"],
                 next_attempt_at=_time(m["next_attempt_at"]),
                 last_error=m["last_error"] or "", sent_at=_time(m["sent_at"]),
                 ref=dict(m["ref"] or {}))


def _told(now: float) -> sa.ColumnElement[bool]:
    in_flight = sa.and_(n.c.status.in_(_OPEN), n.c.lease_until.is_not(None),
                        n.c.lease_until >= now)
    return sa.or_(n.c.status.in_(_TOLD), in_flight)


def _insert(conn: Connection, values: dict[str, Any]) -> int | None:
    """Insert one row unless its key is recorded; its id, or None."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(n)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(n)
    stmt = stmt.values(**values).on_conflict_do_nothing(
        index_elements=["incident_id", "revision", "target"]).returning(n.c.id)
    found = conn.execute(stmt).scalar_one_or_none()
    return int(found) if found is not None else None


def _supersede(conn: Connection, incident: str, target: str, revision: int,
               now: float) -> None:
    conn.execute(n.update().where(
        n.c.incident_id == incident, n.c.target == target, n.c.revision < revision,
        n.c.status.in_(_OPEN), n.c.next_attempt_at.is_not(None),
        sa.or_(n.c.lease_until.is_(None), n.c.lease_until < now))
        .values(status="superseded", next_attempt_at=None,
                last_error=f"superseded by revision {revision}"))


def record_planned(conn: Connection, incident: str, revision: int,
                   planned: Sequence[b.NewNotification], *, now: float) -> None:
    """Record a revision's notifications on the revision's connection. Raises
    :class:`~opsagent.store.base.Conflict` when what a target was told changed since
    the notification was decided (a sender sent or gave up meanwhile)."""
    for item in planned:
        if conn.dialect.name == "postgresql":  # a sender's claim waits for this write
            conn.execute(sa.select(n.c.id).where(
                n.c.incident_id == incident, n.c.target == item.target).with_for_update())
        told = conn.execute(sa.select(sa.func.max(n.c.revision)).where(
            n.c.incident_id == incident, n.c.target == item.target,
            n.c.revision < revision, _told(now))).scalar_one_or_none() or 0
        if told != item.basis:
            raise b.Conflict(f"the notifications of {incident} to {item.target} changed "
                             "meanwhile")
        due = now if item.status == "pending" else None
        row = _insert(conn, dict(
            incident_id=incident, revision=revision, target=item.target, event=item.event,
            level=item.level, resolved=item.resolved, request=item.request,
            status=item.status, attempts=0, next_attempt_at=due,
            last_error=item.error or None, ref={}, created_at=now))
        if row is not None and item.status != "failed":
            _supersede(conn, incident, item.target, revision, now)


def outbox_for(store: b.Store) -> SqlOutbox | None:
    """The outbox of a store on SQLAlchemy (the built-in stores); None for a store
    plug-in of another kind."""
    engine = getattr(store, "engine", None)
    return SqlOutbox(engine) if isinstance(engine, Engine) else None


class SqlOutbox:
    """The outbox of a store opened on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def of(cls, store: b.Store) -> SqlOutbox:
        found = outbox_for(store)
        if found is None:
            raise TypeError(f"{type(store).__name__} has no SQL outbox")
        return found

    def _tx(self) -> AbstractContextManager[Connection]:
        from .sql import transaction

        return transaction(self.engine)

    # the Outbox protocol -------------------------------------------------------------
    def record(self, *, incident: str, revision: int, target: str, event: Event,
               level: Level, resolved: bool, request: Request, at: datetime) -> Entry | None:
        with self._tx() as conn:
            row = _insert(conn, dict(
                incident_id=incident, revision=revision, target=target,
                event=event_record(event), level=level.value, resolved=resolved,
                request=request_record(request), status="pending", attempts=0,
                next_attempt_at=at.timestamp(), ref={}, created_at=at.timestamp()))
            if row is None:
                return None
            _supersede(conn, incident, target, revision, at.timestamp())
            found = conn.execute(sa.select(n).where(n.c.id == row)).one()
        return _entry(found._mapping)

    def mark_sent(self, entry_id: int, *, attempts: int, at: datetime,
                  ref: dict[str, str]) -> None:
        with self._tx() as conn:
            conn.execute(n.update().where(n.c.id == entry_id).values(
                status="sent", attempts=attempts, sent_at=at.timestamp(), ref=dict(ref),
                next_attempt_at=None, claimed_by=None, lease_until=None))

    def mark_failed(self, entry_id: int, *, attempts: int, error: str,
                    next_attempt_at: datetime | None) -> None:
        with self._tx() as conn:
            conn.execute(n.update().where(n.c.id == entry_id).values(
                status="failed", attempts=attempts, last_error=error[:2000],
                next_attempt_at=_seconds(next_attempt_at), claimed_by=None,
                lease_until=None))

    def pending(self, now: datetime) -> list[Entry]:
        with self._tx() as conn:
            rows = conn.execute(sa.select(n).where(self._due(now.timestamp()))
                                .order_by(n.c.id)).all()
        return [_entry(r._mapping) for r in rows]

    def last_notified(self, incident: str, target: str) -> Notified | None:
        """What ``target`` was told about ``incident``: the newest row sent, shown in a
        dry run, or being sent right now (a sender holds its lease)."""
        with self._tx() as conn:
            rows = conn.execute(sa.select(n.c.revision, n.c.level, n.c.resolved, n.c.ref)
                                .where(n.c.incident_id == incident, n.c.target == target,
                                       _told(time.time()))
                                .order_by(n.c.revision)).all()
        if not rows:
            return None
        last = rows[-1]
        ref = next((dict(r.ref) for r in rows if r.ref and r.ref.get("ts")), {})
        return Notified(last.revision, Level(last.level), bool(last.resolved), ref)

    # the senders -----------------------------------------------------------------------
    @staticmethod
    def _due(now: float) -> sa.ColumnElement[bool]:
        return sa.and_(n.c.status.in_(_OPEN), n.c.next_attempt_at.is_not(None),
                       n.c.next_attempt_at <= now,
                       sa.or_(n.c.lease_until.is_(None), n.c.lease_until < now))

    def claim(self, sender: str, *, limit: int, lease_s: float, now: datetime,
              targets: Sequence[str] | None = None) -> list[Entry]:
        """Claim due rows (and rows whose lease lapsed) for ``sender``, oldest first;
        only rows of ``targets`` when given (the targets the sender can build)."""
        at = now.timestamp()
        pick = sa.select(n.c.id).where(self._due(at)).order_by(n.c.id).limit(limit)
        if targets is not None:
            pick = pick.where(n.c.target.in_(list(targets)))
        if self.engine.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (n.update().where(n.c.id.in_(pick.scalar_subquery()))
                .values(claimed_by=sender, lease_until=at + lease_s)
                .returning(*n.c))
        with self._tx() as conn:
            rows = conn.execute(stmt).all()
        return sorted((_entry(r._mapping) for r in rows), key=lambda e: e.id)

    def report(self, incident: str, revision: int) -> dict[str, Any] | None:
        """The report revision a notification is about (the report contract)."""
        with self._tx() as conn:
            found = conn.execute(sa.select(report_revisions.c.report).where(
                report_revisions.c.incident_id == incident,
                report_revisions.c.revision == revision)).scalar_one_or_none()
        return dict(found) if found is not None else None

    # reading ---------------------------------------------------------------------------
    def entries(self, incident: str) -> list[Entry]:
        """Every notification of the incident, oldest first."""
        with self._tx() as conn:
            rows = conn.execute(sa.select(n).where(n.c.incident_id == incident)
                                .order_by(n.c.revision, n.c.target)).all()
        return [_entry(r._mapping) for r in rows]

    def counts(self) -> dict[tuple[str, Status | str], int]:
        """Rows by (target, status); a failed row still to be retried counts as
        ``retrying``, one given up as ``failed``."""
        retrying = sa.case((sa.and_(n.c.status == "failed", n.c.next_attempt_at.is_not(None)),
                            "retrying"), else_=n.c.status)
        with self._tx() as conn:
            rows = conn.execute(sa.select(n.c.target, retrying.label("state"),
                                          sa.func.count())
                                .group_by(n.c.target, retrying)).all()
        return {(target, state): int(count) for target, state, count in rows}
