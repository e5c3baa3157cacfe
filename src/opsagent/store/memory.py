"""Incident memory in the history database: a record per incident, feedback on its
causes, a full-text index, candidates for a new incident, and retention.

The record is what :meth:`Triager.remember` returns (services, alert names, the
engine's features, the ranked causes, the summary, the onset). Candidates for a new
incident are the stored incidents sharing a service key or an alert name (the most
recent ones, through ``memory_keys``, and those with a confirmed cause however old)
plus the full-text top N over
:func:`~opsagent.memory.search_text` (SQLite FTS5 ``bm25()``, PostgreSQL ``ts_rank``
over a ``tsvector`` column with a GIN index), their scores brought to [0, 1] by
:func:`~opsagent.memory.normalize_text_rank`. Feedback rows are kept as given; a later
word on a cause supersedes an earlier one when they are read (``PastIncident.verdicts``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..memory import normalize_text_rank, search_terms, search_text
from ..models import Feedback, PastIncident, Verdict
from ..names import service_key
from .base import Store
from .schema import (
    deliveries,
    incident_deliveries,
    incidents,
    jobs,
    metadata,
    notifications,
    report_revisions,
)

memory = sa.Table(
    "memory", metadata,
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("started_at", sa.Float),
    sa.Column("recorded_at", sa.Float, nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # JSON: the lists of RECORD_FIELDS
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),
    # PostgreSQL also has search_vector tsvector (GIN); SQLite the FTS5 table memory_fts
)

memory_keys = sa.Table(  # "s:<service key>" and "a:<alert name>" → incident
    "memory_keys", metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("started_at", sa.Float),
)

memory_words = sa.Table(  # how many memory records hold each word of search_text
    "memory_words", metadata,
    sa.Column("word", sa.String(200), primary_key=True),
    sa.Column("docs", sa.Integer, nullable=False),
)

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("cause", sa.String(64), nullable=False),
    sa.Column("verdict", sa.String(8), nullable=False),
    sa.Column("by", sa.String(200)),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("resolution", sa.Text),
)

RECORD_FIELDS = ("services", "alerts", "features", "categories", "failure_modes")
KEY_CANDIDATES = 60  # the most recent incidents sharing a service or an alert
TEXT_CANDIDATES = 20  # the full-text top N
CONFIRMED_CANDIDATES = 20  # incidents with a confirmed cause sharing a service or an alert
COMMON_WORD = 500  # a word in more stored incidents than this distinguishes none
SEARCH_WORDS = 8  # a search asks for the rarest words, at most this many
_COUNT_WORDS = sa.text(
    "INSERT INTO memory_words (word, docs) VALUES (:word, :docs) ON CONFLICT (word) "
    "DO UPDATE SET docs = memory_words.docs + excluded.docs")
PRUNE_BATCH = 200  # incidents deleted per transaction


@dataclass(frozen=True)
class Candidates:
    """Past incidents to compare a new one with, and their full-text scores in [0, 1]."""

    past: list[PastIncident]
    text_rank: dict[str, float]


@dataclass(frozen=True)
class FeedbackEntry:
    incident_id: str
    cause: str
    verdict: str
    by: str | None
    at: float
    note: str
    resolution: str | None


@dataclass(frozen=True)
class Recorded:
    """An analysis recorded from the command line: the incident and its new revision."""

    incident_id: str
    revision: int


def keys_of(record: PastIncident) -> list[str]:
    """The lookup keys of an incident: its service keys and its alert names."""
    out: dict[str, None] = {}
    for name in record.services:
        key = service_key(name)
        if key:
            out.setdefault(f"s:{key}"[:300], None)
    for name in record.alerts:
        key = " ".join(name.lower().split())
        if key:
            out.setdefault(f"a:{key}"[:300], None)
    return list(out)


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, timezone.utc) if value is not None else None


class MemoryStore:
    """Memory on the store's database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def of(cls, store: Store) -> MemoryStore | None:
        """The memory of a SQL store; None for a store without a database engine."""
        engine = getattr(store, "engine", None)
        return cls(engine) if isinstance(engine, Engine) else None

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection for lookups: on SQLite a deferred transaction, which does not hold
        the write lock that the service's writers wait for."""
        with self.engine.connect() as conn:
            reading = conn.execution_options(read_only=True)
            with reading.begin():  # the driver's cursor reads in this transaction
                yield reading

    # writing ---------------------------------------------------------------------
    def record(self, record: PastIncident, *, now: float | None = None) -> None:
        """Store or refresh the memory record of one incident."""
        self.record_many([record], now=now)

    def record_many(self, records: Sequence[PastIncident], *, now: float | None = None
                    ) -> None:
        """Store or refresh many records in one transaction (bulk inserts)."""
        if records:
            with self.engine.begin() as conn:
                write_records(conn, records, now=time.time() if now is None else now)

    def record_missing(self, records: Sequence[PastIncident], *, now: float | None = None
                       ) -> int:
        """Store the records of incidents that have none yet (in one transaction; an
        incident recorded meanwhile keeps its record). Returns how many were written."""
        with self.engine.begin() as conn:
            have = {row[0] for chunk in _chunks([r.id for r in records])
                    for row in conn.execute(sa.select(memory.c.incident_id)
                                            .where(memory.c.incident_id.in_(chunk)))}
            missing = [r for r in records if r.id not in have]
            if missing:
                write_records(conn, missing, now=time.time() if now is None else now)
        return len(missing)

    def unremembered(self, *, limit: int) -> list[str]:
        """Incidents without a memory record (stored before there was memory), the most
        recently updated first."""
        with self._reading() as conn:
            return [r[0] for r in conn.execute(
                sa.select(incidents.c.id).where(_unremembered())
                .order_by(incidents.c.updated_at.desc(), incidents.c.id).limit(limit))]

    def unremembered_count(self) -> int:
        with self._reading() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(incidents)
                                    .where(_unremembered())).scalar_one())

    def add_feedback(self, incident_id: str, *, cause: str, verdict: str, by: str | None,
                     note: str = "", resolution: str | None = None,
                     at: float | None = None) -> FeedbackEntry:
        entry = FeedbackEntry(incident_id, cause, verdict, by,
                              time.time() if at is None else at, note, resolution)
        with self.engine.begin() as conn:
            conn.execute(feedback.insert().values(
                incident_id=incident_id, cause=cause, verdict=verdict, by=by, at=entry.at,
                note=note, resolution=resolution))
        return entry

    # reading ---------------------------------------------------------------------
    def feedback(self, incident_id: str) -> list[FeedbackEntry]:
        """The feedback on one incident, oldest first."""
        return self._feedback([incident_id]).get(incident_id, [])

    def past(self, incident_id: str) -> PastIncident | None:
        found = self._load([incident_id])
        return found[0] if found else None

    def candidates(self, probe: PastIncident, *, key_limit: int = KEY_CANDIDATES,
                   text_limit: int = TEXT_CANDIDATES) -> Candidates:
        """The stored incidents to compare ``probe`` with (never ``probe`` itself)."""
        keys = keys_of(probe)
        ids: dict[str, None] = {}
        rows: dict[str, tuple[Any, ...]] = {}
        with self._reading() as conn:
            if keys and key_limit > 0:
                # per key, the most recent ones (an index range read backwards), then the
                # most recent of them all, read with their records in the same statement
                for row in _driver(conn, self._recent_sql(len(keys)),
                                   [v for key in keys for v in (key, probe.id, key_limit)]
                                   + [key_limit]):
                    ids[row[0]] = None
                    rows[row[0]] = row
                # however old: the ones people confirmed a cause of
                for (incident_id,) in _driver(
                        conn, "SELECT DISTINCT k.incident_id FROM memory_keys k JOIN feedback f"
                        " ON f.incident_id = k.incident_id WHERE f.verdict = 'correct' AND "
                        f"k.key IN ({_marks(keys)}) AND k.incident_id <> ? LIMIT ?",
                        [*keys, probe.id, CONFIRMED_CANDIDATES]):
                    ids.setdefault(incident_id, None)
            raw = self._text_search(conn, search_terms(probe), text_limit + 1) \
                if text_limit > 0 else {}
            raw.pop(probe.id, None)
            raw = dict(sorted(raw.items(), key=lambda item: -item[1])[:text_limit])
            ranks = normalize_text_rank(raw)
            for incident_id in ranks:
                ids.setdefault(incident_id, None)
            return Candidates(self._load(list(ids), conn, rows), ranks)

    def _recent_sql(self, keys: int) -> str:
        """The records of the most recent incidents sharing one of ``keys`` keys (ties in
        onset broken by the greater id, as Python orders strings)."""
        one = ("SELECT * FROM (SELECT started_at, incident_id FROM memory_keys WHERE key = ?"
               " AND incident_id <> ? ORDER BY started_at DESC LIMIT ?) AS k")
        by_id = 'incident_id COLLATE "C"' if self.dialect == "postgresql" else "incident_id"
        return ("SELECT m.incident_id, m.started_at, m.summary, m.record FROM memory m JOIN "
                "(SELECT incident_id, max(coalesce(started_at, 0)) AS s FROM ("
                + " UNION ALL ".join([one] * keys) + f") AS u GROUP BY incident_id ORDER BY s"
                f" DESC, {by_id} DESC LIMIT ?) AS t ON t.incident_id = m.incident_id "
                f"ORDER BY t.s DESC, t.{by_id} DESC")

    def search(self, text: str, *, limit: int = 20) -> list[tuple[str, float]]:
        """Incident ids matching any word of ``text``, best first, with scores in [0, 1]."""
        probe = PastIncident(id="-", summary=text)
        with self._reading() as conn:
            raw = self._text_search(conn, search_terms(probe, limit=64), limit)
        ranks = normalize_text_rank(raw)
        return sorted(ranks.items(), key=lambda item: (-item[1], item[0]))

    def confirmed(self) -> list[str]:
        """The ids of incidents with a cause confirmed correct (and not withdrawn)."""
        with self._reading() as conn:
            ids = [r[0] for r in conn.execute(
                sa.select(feedback.c.incident_id).where(feedback.c.verdict == "correct")
                .distinct().order_by(feedback.c.incident_id))]
        standing = self._feedback(ids)
        return [i for i in ids if confirmed_cause(standing.get(i, [])) is not None]

    def _text_search(self, conn: Connection, words: list[str], limit: int
                     ) -> dict[str, float]:
        if not words:
            return {}
        words = _distinctive(conn, words)
        if not words:
            return {}
        if self.dialect == "sqlite":
            query = " OR ".join(f'"{w}"' for w in words)
            # ranked on rowids alone, then the few ids read: reading each match's id
            # before the ranking costs a third more
            rows = _driver(conn, "SELECT f.incident_id, t.r FROM (SELECT rowid AS id, "
                           "bm25(memory_fts) AS r FROM memory_fts WHERE memory_fts MATCH ? "
                           "ORDER BY r LIMIT ?) AS t JOIN memory_fts f ON f.rowid = t.id "
                           "ORDER BY t.r", (query, limit))
            return {r[0]: -float(r[1]) for r in rows}  # bm25(): lower is better
        rows = _driver(conn, "SELECT incident_id, ts_rank(search_vector, q) AS r FROM memory, "
                       "to_tsquery('simple', ?) AS q WHERE search_vector @@ q "
                       "ORDER BY r DESC, incident_id LIMIT ?", (" | ".join(words), limit))
        return {r[0]: float(r[1]) for r in rows}

    def _load(self, ids: Sequence[str], conn: Connection | None = None,
              rows: dict[str, tuple[Any, ...]] | None = None) -> list[PastIncident]:
        """The past incidents ``ids`` (``rows``: their memory rows already read)."""
        if not ids:
            return []
        if conn is None:
            with self._reading() as own:
                return self._load(ids, own, rows)
        rows = dict(rows or {})
        for chunk in _chunks([i for i in ids if i not in rows]):
            for row in _driver(conn, "SELECT incident_id, started_at, summary, record FROM "
                               f"memory WHERE incident_id IN ({_marks(chunk)})", chunk):
                rows[row[0]] = row
        said = self._feedback(list(rows), conn)
        found = [rows[i] for i in ids if i in rows]
        # the records' JSON decoded in one call: a call each costs as much again
        decoded: list[dict[str, list[str]]] = json.loads(
            "[" + ",".join(row[3] for row in found) + "]")
        out = []
        for (incident_id, started_at, summary, _), lists in zip(found, decoded, strict=True):
            entries = said.get(incident_id)
            given, resolution = _as_past_feedback(entries) if entries else ([], [])
            out.append(_past({
                "id": incident_id, "started_at": _dt(started_at),
                "services": lists.get("services", []), "alerts": lists.get("alerts", []),
                "summary": summary, "features": lists.get("features", []),
                "categories": lists.get("categories", []),
                "failure_modes": lists.get("failure_modes", []), "feedback": given,
                "resolution": resolution[0] if resolution else None}))
        return out

    def _feedback(self, ids: Sequence[str], conn: Connection | None = None
                  ) -> dict[str, list[FeedbackEntry]]:
        out: dict[str, list[FeedbackEntry]] = {}
        if not ids:
            return out
        if conn is None:
            with self._reading() as own:
                return self._feedback(ids, own)
        for chunk in _chunks(ids):
            for row in _driver(conn, 'SELECT incident_id, cause, verdict, "by", at, note, '
                               f"resolution FROM feedback WHERE incident_id IN ({_marks(chunk)})"
                               " ORDER BY at, id", chunk):
                out.setdefault(row[0], []).append(FeedbackEntry(*row))
        return out

    # the command line's records ------------------------------------------------------
    def record_analysis(self, *, incident_id: str, title: str, services: list[str],
                        status: str, severity: str, top_cause: str | None,
                        started_at: float | None, report: dict[str, Any],
                        payloads: Iterable[tuple[str, bytes]], now: float,
                        record: PastIncident | None = None) -> Recorded:
        """An incident analysed by ``opsagent analyze --history``: the incident (a new
        revision when the same incident is analysed again), its payloads as deliveries
        of source ``auto`` (so the service could read them too), the report and, in the
        same transaction, its memory ``record``."""
        values: dict[str, Any] = dict(services=services, status=status, title=title,
                                      severity=severity, top_cause=top_cause,
                                      started_at=started_at, updated_at=now,
                                      resolved_at=now if status == "resolved" else None)
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(incidents.c.revision).where(
                incidents.c.id == incident_id)).first()
            revision = 1 if found is None else found.revision + 1
            if found is None:
                conn.execute(incidents.insert().values(
                    id=incident_id, group_key=None, created_at=now, revision=revision,
                    **values))
            else:
                conn.execute(incidents.update().where(incidents.c.id == incident_id)
                             .values(revision=revision, **values))
            count = 0
            for name, body in payloads:
                sha = hashlib.sha256(body).hexdigest()
                key = f"cli:{incident_id}:{sha}"
                count += 1
                if conn.execute(sa.select(deliveries.c.id).where(
                        deliveries.c.dedupe_key == key)).first() is not None:
                    continue
                delivery_id = "dlv-" + hashlib.sha256(key.encode()).hexdigest()[:20]
                conn.execute(deliveries.insert().values(
                    id=delivery_id, source="auto", received_at=now,
                    headers={"recorded-by": "opsagent analyze", "file": name}, body=body,
                    body_sha256=sha, vendor_id=None, dedupe_key=key, status="processed",
                    error=None, adapter=None, processed_at=now))
                conn.execute(incident_deliveries.insert().values(
                    incident_id=incident_id, delivery_id=delivery_id, linked_at=now))
            conn.execute(report_revisions.insert().values(
                incident_id=incident_id, revision=revision, report=report,
                delivery_count=count, created_at=now))
            if record is not None:
                write_records(conn, [record], now=now)
        return Recorded(incident_id, revision)

    # retention -----------------------------------------------------------------------
    def prune(self, *, now: float, retention_days: float, max_incidents: int,
              batch: int = PRUNE_BATCH, max_batches: int = 5) -> int:
        """Delete incidents not updated within ``retention_days``, then the oldest beyond
        ``max_incidents``: at most ``max_batches`` small transactions of ``batch``
        incidents each, so no writer waits long. Returns how many were deleted; a caller
        with more to delete calls again later."""
        cutoff = now - retention_days * 86400.0
        deleted = 0
        for _ in range(max_batches):
            with self._reading() as conn:
                ids = [r[0] for r in conn.execute(
                    sa.select(incidents.c.id).where(incidents.c.updated_at < cutoff)
                    .order_by(incidents.c.updated_at).limit(batch))]
                if not ids:
                    total = int(conn.execute(sa.select(sa.func.count())
                                             .select_from(incidents)).scalar_one())
                    over = total - max_incidents
                    if over > 0:
                        ids = [r[0] for r in conn.execute(
                            sa.select(incidents.c.id).order_by(incidents.c.updated_at,
                                                               incidents.c.id)
                            .limit(min(batch, over)))]
            if not ids:
                break
            self._delete(ids)
            deleted += len(ids)
        return deleted

    def _delete(self, ids: list[str]) -> None:
        with self.engine.begin() as conn:
            linked = [r[0] for r in conn.execute(sa.select(incident_deliveries.c.delivery_id)
                                                 .where(incident_deliveries.c.incident_id
                                                        .in_(ids)))]
            _count_words(conn, [], _old_texts(conn, ids))
            for table in (feedback, memory_keys, memory, notifications, report_revisions,
                          incident_deliveries):
                conn.execute(table.delete().where(table.c.incident_id.in_(ids)))
            if self.dialect == "sqlite":
                conn.execute(sa.text("DELETE FROM memory_fts WHERE incident_id IN ("
                                     + ",".join(f":i{n}" for n in range(len(ids))) + ")"),
                             {f"i{n}": v for n, v in enumerate(ids)})
            for chunk in _chunks(linked):
                conn.execute(jobs.delete().where(jobs.c.delivery_id.in_(chunk)))
                conn.execute(deliveries.delete().where(deliveries.c.id.in_(chunk)))
            conn.execute(incidents.delete().where(incidents.c.id.in_(ids)))


