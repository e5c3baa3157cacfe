"""SQLite's WAL reaches the database file from the store's checkpoint thread, not from
the commits that acknowledge deliveries."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from opsagent.plugins import default_registry
from opsagent.store import NewDelivery, open_store

T0 = 1_800_000_000.0


def _deliveries(count: int, size: int) -> list[NewDelivery]:
    return [NewDelivery("auto", b'{"n": %d, "pad": "%s"}' % (n, b"x" * size), {}, T0 + n)
            for n in range(count)]


def test_commits_append_to_the_wal_and_a_thread_checkpoints_it(tmp_path: Path) -> None:
    path = tmp_path / "opsagent.db"
    store = open_store(f"sqlite:///{path}", default_registry())
    try:
        before = path.stat().st_size
        for n in range(0, 400, 20):  # ~1,600 pages of WAL: an inline checkpoint was due
            store.accept(_deliveries(400, 16_000)[n:n + 20], dedupe_window_s=600)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and path.stat().st_size < before + 400 * 16_000:
            time.sleep(0.05)
        assert path.stat().st_size >= before + 400 * 16_000  # the rows are in the file
    finally:
        store.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone() == (400,)


def test_no_commit_checkpoints_by_itself(tmp_path: Path) -> None:
    path = tmp_path / "opsagent.db"
    store = open_store(f"sqlite:///{path}", default_registry())
    try:
        engine = store.engine  # type: ignore[attr-defined]
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        store.close()
