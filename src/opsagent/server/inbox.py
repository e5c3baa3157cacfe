"""Commit, then acknowledge: one writer thread stores deliveries in batches.

Requests hand their delivery to the writer and wait; the writer takes everything queued
(up to a batch) and commits it in one transaction, so many concurrent deliveries share
one disk sync. A request is answered only after its transaction committed.

The writer hands a batch's outcomes back to the event loop in one call (one wake-up of
the loop per batch, not per delivery), and writes the batch's log lines only after the
requests have their answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable

from ..store import Accepted, NewDelivery, Store, StoreUnavailable
from .logs import JsonLog

_STOP = object()
_Pending = tuple[NewDelivery, "asyncio.Future[Accepted]", asyncio.AbstractEventLoop]


class Inbox:
    def __init__(self, store: Store, *, dedupe_window_s: float, log: JsonLog,
                 on_stored: Callable[[], None] = lambda: None, batch: int = 256) -> None:
        self.store = store
        self.dedupe_window_s = dedupe_window_s
        self.log = log
        self.on_stored = on_stored
        self.batch = batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="opsagent-inbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def store_one(self, item: NewDelivery, *, timeout_s: float) -> Accepted:
        """Store ``item``; returns once its transaction committed. Raises
        :class:`StoreUnavailable` when nothing of it was stored, ``TimeoutError`` when
        the commit took longer than ``timeout_s`` (it may still commit: a retry of the
        sender is then acknowledged as a duplicate)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Accepted] = loop.create_future()
        expiry = loop.call_later(timeout_s, _expire, future)  # cheaper than a task each
        self._queue.put((item, future, loop))
        try:
            return await future
        finally:
            expiry.cancel()

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            pending: list[_Pending] = [first]  # type: ignore[list-item]
            while len(pending) < self.batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stopping = True
                    break
                pending.append(more)  # type: ignore[arg-type]
            self._write(pending)

    def _write(self, pending: list[_Pending]) -> None:
        items = [p[0] for p in pending]
        try:
            results = self.store.accept(items, dedupe_window_s=self.dedupe_window_s)
        except Exception as exc:  # nothing of the batch is stored: every sender retries
            reason = str(exc) if isinstance(exc, StoreUnavailable) else type(exc).__name__
            _answer(pending, [StoreUnavailable(reason)] * len(pending))
            self.log.event("store_failed", "error", reason=reason, deliveries=len(items))
            return
        _answer(pending, results)
        self.on_stored()
        self.log.events([("delivery", "info", {
            "source": item.source, "delivery": result.delivery_id,
            "duplicate": result.duplicate, "bytes": len(item.body)})
            for item, result in zip(items, results, strict=True)])


def _answer(pending: list[_Pending], outcomes: list[Accepted] | list[StoreUnavailable]
            ) -> None:
    """Resolve the batch's futures on their loops: one call per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Accepted], object]]] = {}
    for (_, future, loop), outcome in zip(pending, outcomes, strict=True):
        by_loop.setdefault(loop, []).append((future, outcome))
    for loop, pairs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for these
            loop.call_soon_threadsafe(_resolve, pairs)


def _expire(future: asyncio.Future[Accepted]) -> None:
    if not future.done():
        future.set_exception(TimeoutError("timed out storing the delivery"))


def _resolve(pairs: list[tuple[asyncio.Future[Accepted], object]]) -> None:
    for future, outcome in pairs:
        if future.done():  # the request gave up waiting (its sender got a 503)
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)  # type: ignore[arg-type]