def _unremembered() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(memory.c.incident_id == incidents.c.id)


@dataclass(frozen=True)
class PreparedRecords:
    """Memory records as rows, made before the transaction that writes them (the service
    writes them while it holds SQLite's one write lock, which acknowledgements wait for)."""

    ids: list[str]
    rows: list[dict[str, Any]]
    keys: list[dict[str, Any]]


def prepare_records(records: Sequence[PastIncident], *, now: float) -> PreparedRecords:
    rows = [dict(incident_id=r.id, started_at=_ts(r.started_at), recorded_at=now,
                 record=json.dumps({k: list(getattr(r, k)) for k in RECORD_FIELDS},
                                   ensure_ascii=False, separators=(",", ":")),
                 summary=r.summary, search_text=search_text(r)) for r in records]
    keys = [dict(key=key, incident_id=r.id, started_at=_ts(r.started_at))
            for r in records for key in keys_of(r)]
    return PreparedRecords([r.id for r in records], rows, keys)


def write_records(conn: Connection, records: Sequence[PastIncident] | PreparedRecords, *,
                  now: float) -> None:
    """Store or refresh memory records in the caller's transaction: the service writes
    an incident's record with its report revision, so neither is ever kept without the
    other. ``records`` may be prepared beforehand (:func:`prepare_records`)."""
    prepared = (records if isinstance(records, PreparedRecords)
                else prepare_records(records, now=now))
    ids, rows, keys = prepared.ids, prepared.rows, prepared.keys
    sqlite = conn.dialect.name == "sqlite"
    _count_words(conn, [str(r["search_text"]) for r in rows], _old_texts(conn, ids))
    for chunk in _chunks(ids):
        conn.execute(memory_keys.delete().where(memory_keys.c.incident_id.in_(chunk)))
        conn.execute(memory.delete().where(memory.c.incident_id.in_(chunk)))
        if sqlite:
            conn.execute(sa.text("DELETE FROM memory_fts WHERE incident_id IN "
                                 "(" + ",".join(f":i{n}" for n in range(len(chunk))) + ")"),
                         {f"i{n}": v for n, v in enumerate(chunk)})
    conn.execute(memory.insert(), rows)
    if keys:
        conn.execute(memory_keys.insert(), keys)
    if sqlite:
        conn.execute(sa.text("INSERT INTO memory_fts (incident_id, body) "
                             "VALUES (:incident_id, :search_text)"),
                     [{"incident_id": r["incident_id"], "search_text": r["search_text"]}
                      for r in rows])
        return
    for chunk in _chunks(ids):
        conn.execute(sa.text("UPDATE memory SET search_vector = to_tsvector('simple', "
                             "search_text) WHERE incident_id = ANY(:ids)"),
                     {"ids": list(chunk)})


