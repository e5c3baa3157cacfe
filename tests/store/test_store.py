"""The store on SQLite and PostgreSQL: what the service relies on for durability."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa

from opsagent.plugins import default_registry
from opsagent.store import Conflict, Job, NewDelivery, Store, Triaged, open_store
from opsagent.store.sql import SqlStore

from ..conftest import ROOT

BODY = (ROOT / "tests/ingest/samples/alertmanager/firing_checkout.json").read_bytes()
T0 = 1_800_000_000.0
WINDOW = 600.0


def deliver(store: Store, body: bytes = BODY, *, at: float = T0, vendor_id: str | None = None,
            source: str = "alertmanager") -> tuple[str, bool]:
    [accepted] = store.accept([NewDelivery(source, body, {"content-type": "application/json"},
                                           at, vendor_id)], dedupe_window_s=WINDOW)
    return accepted.delivery_id, accepted.duplicate


def triaged(delivery_id: str, incident_id: str, *, new: bool, revision: int = 0,
            group_key: str | None = "am:g1", count: int = 1, **extra: Any) -> Triaged:
    values: dict[str, Any] = dict(
        delivery_id=delivery_id, incident_id=incident_id, new_incident=new,
        expected_revision=revision, group_key=group_key, services=["checkout-service"],
        status="open", title="checkout errors", severity="HIGH", top_cause="database",
        started_at=T0, report={"schema_version": 1, "n": count}, delivery_count=count,
        adapter="alertmanager", now=T0 + 1)
    values.update(extra)
    return Triaged(**values)


def test_an_empty_database_is_migrated_and_migrating_again_changes_nothing(db_url: str
                                                                          ) -> None:
    first = open_store(db_url, default_registry())
    deliver(first)
    first.close()
    again = open_store(db_url, default_registry())  # a restart migrates again: a no-op
    assert isinstance(again, SqlStore)
    with again.engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0003_outbox"  # one line of migrations: inbox, memory, outbox
    assert again.stats(now=T0).queue_depth == 1
    again.close()


def test_a_delivery_is_kept_byte_for_byte_and_queued_once(store: Store) -> None:
    body = b'{"version": "4",\n  "status": "firing"}  \n'
    delivery_id, duplicate = deliver(store, body)
    assert not duplicate and delivery_id.startswith("dlv-")
    stored = store.delivery(delivery_id)
    assert stored is not None
    assert stored.body == body and stored.status == "queued"
    assert stored.headers == {"content-type": "application/json"}
    assert store.stats(now=T0 + 5).queue_depth == 1
    assert store.stats(now=T0 + 5).oldest_job_age_s == pytest.approx(5.0)


def test_duplicates_are_recognised_by_vendor_id_and_by_body_within_the_window(store: Store
                                                                            ) -> None:
    first, _ = deliver(store, vendor_id="github:abc")
    assert deliver(store, b'{"other": 1}', vendor_id="github:abc") == (first, True)
    plain, _ = deliver(store, b'{"a": 1}', at=T0)
    assert deliver(store, b'{"a": 1}', at=T0 + WINDOW - 1) == (plain, True)
    later, duplicate = deliver(store, b'{"a": 1}', at=T0 + 2 * WINDOW + 1)
    assert not duplicate and later != plain
    # in one batch (one transaction) too
    batch = store.accept([NewDelivery("auto", b'{"b": 2}', {}, T0),
                          NewDelivery("auto", b'{"b": 2}', {}, T0 + 1)], dedupe_window_s=WINDOW)
    assert [a.duplicate for a in batch] == [False, True]
    assert batch[0].delivery_id == batch[1].delivery_id
    assert store.stats(now=T0).queue_depth == 4


def test_a_claim_is_exclusive_until_its_lease_lapses(store: Store) -> None:
    delivery_id, _ = deliver(store)
    [job] = store.claim("w1", limit=5, lease_s=30, now=T0)
    assert (job.delivery_id, job.attempts) == (delivery_id, 1)
    assert store.claim("w2", limit=5, lease_s=30, now=T0 + 10) == []
    [again] = store.claim("w2", limit=5, lease_s=30, now=T0 + 31)  # w1 was killed
    assert (again.id, again.attempts) == (job.id, 2)
    store.release(again, error="boom", retry_at=T0 + 100)
    assert store.claim("w3", limit=5, lease_s=30, now=T0 + 50) == []
    assert [j.id for j in store.claim("w3", limit=5, lease_s=30, now=T0 + 100)] == [job.id]


def test_a_renewed_lease_keeps_the_claim_and_a_lapsed_one_taken_over_is_lost(store: Store
                                                                             ) -> None:
    deliver(store)
    [job] = store.claim("w1", limit=5, lease_s=30, now=T0)
    assert store.renew(job, "w1", lease_s=30, now=T0 + 25)
    assert store.claim("w2", limit=5, lease_s=30, now=T0 + 40) == []  # renewed to T0 + 55
    [taken] = store.claim("w2", limit=5, lease_s=30, now=T0 + 56)
    assert not store.renew(job, "w1", lease_s=30, now=T0 + 57)  # w2 has it now
    assert store.renew(taken, "w2", lease_s=30, now=T0 + 57)
    store.reject(taken, "done with", adapter=None, now=T0 + 58)
    assert store.renew(taken, "w2", lease_s=30, now=T0 + 59)  # gone: nothing to keep


def test_concurrent_claims_never_hand_out_a_job_twice(store: Store) -> None:
    store.accept([NewDelivery("auto", f'{{"n": {i}}}'.encode(), {}, T0) for i in range(40)],
                 dedupe_window_s=WINDOW)
    got: list[Job] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while True:
            jobs = store.claim(name, limit=3, lease_s=300, now=T0 + 1)
            if not jobs:
                return
            with lock:
                got.extend(jobs)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(got) == 40
    assert len({j.id for j in got}) == 40


def test_writing_a_triage_is_all_or_nothing_and_never_twice(store: Store) -> None:
    delivery_id, _ = deliver(store)
    [job] = store.claim("w1", limit=1, lease_s=30, now=T0)
    store.complete(job, triaged(delivery_id, "inc-1", new=True))
    # the same delivery again (a worker that wrote it was thought dead): nothing changes
    with pytest.raises(Conflict):
        store.complete(job, triaged(delivery_id, "inc-1", new=False, revision=1, count=2))
    assert store.finish_linked(job, now=T0 + 2)
    assert [r.revision for r in store.revisions("inc-1")] == [1]
    assert [d.id for d in store.incident_deliveries("inc-1")] == [delivery_id]
    stored = store.delivery(delivery_id)
    assert stored is not None and (stored.status, stored.incident_id) == ("processed", "inc-1")
    assert store.stats(now=T0).queue_depth == 0
    # a report computed from an older revision is refused, and nothing of it is written
    second, _ = deliver(store, b'{"second": true}')
    [job2] = store.claim("w1", limit=1, lease_s=30, now=T0)
    with pytest.raises(Conflict):
        store.complete(job2, triaged(second, "inc-1", new=False, revision=0, count=2))
    assert store.delivery(second).status == "queued"  # type: ignore[union-attr]
    assert len(store.revisions("inc-1")) == 1
    store.complete(job2, triaged(second, "inc-1", new=False, revision=1, count=2))
    assert [r.delivery_count for r in store.revisions("inc-1")] == [1, 2]
    incident = store.incident("inc-1")
    assert incident is not None and incident.revision == 2


def test_one_open_incident_per_group_key(store: Store) -> None:
    first, _ = deliver(store, b'{"one": 1}')
    second, _ = deliver(store, b'{"two": 2}')
    job1, job2 = store.claim("w1", limit=2, lease_s=30, now=T0)
    store.complete(job1, triaged(first, "inc-a", new=True))
    with pytest.raises(Conflict):  # another worker opened the same group first
        store.complete(job2, triaged(second, "inc-b", new=True))
    found = store.find_open_incident(group_key="am:g1", services=[], since=T0)
    assert found is not None and found.id == "inc-a"
    by_service = store.find_open_incident(group_key=None, services=["checkout-service"],
                                          since=T0 - 60)
    assert by_service is not None and by_service.id == "inc-a"
    assert store.find_open_incident(group_key=None, services=["checkout-service"],
                                    since=T0 + 60) is None  # outside the window


def test_a_rejected_delivery_is_failed_with_its_reason(store: Store) -> None:
    delivery_id, _ = deliver(store)
    [job] = store.claim("w1", limit=1, lease_s=30, now=T0)
    store.reject(job, "not a Sentry payload", adapter=None, now=T0 + 1)
    stored = store.delivery(delivery_id)
    assert stored is not None and (stored.status, stored.error) == ("failed",
                                                                    "not a Sentry payload")
    stats = store.stats(now=T0 + 2)
    assert stats.queue_depth == 0 and stats.deliveries == {("alertmanager", "failed"): 1}


def test_an_unreachable_database_is_a_clear_failure() -> None:
    from opsagent.store import StoreUnavailable

    store = open_store("postgresql://nobody@127.0.0.1:9/none", default_registry(),
                       migrate=False)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1"):
        store.ping()
    assert time.monotonic() - started < 10
