"""SQLite with two writing processes (serve's inbox and its worker process): a commit
waiting for the write lock gets it as soon as it is free, and lookups never wait for it."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from opsagent.plugins import default_registry
from opsagent.store import NewDelivery, open_store

HOLD_S = 0.185  # SQLite's own busy handler would try again only at 0.228 s


def _hold_write_lock(path: Path, held: threading.Event, released: list[float]) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(HOLD_S)
        conn.execute("COMMIT")
        released.append(time.monotonic())


def test_a_writer_gets_the_lock_within_milliseconds_of_its_release(tmp_path: Path) -> None:
    path = tmp_path / "opsagent.db"
    store = open_store(f"sqlite:///{path}", default_registry())
    try:
        store.accept([NewDelivery("auto", b'{"n": 0}', {}, 1_800_000_000.0)],
                     dedupe_window_s=600)
        held, released = threading.Event(), []
        other = threading.Thread(target=_hold_write_lock, args=(path, held, released))
        other.start()
        held.wait(5)
        started = time.monotonic()
        assert store.stats(now=1_800_000_001.0).queue_depth == 1  # a lookup: no waiting
        assert time.monotonic() - started < 0.1
        store.accept([NewDelivery("auto", b'{"n": 1}', {}, 1_800_000_002.0)],
                     dedupe_window_s=600)
        stored = time.monotonic()
        other.join()
        assert stored - released[0] < 0.03, f"waited {stored - released[0]:.3f} s too long"
        assert store.stats(now=1_800_000_003.0).queue_depth == 2
    finally:
        store.close()


def test_deliveries_commit_with_a_full_sync_and_derived_writes_without(tmp_path: Path
                                                                      ) -> None:
    """What a sender was acknowledged for waits for the disk; a claim (derived, done
    again after a power loss) does not, even on the same pooled connection."""
    from sqlalchemy import event

    store = open_store(f"sqlite:///{tmp_path / 'opsagent.db'}", default_registry())
    statements: list[tuple[int, str]] = []
    try:
        @event.listens_for(store.engine, "connect")  # type: ignore[attr-defined]
        def _trace(dbapi: sqlite3.Connection, _record: object) -> None:
            dbapi.set_trace_callback(lambda sql: statements.append((id(dbapi), sql)))

        store.engine.dispose()  # type: ignore[attr-defined]
        for n in range(3):
            store.accept([NewDelivery("auto", f'{{"n": {n}}}'.encode(), {}, 1.8e9 + n)],
                         dedupe_window_s=600)
            assert store.claim("w", limit=1, lease_s=30, now=1.8e9 + n + 0.5)
        sync: dict[int, str] = {}
        seen: dict[str, set[str]] = {"deliveries": set(), "claims": set()}
        for conn, sql in statements:
            if sql.upper().startswith("PRAGMA SYNCHRONOUS="):
                sync[conn] = sql.split("=", 1)[1].strip().upper()
            elif sql.startswith("INSERT INTO deliveries"):
                seen["deliveries"].add(sync.get(conn, "FULL"))
            elif sql.startswith("UPDATE jobs SET") and "claimed_by=" in sql:
                seen["claims"].add(sync.get(conn, "FULL"))
        assert seen == {"deliveries": {"FULL"}, "claims": {"NORMAL"}}
        assert len({conn for conn, _ in statements}) == 1  # the same connection throughout
    finally:
        store.close()
