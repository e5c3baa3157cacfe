"""Commit, then acknowledge: one writer thread stores deliveries in batches.

Requests hand their delivery to the writer and wait; the writer takes everything queued
(up to a batch) and commits it in one transaction, so many concurrent deliveries share
one disk sync. A request is answered only after its transaction committed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from ..store import Accepted, NewDelivery, Store, StoreUnavailable
from .logs import JsonLog

_STOP = object()


class Inbox:
    def __init__(self, store: Store, *, dedupe_window_s: float, log: JsonLog,
                 on_stored: Callable[[], None] = lambda: None, batch: int = 256) -> None:
        self.store = store
        self.dedupe_window_s = dedupe_window_s
        self.log = log
        self.on_stored = on_stored
        self.batch = batch
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="opsagent-inbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, item: NewDelivery) -> Future[Accepted]:
        future: Future[Accepted] = Future()
        self._queue.put((item, future))
        return future

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            pending = [first]
            while len(pending) < self.batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stopping = True
                    break
                pending.append(more)
            self._write(pending)

    def _write(self, pending: list[object]) -> None:
        items = [p[0] for p in pending]  # type: ignore[index]
        futures: list[Future[Accepted]] = [p[1] for p in pending]  # type: ignore[index]
        try:
            results = self.store.accept(items, dedupe_window_s=self.dedupe_window_s)
        except Exception as exc:  # nothing of the batch is stored: every sender retries
            reason = str(exc) if isinstance(exc, StoreUnavailable) else type(exc).__name__
            self.log.event("store_failed", "error", reason=reason, deliveries=len(items))
            for future in futures:
                future.set_exception(StoreUnavailable(reason))
            return
        for future, result in zip(futures, results, strict=True):
            future.set_result(result)
        self.on_stored()
        self.log.events([("delivery", "info", {
            "source": item.source, "delivery": result.delivery_id,
            "duplicate": result.duplicate, "bytes": len(item.body)})
            for item, result in zip(items, results, strict=True)])
