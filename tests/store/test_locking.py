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