def _distinctive(conn: Connection, words: list[str]) -> list[str]:
    """The rarest :data:`SEARCH_WORDS` words held by at most :data:`COMMON_WORD`
    records: the others would make a search rank much of the history and distinguish
    little (the cost of a search stays bounded however large the history grows)."""
    counts: dict[str, int] = dict(_driver(
        conn, f"SELECT word, docs FROM memory_words WHERE word IN ({_marks(words)})", words))
    rare = sorted((counts.get(w, 0), index, w) for index, w in enumerate(words)
                  if counts.get(w, 0) <= COMMON_WORD)
    return [w for _, _, w in rare[:SEARCH_WORDS]]


def _old_texts(conn: Connection, ids: Sequence[str]) -> list[str]:
    out: list[str] = []
    for chunk in _chunks(ids):
        out.extend(r[0] for r in conn.execute(sa.select(memory.c.search_text).where(
            memory.c.incident_id.in_(chunk))))
    return out


def _count_words(conn: Connection, added: Sequence[str], removed: Sequence[str]) -> None:
    """Keep ``memory_words`` in step with the records written and deleted."""
    delta: Counter[str] = Counter()
    for text in added:
        delta.update(w for w in set(text.split()) if len(w) <= 200)
    for text in removed:
        delta.subtract(w for w in set(text.split()) if len(w) <= 200)
    changes = [{"word": w, "docs": n} for w, n in sorted(delta.items()) if n]
    if changes:
        conn.execute(_COUNT_WORDS, changes)


