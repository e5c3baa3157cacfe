"""The durable outbox over the service's database (SQLite and PostgreSQL): the same
protocol as the in-memory one, plus what several senders and workers rely on."""

from __future__ import annotations

import io
import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the store needs the server extra")

import sqlalchemy as sa

from opsagent.models.report import Level
from opsagent.notify.events import Event
from opsagent.notify.request import Request
from opsagent.plugins import default_registry
from opsagent.store import Conflict, NewDelivery, NewNotification, Triaged, open_store
from opsagent.store.outbox import SqlOutbox, event_record, request_record
from opsagent.store.sql import SqlStore

from ..store.databases import BACKENDS, database

T0 = 1_800_000_000.0
AT = datetime.fromtimestamp(T0, tz=timezone.utc)
CLOCK = itertools.count(10, 10)  # claim times, each past the lease of the one before
SECRET = "xoxb-1234-abcdefSECRET"
REQUEST = Request("POST", "https://hooks.example.com/in?sig=SIGSECRET",
                  {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"},
                  json.dumps({"text": "checkout is down"}), (SECRET, "SIGSECRET"))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    with database(request.param, tmp_path) as url:
        opened = open_store(url, default_registry())
        assert isinstance(opened, SqlStore)
        yield opened
        opened.close()


def incident(store: SqlStore, name: str = "g1", *, notifications: list[NewNotification]
             | None = None, revision: int = 0, incident_id: str | None = None) -> str:
    """Write one revision of an incident through the worker's path (store.complete)."""
    body = json.dumps({"n": name, "id": uuid.uuid4().hex}).encode()
    [accepted] = store.accept([NewDelivery("alertmanager", body, {}, T0, None)],
                              dedupe_window_s=0)
    [job] = [j for j in store.claim("w", limit=10, lease_s=1, now=T0 + next(CLOCK))
             if j.delivery_id == accepted.delivery_id]
    incident_id = incident_id or f"inc-{name}"
    store.complete(job, Triaged(
        delivery_id=accepted.delivery_id, incident_id=incident_id,
        new_incident=revision == 0, expected_revision=revision, group_key=f"am:{name}",
        services=["checkout"], status="open", title="t", severity="HIGH", top_cause=None,
        started_at=T0, report={"schema_version": 1, "revision": revision + 1},
        delivery_count=revision + 1, adapter="alertmanager", now=T0 + revision + 1,
        notifications=notifications or []))
    return incident_id


def planned(target: str, basis: int = 0, kind: str = "new", status: str = "pending"
            ) -> NewNotification:
    event = Event(kind, AT, 1)  # type: ignore[arg-type]
    return NewNotification(target, basis, event_record(event), "HIGH", False,
                           request_record(REQUEST), status)


def record(outbox: SqlOutbox, incident_id: str, revision: int, target: str = "slack",
           level: Level = Level.HIGH, at: datetime = AT) -> object:
    return outbox.record(incident=incident_id, revision=revision, target=target,
                         event=Event("new", at, revision), level=level, resolved=False,
                         request=REQUEST, at=at)


def test_a_notification_is_recorded_once_per_revision_and_target(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store)
    first = record(outbox, inc, 1)
    assert first is not None
    assert record(outbox, inc, 1) is None  # the same key: at most once
    assert record(outbox, inc, 1, target="email") is not None
    assert [(e.revision, e.target, e.status) for e in outbox.pending(AT)] == [
        (1, "slack", "pending"), (1, "email", "pending")]


def test_secrets_are_never_stored_and_the_masked_request_is(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    record(outbox, incident(store), 1)
    with store.engine.connect() as conn:
        raw = json.dumps([list(map(str, row)) for row in conn.execute(
            sa.text("SELECT * FROM notifications"))])
    assert SECRET not in raw and "SIGSECRET" not in raw
    [entry] = outbox.pending(AT)
    assert entry.request.headers["Authorization"] == "****"
    assert entry.request.url == "https://hooks.example.com/in?sig=****"
    assert json.loads(entry.request.body) == {"text": "checkout is down"}


def test_sent_and_failed_are_what_a_target_was_told(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store)
    assert outbox.last_notified(inc, "slack") is None
    one = outbox.record(incident=inc, revision=1, target="slack", event=Event("new", AT, 1),
                        level=Level.MEDIUM, resolved=False, request=REQUEST, at=AT)
    assert one is not None
    outbox.mark_failed(one.id, attempts=3, error="HTTP 503",
                       next_attempt_at=AT + timedelta(seconds=300))
    assert outbox.last_notified(inc, "slack") is None  # failed: not told yet
    assert outbox.pending(AT + timedelta(seconds=299)) == []
    [again] = outbox.pending(AT + timedelta(seconds=300))
    assert (again.status, again.attempts, again.last_error) == ("failed", 3, "HTTP 503")
    outbox.mark_sent(one.id, attempts=4, at=AT, ref={"channel": "C1", "ts": "1.2"})
    told = outbox.last_notified(inc, "slack")
    assert told is not None
    assert (told.revision, told.level, told.resolved, told.ref) == (
        1, Level.MEDIUM, False, {"channel": "C1", "ts": "1.2"})
    assert outbox.pending(AT + timedelta(days=1)) == []
    given_up = record(outbox, inc, 2, target="email")
    assert given_up is not None
    outbox.mark_failed(given_up.id, attempts=5, error="HTTP 401",  # type: ignore[attr-defined]
                       next_attempt_at=None)
    assert outbox.pending(AT + timedelta(days=1)) == []
    assert outbox.counts() == {("slack", "sent"): 1, ("email", "failed"): 1}


def test_a_newer_revision_supersedes_an_older_one_not_yet_sent(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store)
    record(outbox, inc, 1)
    record(outbox, inc, 1, target="email")
    record(outbox, inc, 2)
    due = outbox.pending(AT)
    assert [(e.revision, e.target) for e in due] == [(1, "email"), (2, "slack")]
    states = {(e.revision, e.target): (e.status, e.last_error) for e in outbox.entries(inc)}
    assert states[(1, "slack")] == ("superseded", "superseded by revision 2")


def test_a_claimed_notification_is_not_superseded_and_counts_as_told(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store)
    record(outbox, inc, 1)
    [claimed] = outbox.claim("s1", limit=5, lease_s=3600, now=AT)
    told = outbox.last_notified(inc, "slack")  # being sent right now
    assert told is not None and told.revision == 1
    record(outbox, inc, 2)
    states = {e.revision: e.status for e in outbox.entries(inc)}
    assert states == {1: "pending", 2: "pending"}
    assert claimed.revision == 1


def test_claims_are_leased_and_a_lapsed_lease_is_claimed_again(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store)
    for target in ("a", "b", "c"):
        record(outbox, inc, 1, target=target)
    first = outbox.claim("s1", limit=2, lease_s=30, now=AT)
    second = outbox.claim("s2", limit=5, lease_s=30, now=AT)
    assert [e.target for e in first] == ["a", "b"] and [e.target for e in second] == ["c"]
    assert outbox.claim("s3", limit=5, lease_s=30, now=AT + timedelta(seconds=29)) == []
    # s1 was killed: its rows go to the next sender once the lease lapses
    again = outbox.claim("s3", limit=5, lease_s=30, now=AT + timedelta(seconds=31))
    assert [e.target for e in again] == ["a", "b", "c"]
    outbox.mark_sent(again[0].id, attempts=1, at=AT, ref={})
    later = outbox.claim("s4", limit=5, lease_s=30, now=AT + timedelta(seconds=62))
    assert [e.target for e in later] == ["b", "c"]  # a sent row is never claimed again
    record(outbox, inc, 1, target="d")
    mine = outbox.claim("s5", limit=5, lease_s=30, now=AT + timedelta(seconds=93),
                        targets=["d"])  # a sender claims only the targets it can build
    assert [e.target for e in mine] == ["d"]


def test_concurrent_senders_claim_each_notification_once(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store)
    for n in range(40):
        record(outbox, inc, 1, target=f"t{n}")
    got: list[list[int]] = [[] for _ in range(4)]

    def sender(index: int) -> None:
        while True:
            claimed = outbox.claim(f"s{index}", limit=3, lease_s=60, now=AT)
            if not claimed:
                return
            got[index].extend(e.id for e in claimed)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ids = [i for one in got for i in one]
    assert len(ids) == 40 and len(set(ids)) == 40


def test_notifications_are_written_in_the_revision_s_transaction(store: SqlStore) -> None:
    outbox = SqlOutbox.of(store)
    inc = incident(store, notifications=[planned("slack"), planned("dry", status="dry_run")])
    assert [(e.revision, e.target, e.status) for e in outbox.entries(inc)] == [
        (1, "dry", "dry_run"), (1, "slack", "pending")]
    told = outbox.last_notified(inc, "dry")  # a dry run shows what a target would be told
    assert told is not None and told.revision == 1
    # a revision whose notification was decided on a stale view is not written at all
    with pytest.raises(Conflict):
        incident(store, notifications=[planned("dry", basis=0, kind="updated")], revision=1,
                 incident_id=inc)
    assert [r.revision for r in store.revisions(inc)] == [1]
    assert len(outbox.entries(inc)) == 2
    incident(store, notifications=[planned("dry", basis=1, kind="raised")], revision=1,
             incident_id=inc)
    assert [r.revision for r in store.revisions(inc)] == [1, 2]
    assert outbox.report(inc, 2) == {"schema_version": 1, "revision": 2}
    assert [(e.revision, e.target, e.event.kind) for e in outbox.entries(inc)] == [
        (1, "dry", "new"), (1, "slack", "new"), (2, "dry", "raised")]


def test_the_service_decides_once_per_target_and_a_newer_revision_replaces_an_unsent_new(
        store: SqlStore) -> None:
    from opsagent.server.logs import JsonLog
    from opsagent.server.metrics import Metrics
    from opsagent.server.notifier import Notifying, Planner

    from .messages import example_report, target

    outbox = SqlOutbox.of(store)
    hook = target("webhook", name="hook", secret="${HOOK_KEY}", dry_run=False)
    quiet = target("webhook", name="only-prod", when={"environments": ["nowhere"]},
                   dry_run=False)
    log = io.StringIO()
    plan = Planner(Notifying(outbox, [hook, quiet], default_registry(), {"HOOK_KEY": "k3y"},
                             JsonLog(log), Metrics()))
    report = example_report()
    inc = "inc-g1"
    report.incident.id = inc
    first = plan(inc, 1, report, False)
    assert [(p.target, p.event["kind"], p.status) for p in first] == [("hook", "new", "pending")]
    incident(store, notifications=first)
    # nothing was sent yet: revision 2 is the `new` to send, revision 1's is dropped
    second = plan(inc, 2, report, False)
    incident(store, notifications=second, revision=1, incident_id=inc)
    [due] = outbox.pending(AT + timedelta(hours=1))
    assert (due.revision, due.event.kind) == (2, "new")
    outbox.mark_sent(due.id, attempts=1, at=AT, ref={})
    assert plan(inc, 3, report, False) == []  # the same severity: a posting target is quiet
    [end] = plan(inc, 4, report, True)
    assert (end.target, end.event["kind"], end.basis) == ("hook", "resolved", 2)
    assert "k3y" not in json.dumps(end.request) and "k3y" not in log.getvalue()
