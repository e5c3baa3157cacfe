"""The store on SQLAlchemy Core: SQLite (WAL, full sync) and PostgreSQL (psycopg 3).

Claims are one atomic ``UPDATE … RETURNING``; on PostgreSQL the candidate rows are
picked ``FOR UPDATE SKIP LOCKED`` so any number of workers share the queue. SQLite
transactions that write begin ``IMMEDIATE`` (one writer at a time, no lock upgrades
that fail); lookups begin deferred and never wait for the writer (WAL).

On SQLite, what workers write (claims, leases, incidents, report revisions, memory
records, a job's end) is derived from the stored deliveries and commits without waiting
for the disk (``synchronous=NORMAL`` on that transaction); what senders hand over (a
delivery, feedback, a notification sent) waits for it (``FULL``) before it is
acknowledged. In WAL mode a commit is durable against the process being killed either
way; a power loss can only take the newest derived commits (the WAL is synced in order,
so every full commit makes all earlier frames durable too), and then their jobs are
claimed and triaged again as if the worker had been killed. The writes that hold the
one write lock longest (a revision with its memory record) then no longer hold it
through a disk sync, which every acknowledgement waiting behind them paid.

A writer waiting for SQLite's write lock polls for it every millisecond: SQLite's own
busy handler sleeps 1, 2, 5, 10 … up to 100 ms between tries, so with another process
writing (serve's worker process beside its inbox) a delivery's commit waited up to
~400 ms for a lock that had been free for most of that time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from ..errors import ConfigError
from . import base as b
from .schema import deliveries, incident_deliveries, incidents, jobs, report_revisions

MIGRATIONS = Path(__file__).parent / "migrations"
JOBS_CHANNEL = "opsagent_jobs"  # PostgreSQL NOTIFY channel: new jobs were committed
BUSY_TIMEOUT_MS = 30_000  # SQLite: how long a statement waits for a lock
LOCK_POLL_MS = 1  # SQLite: a writer tries for the write lock this often


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def incident_id_for(delivery_id: str) -> str:
    """Stable: the incident a delivery opens is named after it (a retry names it alike)."""
    return "inc-" + hashlib.sha256(delivery_id.encode()).hexdigest()[:16]


class SqlStore(b.Store):
    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.dialect = self.engine.dialect.name
        self._reader = self.engine.execution_options(read_only=True)
        self._derived = self.engine.execution_options(derived=True)
        path = self.engine.url.database if self.dialect == "sqlite" else None
        self._checkpoints = Checkpointer(path) if path and path != ":memory:" else None

    # schema --------------------------------------------------------------------
    def migrate(self, target: str = "heads") -> None:
        """Upgrade to ``target`` (every head: the layers' migrations branch from 0001)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":  # one migrating process at a time
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7305410)"))
                config.attributes["connection"] = conn
                command.upgrade(config, target)
        except OperationalError as exc:
            raise b.StoreUnavailable(f"cannot open {redact(self.url)}: {_reason(exc)}") from None

    def ping(self) -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise b.StoreUnavailable(_reason(exc)) from None

    def _tx(self) -> AbstractContextManager[Connection]:
        return transaction(self.engine)

    def _derived_tx(self) -> AbstractContextManager[Connection]:
        """A transaction writing only what can be derived again from the deliveries
        (SQLite: its commit does not wait for the disk, see the module's docstring)."""
        return transaction(self._derived)

    def _read(self) -> AbstractContextManager[Connection]:
        """A transaction that only looks (SQLite: no write lock)."""
        return transaction(self._reader)

    # the inbox -------------------------------------------------------------------
    def accept(self, items: Sequence[b.NewDelivery], *, dedupe_window_s: float
               ) -> list[b.Accepted]:
        """One query for the duplicates of the whole batch, then two bulk inserts, on the
        driver's cursor (the hot path of every acknowledgement: SQLAlchemy's statement
        handling cost more per delivery than SQLite's own work)."""
        if not items:
            return []
        with self._tx() as conn:
            try:
                return self._accept(conn, items, dedupe_window_s)
            except conn.dialect.loaded_dbapi.Error as exc:  # the driver's own errors
                raise b.StoreUnavailable(" ".join(str(exc).split())[:300]) from None

    def _accept(self, conn: Connection, items: Sequence[b.NewDelivery],
                dedupe_window_s: float) -> list[b.Accepted]:
        keyed = [_keys(item, dedupe_window_s) for item in items]
        wanted = list({key for _, key, candidates in keyed for key in candidates})
        mark = "?" if self.dialect == "sqlite" else "%s"
        as_json = mark if self.dialect == "sqlite" else f"CAST({mark} AS JSON)"
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("SELECT dedupe_key, id, received_at FROM deliveries WHERE "
                       f"dedupe_key IN ({', '.join([mark] * len(wanted))})", wanted)
        known: dict[str, tuple[str, float]] = {
            key: (found, at) for key, found, at in cursor.fetchall()}
        out: list[b.Accepted] = []
        new_rows: list[tuple[Any, ...]] = []
        for item, (sha, key, candidates) in zip(items, keyed, strict=True):
            found = next((known[c][0] for c in candidates if c in known and (
                c == key or item.received_at - known[c][1] <= dedupe_window_s)), None)
            if found is not None:
                out.append(b.Accepted(found, True))
                continue
            delivery_id = new_id("dlv")
            known[key] = (delivery_id, item.received_at)
            new_rows.append((delivery_id, item.source, item.received_at,
                             json.dumps(dict(item.headers)), item.body, sha,
                             item.vendor_id, key))
            out.append(b.Accepted(delivery_id, False))
        if new_rows:
            cursor.executemany(
                "INSERT INTO deliveries (id, source, received_at, headers, body, "
                "body_sha256, vendor_id, dedupe_key, status) VALUES "
                f"({mark}, {mark}, {mark}, {as_json}, {mark}, {mark}, {mark}, {mark}, "
                "'queued')", new_rows)
            cursor.executemany(
                "INSERT INTO jobs (delivery_id, available_at, attempts) VALUES "
                f"({mark}, {mark}, 0)", [(r[0], r[2]) for r in new_rows])
            if self.dialect == "postgresql":  # sent at commit: listening workers wake
                cursor.execute(f"NOTIFY {JOBS_CHANNEL}")
        cursor.close()
        return out

    # the queue ---------------------------------------------------------------------
    def claim(self, worker: str, *, limit: int, lease_s: float, now: float) -> list[b.Job]:
        ready = sa.or_(jobs.c.lease_until.is_(None), jobs.c.lease_until < now)
        pick = (sa.select(jobs.c.id).where(jobs.c.available_at <= now, ready)
                .order_by(jobs.c.id).limit(limit))
        if self.dialect == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (jobs.update().where(jobs.c.id.in_(pick.scalar_subquery()))
                .values(claimed_by=worker, lease_until=now + lease_s,
                        attempts=jobs.c.attempts + 1)
                .returning(jobs.c.id, jobs.c.delivery_id, jobs.c.attempts))
        with self._derived_tx() as conn:
            rows = conn.execute(stmt).all()
        return sorted((b.Job(r.id, r.delivery_id, r.attempts) for r in rows), key=lambda j: j.id)

    def renew(self, job: b.Job, worker: str, *, lease_s: float, now: float) -> bool:
        with self._derived_tx() as conn:
            changed = conn.execute(jobs.update().where(
                jobs.c.id == job.id, jobs.c.claimed_by == worker)
                .values(lease_until=now + lease_s)).rowcount
            if changed == 1:
                return True
            other = conn.execute(sa.select(jobs.c.claimed_by).where(jobs.c.id == job.id)
                                 ).first()
        return other is None  # gone: done (by this worker, a moment ago) and nothing to keep

    def release(self, job: b.Job, *, error: str | None, retry_at: float) -> None:
        with self._derived_tx() as conn:
            conn.execute(jobs.update().where(jobs.c.id == job.id).values(
                claimed_by=None, lease_until=None, available_at=retry_at, last_error=error))

    def reject(self, job: b.Job, reason: str, *, adapter: str | None, now: float) -> None:
        with self._derived_tx() as conn:
            conn.execute(deliveries.update().where(deliveries.c.id == job.delivery_id)
                         .values(status="failed", error=reason, adapter=adapter,
                                 processed_at=now))
            conn.execute(jobs.delete().where(jobs.c.id == job.id))

    def finish_linked(self, job: b.Job, *, now: float) -> bool:
        with self._derived_tx() as conn:
            linked = conn.execute(sa.select(incident_deliveries.c.incident_id).where(
                incident_deliveries.c.delivery_id == job.delivery_id)).first()
            if linked is None:
                return False
            conn.execute(deliveries.update().where(
                deliveries.c.id == job.delivery_id, deliveries.c.status == "queued")
                .values(status="processed", processed_at=now))
            conn.execute(jobs.delete().where(jobs.c.id == job.id))
        return True

    def complete(self, job: b.Job, triaged: b.Triaged) -> None:
        t = triaged
        values: dict[str, Any] = dict(
            services=t.services, status=t.status, title=t.title, severity=t.severity,
            top_cause=t.top_cause, started_at=t.started_at, updated_at=t.now,
            resolved_at=t.now if t.status == "resolved" else None,
            revision=t.expected_revision + 1)
        prepared = None
        if t.memory is not None:  # made before the transaction: it holds the write lock
            from .memory import prepare_records

            prepared = prepare_records([t.memory], now=t.now)
        try:
            with self._derived_tx() as conn:
                if t.new_incident:
                    conn.execute(incidents.insert().values(
                        id=t.incident_id, group_key=t.group_key, created_at=t.now, **values))
                else:
                    changed = conn.execute(incidents.update().where(
                        incidents.c.id == t.incident_id,
                        incidents.c.revision == t.expected_revision,
                        incidents.c.status == "open").values(**values)).rowcount
                    if changed != 1:
                        raise b.Conflict(f"incident {t.incident_id} changed meanwhile")
                conn.execute(incident_deliveries.insert().values(
                    incident_id=t.incident_id, delivery_id=t.delivery_id, linked_at=t.now))
                conn.execute(report_revisions.insert().values(
                    incident_id=t.incident_id, revision=t.expected_revision + 1,
                    report=t.report, delivery_count=t.delivery_count, created_at=t.now))
                if t.notifications:  # recorded with the revision they are about
                    from .outbox import record_planned

                    record_planned(conn, t.incident_id, t.expected_revision + 1,
                                   t.notifications, now=t.now)
                if prepared is not None:  # the incident's memory record, with the revision
                    from .memory import write_records

                    write_records(conn, prepared, now=t.now)
                conn.execute(deliveries.update().where(deliveries.c.id == t.delivery_id)
                             .values(status="processed", adapter=t.adapter, error=None,
                                     processed_at=t.now))
                conn.execute(jobs.delete().where(jobs.c.id == job.id))
        except IntegrityError:  # the same group opened, or the delivery linked, meanwhile
            raise b.Conflict(f"incident {t.incident_id} or delivery {t.delivery_id} "
                           "was written meanwhile") from None

    # reading -------------------------------------------------------------------------
    def delivery(self, delivery_id: str) -> b.Delivery | None:
        query = (sa.select(deliveries, incident_deliveries.c.incident_id)
                 .outerjoin(incident_deliveries,
                            incident_deliveries.c.delivery_id == deliveries.c.id)
                 .where(deliveries.c.id == delivery_id))
        with self._read() as conn:
            row = conn.execute(query).first()
        return _delivery(row._mapping) if row is not None else None

    def incident_deliveries(self, incident_id: str, *, bodies: bool = True
                            ) -> list[b.Delivery]:
        columns = [c for c in deliveries.c if bodies or c.name != "body"]
        query = (sa.select(*columns, incident_deliveries.c.incident_id)
                 .join(incident_deliveries,
                       incident_deliveries.c.delivery_id == deliveries.c.id)
                 .where(incident_deliveries.c.incident_id == incident_id)
                 .order_by(deliveries.c.received_at, deliveries.c.id))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [_delivery(r._mapping) for r in rows]

    def find_open_incident(self, *, group_key: str | None, services: Sequence[str],
                           since: float) -> b.IncidentRow | None:
        with self._read() as conn:
            if group_key is not None:
                row = conn.execute(sa.select(incidents).where(
                    incidents.c.status == "open", incidents.c.group_key == group_key)).first()
                if row is not None:
                    return _incident(row._mapping)
            if not services:
                return None
            rows = conn.execute(sa.select(incidents).where(
                incidents.c.status == "open", incidents.c.updated_at >= since)
                .order_by(incidents.c.updated_at.desc()).limit(200)).all()
        wanted = set(services)
        for row in rows:
            if wanted & set(row.services or ()):
                return _incident(row._mapping)
        return None

    def incident(self, incident_id: str) -> b.IncidentRow | None:
        with self._read() as conn:
            row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)
                               ).first()
        return _incident(row._mapping) if row is not None else None

    def incidents(self, *, status: str | None = None, service: str | None = None,
                  since: float | None = None, limit: int = 50) -> list[b.IncidentRow]:
        query = sa.select(incidents).order_by(incidents.c.updated_at.desc())
        if status is not None:
            query = query.where(incidents.c.status == status)
        if since is not None:
            query = query.where(incidents.c.updated_at >= since)
        with self._read() as conn:
            rows = conn.execute(query.limit(limit if service is None else 5000)).all()
        found = [_incident(r._mapping) for r in rows]
        if service is not None:
            found = [i for i in found if service in i.services][:limit]
        return found

    def revisions(self, incident_id: str) -> list[b.Revision]:
        with self._read() as conn:
            rows = conn.execute(sa.select(report_revisions).where(
                report_revisions.c.incident_id == incident_id)
                .order_by(report_revisions.c.revision)).all()
        return [b.Revision(r.incident_id, r.revision, r.report, r.delivery_count, r.created_at)
                for r in rows]

    def stats(self, *, now: float) -> b.Stats:
        stats = b.Stats()
        with self._read() as conn:
            for source, status, count in conn.execute(
                    sa.select(deliveries.c.source, deliveries.c.status, sa.func.count())
                    .group_by(deliveries.c.source, deliveries.c.status)):
                stats.deliveries[(source, status)] = int(count)
            depth, oldest = conn.execute(sa.select(sa.func.count(), sa.func.min(
                jobs.c.available_at))).one()
            stats.queue_depth = int(depth)
            stats.oldest_job_age_s = max(0.0, now - oldest) if oldest is not None else 0.0
            stats.open_incidents = int(conn.execute(sa.select(sa.func.count()).where(
                incidents.c.status == "open")).scalar_one())
        return stats

    def listen_for_jobs(self, wake: Callable[[], None], stop: threading.Event) -> bool:
        """On PostgreSQL, a thread that ``LISTEN``s on the jobs channel (its own
        connection, reconnecting after a failure) and calls ``wake`` on every
        notification; SQLite cannot tell other processes (False: they poll)."""
        if self.dialect != "postgresql":
            return False
        url = self.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False)
        threading.Thread(target=_listen, args=(url, wake, stop), name="opsagent-listen",
                         daemon=True).start()
        return True

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.engine.dispose()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction; a database failure is :class:`StoreUnavailable` (an integrity
    error passes through, the caller knows what it means)."""
    try:
        with engine.begin() as conn:
            yield conn
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise b.StoreUnavailable(_reason(exc)) from None


def _listen(url: str, wake: Callable[[], None], stop: threading.Event) -> None:
    import psycopg

    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f"LISTEN {JOBS_CHANNEL}")
                wake()  # jobs committed while this was not listening
                while not stop.is_set():
                    for _ in conn.notifies(timeout=1.0):
                        wake()
        except psycopg.Error:  # the server went away: poll meanwhile, listen again soon
            stop.wait(2.0)


def _keys(item: b.NewDelivery, window: float) -> tuple[str, str, list[str]]:
    """The body's hash, the delivery's dedupe key, and the keys a duplicate would have:
    the vendor's delivery id, else the body in this window bucket or the one before."""
    sha = hashlib.sha256(item.body).hexdigest()
    if item.vendor_id:
        key = f"id:{item.source}:{item.vendor_id}"
        return sha, key, [key]
    bucket = int(item.received_at // window) if window > 0 else 0
    key = f"body:{item.source}:{sha}:{bucket}"
    return sha, key, [key, f"body:{item.source}:{sha}:{bucket - 1}"]


def _delivery(m: Any) -> b.Delivery:
    return b.Delivery(id=m["id"], source=m["source"], received_at=m["received_at"],
                    headers=dict(m["headers"] or {}), body=bytes(m.get("body") or b""),
                    body_sha256=m["body_sha256"], vendor_id=m["vendor_id"],
                    status=m["status"], error=m["error"], adapter=m["adapter"],
                    incident_id=m.get("incident_id"))


def _incident(m: Any) -> b.IncidentRow:
    return b.IncidentRow(id=m["id"], group_key=m["group_key"], services=list(m["services"]),
                       status=m["status"], title=m["title"], severity=m["severity"],
                       top_cause=m["top_cause"], started_at=m["started_at"],
                       created_at=m["created_at"], updated_at=m["updated_at"],
                       resolved_at=m["resolved_at"], revision=m["revision"])


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    return " ".join(str(original).split())[:300]


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def make_engine(url: str) -> Engine:
    """An engine for ``sqlite:///PATH`` or ``postgresql://…`` (psycopg 3)."""
    try:
        parsed = sa.make_url(url)
    except Exception:
        raise ConfigError(f"not a database URL: {redact(url)!r}; expected sqlite:///PATH or "
                          "postgresql://…", field="--database") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise ConfigError(f"unsupported database {backend!r}; expected sqlite:///PATH or "
                      "postgresql://…", field="--database")


def _sqlite_engine(url: sa.URL) -> Engine:
    path = url.database
    if path and path != ":memory:":
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise ConfigError(f"directory {parent} does not exist", field="--database")
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # SQLAlchemy's begin event emits BEGIN itself
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # the begin event sets it per transaction
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # no commit checkpoints the WAL itself: a Checkpointer thread does, off the
        # commit path (an inline checkpoint made one commit in a few hundred wait ~30 ms)
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        sync = "NORMAL" if options.get("derived") else "FULL"
        if conn.connection.info.get("synchronous") != sync:  # per connection, kept
            conn.exec_driver_sql(f"PRAGMA synchronous={sync}")
            conn.connection.info["synchronous"] = sync
        # lookups that write nothing (read_only=True) do not take the write lock
        if options.get("read_only"):
            conn.exec_driver_sql("BEGIN")
        elif not _begin_immediate(conn.connection.driver_connection):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last try, errors as usual

    return engine


def _begin_immediate(dbapi: Any) -> bool:
    """``BEGIN IMMEDIATE``, trying every ``LOCK_POLL_MS`` for up to the busy timeout
    (SQLite sleeps that long per try, the interpreter's lock released); False when the
    lock stayed taken."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    dbapi.execute(f"PRAGMA busy_timeout={LOCK_POLL_MS}")
    try:
        while time.monotonic() < deadline:
            try:
                dbapi.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
        return False
    finally:
        dbapi.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


class Checkpointer:
    """Checkpoints an SQLite database's WAL into the database file from a thread of its
    own (``PASSIVE``: it never waits for, nor blocks, readers and writers), every
    ``interval_s`` while the store is open, and once more when it closes. Commits then
    only append to the WAL and sync it. A process killed meanwhile loses nothing: the
    WAL is the durable copy, and the next opener checkpoints it."""

    def __init__(self, path: str, *, interval_s: float = 0.25) -> None:
        self.path = path
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opsagent-checkpoint",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=0")
            while not self._stop.wait(self.interval_s):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    @staticmethod
    def _checkpoint(conn: Any) -> None:
        import sqlite3

        try:  # a read first: a connection opened before the file was in WAL mode learns
            conn.execute("PRAGMA schema_version").fetchall()  # it so, then checkpoints
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:  # busy, or the file went away: the next round tries again
            pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