def confirmed_cause(entries: Sequence[FeedbackEntry]) -> str | None:
    """The cause confirmed correct by the feedback that stands, or None."""
    given, _ = _as_past_feedback(entries)
    return PastIncident.model_construct(id="-", feedback=given).confirmed_cause


def _as_past_feedback(entries: Sequence[FeedbackEntry]
                      ) -> tuple[list[Feedback], list[str]]:
    """Feedback as the engine reads it, and the resolution (the latest one given)."""
    given = [Feedback.model_construct(cause=e.cause, verdict=_verdict(e.verdict), by=e.by,
                                      at=_dt(e.at), note=e.note) for e in entries]
    resolutions = [e.resolution for e in entries if e.resolution]
    return given, resolutions[-1:]


_PAST_FIELDS = frozenset(PastIncident.model_fields)


def _past(values: dict[str, Any]) -> PastIncident:
    """A past incident from a stored record, every field given and already valid: what
    ``model_construct`` builds, without its per-field work (about 20 µs a record, and a
    lookup reads a hundred)."""
    past = PastIncident.__new__(PastIncident)
    object.__setattr__(past, "__dict__", values)
    object.__setattr__(past, "__pydantic_fields_set__", _PAST_FIELDS)
    object.__setattr__(past, "__pydantic_extra__", None)
    object.__setattr__(past, "__pydantic_private__", None)
    return past


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


def _driver(conn: Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """A lookup run on the driver's own cursor, for the ones made before every triage: a
    statement through SQLAlchemy costs about 50 µs more, and each row 3 µs (``?`` marks
    the parameters; psycopg's are ``%s``)."""
    if conn.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _verdict(value: str) -> Verdict:
    return "correct" if value == "correct" else "wrong"


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
