"""A worker in process on a real store: a long triage keeps its lease, and a lease lost
anyway is visible (logged, counted) without a second revision."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from opsagent.models import Incident, TriageReport
from opsagent.plugins import default_registry
from opsagent.server.logs import JsonLog
from opsagent.server.metrics import Metrics
from opsagent.server.worker import Worker
from opsagent.store import NewDelivery, Store, open_store
from opsagent.triager import Triager

from ..store import databases
from .conftest import sample

db_url = databases.db_url


class SlowTriager(Triager):
    """The real triage, after a pause (an LLM agent using its time budget); ``during``
    runs at the start of the pause."""

    def __init__(self, pause_s: float, during: Callable[[], None] = lambda: None) -> None:
        super().__init__(default_registry())
        self.pause_s = pause_s
        self.during = during

    def triage_incident(self, incident: Incident, **kwargs: Any) -> TriageReport:
        self.during()
        time.sleep(self.pause_s)
        return super().triage_incident(incident, **kwargs)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url, default_registry())
    yield opened
    opened.close()


def worker(store: Store, triager: Triager, stream: io.StringIO, metrics: Metrics,
           lease_s: float) -> Worker:
    return Worker(store, triager, group_window_s=1800, lease_s=lease_s, poll_interval_s=0.05,
                  log=JsonLog(stream, process="worker"), metrics=metrics, name="w1")


def deliver(store: Store) -> str:
    [accepted] = store.accept([NewDelivery("alertmanager",
                                           sample("alertmanager/firing_checkout.json"),
                                           {}, time.time())], dedupe_window_s=600)
    return accepted.delivery_id


def events(stream: io.StringIO) -> list[str]:
    return [json.loads(line)["event"] for line in stream.getvalue().splitlines()]


def test_a_triage_longer_than_the_lease_keeps_its_claim(store: Store) -> None:
    delivery_id = deliver(store)
    stolen: list[Any] = []
    probe = threading.Event()

    def others_try() -> None:  # another worker polls while the triage runs, past the lease
        def poll() -> None:
            deadline = time.monotonic() + 1.6
            while time.monotonic() < deadline:
                stolen.extend(store.claim("w2", limit=5, lease_s=0.6, now=time.time()))
                time.sleep(0.05)
            probe.set()
        threading.Thread(target=poll).start()

    stream, metrics = io.StringIO(), Metrics()
    w = worker(store, SlowTriager(2.0, others_try), stream, metrics, lease_s=0.6)
    [job] = store.claim("w1", limit=1, lease_s=0.6, now=time.time())
    w.process(job)
    assert probe.wait(10)
    assert stolen == []  # renewed every 0.2 s: never up for grabs
    found = store.delivery(delivery_id)
    assert found is not None and found.status == "processed"
    assert found.incident_id is not None
    assert [r.revision for r in store.revisions(found.incident_id)] == [1]
    assert "lease_lost" not in events(stream)
    assert metrics.leases_lost._value.get() == 0


def test_a_lost_lease_is_logged_and_counted_and_the_delivery_triaged_once(store: Store
                                                                           ) -> None:
    delivery_id = deliver(store)
    taken: list[Any] = []

    def lapse() -> None:  # as if this worker stalled past its lease: w2 claims the job
        taken.extend(store.claim("w2", limit=1, lease_s=60, now=time.time() + 10))

    stream, metrics = io.StringIO(), Metrics()
    w = worker(store, SlowTriager(0.8, lapse), stream, metrics, lease_s=0.6)
    [job] = store.claim("w1", limit=1, lease_s=0.6, now=time.time())
    w.process(job)
    assert [j.id for j in taken] == [job.id]
    assert events(stream).count("lease_lost") == 1
    assert metrics.leases_lost._value.get() == 1
    # the second worker gets to the job it claimed: the delivery is linked, nothing new
    other = worker(store, Triager(default_registry()), io.StringIO(), Metrics(), lease_s=60)
    other.name = "w2"
    other.process(taken[0])
    found = store.delivery(delivery_id)
    assert found is not None and found.incident_id is not None
    assert [r.revision for r in store.revisions(found.incident_id)] == [1]
    assert store.claim("w3", limit=5, lease_s=60, now=time.time() + 100) == []
