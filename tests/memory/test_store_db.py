"""Incident memory through the real history database (SQLite and PostgreSQL): records,
feedback, candidates, full-text search, retention, migrations, and the corpus replayed
in time order through it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

pytest.importorskip("sqlalchemy", reason="the store needs the server extra")

import sqlalchemy as sa

from opsagent.evaluation import Case
from opsagent.models import Incident, PastIncident, TriageReport
from opsagent.plugins import default_registry
from opsagent.store import open_store
from opsagent.store.memory import MemoryStore
from opsagent.store.sql import SqlStore
from opsagent.triager import Triager

from ..store import databases
from .conftest import earlier, incident_of
from .test_replay import KIND, SEQUENCE

db_url = databases.db_url  # the fixture: an empty database of every backend in turn


@pytest.fixture
def memory(db_url: str) -> Iterator[MemoryStore]:
    store = open_store(db_url, default_registry())
    found = MemoryStore.of(store)
    assert found is not None
    yield found
    store.close()


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager(default_registry())


def keep(memory: MemoryStore, triager: Triager, incident: Incident, report: TriageReport,
         record: PastIncident | None = None, *, together: bool = False) -> PastIncident:
    """Record the incident as the command line does, and its memory record (in the same
    transaction when ``together``, as the command line does, else after it)."""
    record = record or triager.remember(incident, report)
    memory.record_analysis(
        incident_id=record.id, title=report.summary[:100], services=list(record.services),
        status="resolved", severity=report.severity.level.value,
        top_cause=record.categories[0] if record.categories else None,
        started_at=record.started_at.timestamp() if record.started_at else None,
        report=report.model_dump(mode="json"), payloads=[], now=time.time(),
        record=record if together else None)
    if not together:
        memory.record(record)
    return record


def triage(memory: MemoryStore, triager: Triager, incident: Incident) -> TriageReport:
    found = memory.candidates(triager.remember(incident))
    assert incident.id not in [p.id for p in found.past]
    return triager.triage_incident(incident, past=found.past, text_rank=found.text_rank)


def test_corpus_replayed_through_the_store_finds_earlier_incidents_of_the_same_kind(
        memory: MemoryStore, triager: Triager, corpus: dict[str, Case]) -> None:
    reports: dict[str, TriageReport] = {}
    for index, name in enumerate(SEQUENCE):
        incident = incident_of(corpus[name])
        reports[name] = report = triage(memory, triager, incident)
        keep(memory, triager, incident, report)
        if index % 2 == 0:
            memory.add_feedback(name, cause=KIND[name[:4]], verdict="correct", by="oncall",
                                resolution=f"fixed {name[:4]}")
    assert reports[SEQUENCE[0]].similar_incidents == []
    recurring = [n for i, n in enumerate(SEQUENCE)
                 if any(KIND[m[:4]] == KIND[n[:4]] for m in SEQUENCE[:i])]
    assert len(recurring) == 4
    for name in recurring:
        similar = reports[name].similar_incidents
        assert similar, name
        assert KIND[similar[0].incident[:4]] == KIND[name[:4]], (name, similar[0].incident)
    ledger = reports["s079-ledger-calls-failing-datadog"].similar_incidents
    assert ledger is not None
    assert [s.incident for s in ledger[:2]] == ["s023-ledger-calls-failing-alertmanager",
                                                "s042-ledger-calls-failing-grafana"]
    assert ledger[0].confirmed_cause == "certificate"
    assert ledger[0].resolution == "fixed s023"
    assert "same confirmed cause: certificate" in ledger[0].why


def test_a_confirmed_cause_in_the_store_raises_the_cause_the_engine_ranked_lower(
        memory: MemoryStore, triager: Triager, corpus: dict[str, Case]) -> None:
    incident = incident_of(corpus["s005-qa-site-down-afternoon"])
    alone = triager.triage_incident(incident)
    assert [c.category for c in alone.root_causes[:2]] == ["network", "data"]
    before = keep(memory, triager, incident, alone,
                  earlier(triager.remember(incident, alone), 9, id="inc-s005-before"))
    first = triage(memory, triager, incident)  # remembered, nothing confirmed: no change
    assert first.root_causes[0].category == "network"
    assert first.similar_incidents and first.similar_incidents[0].incident == before.id
    memory.add_feedback(before.id, cause="data", verdict="correct", by="a",
                        resolution="restored the feed")
    taught = triage(memory, triager, incident)
    assert taught.root_causes[0].category == "data"
    assert taught.root_causes[0].evidence[-1].startswith(f"this happened before: {before.id}")
    assert taught.similar_incidents is not None
    assert taught.similar_incidents[0].resolution == "restored the feed"
    # a later word supersedes: marked wrong by someone else, data loses its lead again
    memory.add_feedback(before.id, cause="data", verdict="wrong", by="b")
    again = triage(memory, triager, incident)
    assert again.root_causes[0].category == "network"
    assert again.similar_incidents and again.similar_incidents[0].confirmed_cause is None
    assert [(f.by, f.verdict) for f in memory.feedback(before.id)] == [("a", "correct"),
                                                                       ("b", "wrong")]


def test_candidates_share_a_service_or_an_alert_or_the_words(
        memory: MemoryStore, triager: Triager, corpus: dict[str, Case]) -> None:
    stored = {}
    for name in ("s023-ledger-calls-failing-alertmanager", "s015-orders-timeouts-evening",
                 "s028-recs-engine-alertmanager"):
        incident = incident_of(corpus[name])
        stored[name] = keep(memory, triager, incident, triager.triage_incident(incident))
    probe = triager.remember(incident_of(corpus["s079-ledger-calls-failing-datadog"]))
    found = memory.candidates(probe)
    ids = [p.id for p in found.past]
    assert "s023-ledger-calls-failing-alertmanager" in ids
    assert all(0.0 <= r <= 1.0 for r in found.text_rank.values())
    assert max(found.text_rank, key=lambda k: found.text_rank[k]) == \
        "s023-ledger-calls-failing-alertmanager"
    loaded = memory.past("s023-ledger-calls-failing-alertmanager")
    assert loaded is not None
    assert loaded.model_dump() == stored["s023-ledger-calls-failing-alertmanager"].model_dump()
    # recording again refreshes: one record, one set of keys, one full-text row
    memory.record(stored["s015-orders-timeouts-evening"])
    assert [i for i, _ in memory.search("orders")].count("s015-orders-timeouts-evening") == 1
    assert memory.search("certificate ledger")[0][0] == "s023-ledger-calls-failing-alertmanager"
    assert memory.search("nothing-like-this-anywhere") == []


def test_retention_deletes_old_incidents_and_the_oldest_beyond_the_bound_in_batches(
        memory: MemoryStore) -> None:
    now = time.time()
    report = {"summary": "s", "severity": {"level": "LOW"}}
    for index in range(12):
        memory.record_analysis(
            incident_id=f"inc-{index:02d}", title="t", services=["svc"], status="resolved",
            severity="LOW", top_cause=None, started_at=None, report=report,
            payloads=[(f"p{index}", b'{"a": %d}' % index)],
            now=now - (400 if index < 3 else 12 - index) * 86400)
        memory.record(PastIncident(id=f"inc-{index:02d}", services=["svc"]))
    memory.add_feedback("inc-00", cause="database", verdict="correct", by="x")
    # three are older than the retention, then two more beyond the bound of seven
    assert memory.prune(now=now, retention_days=365, max_incidents=7, batch=2,
                        max_batches=1) == 2
    assert memory.prune(now=now, retention_days=365, max_incidents=7, batch=2) == 3
    assert memory.prune(now=now, retention_days=365, max_incidents=7) == 0
    with memory.engine.connect() as conn:
        left = [r[0] for r in conn.execute(sa.text("SELECT id FROM incidents ORDER BY id"))]
        assert conn.execute(sa.text("SELECT count(*) FROM deliveries")).scalar() == 7
        assert conn.execute(sa.text("SELECT count(*) FROM feedback")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM memory")).scalar() == 7
        # the word counts a search consults follow the records written and deleted
        assert conn.execute(sa.text("SELECT docs FROM memory_words WHERE word = 'svc'")
                            ).scalar() == 7
    assert left == [f"inc-{i:02d}" for i in range(5, 12)]
    assert {i for i, _ in memory.search("svc")} == set(left)


def test_a_database_of_the_previous_schema_keeps_its_data_and_gains_memory(
        db_url: str, triager: Triager, corpus: dict[str, Case]) -> None:
    old = SqlStore(db_url)
    old.migrate("0001")
    with old.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO incidents (id, services, status, title, severity, created_at, "
            "updated_at, revision) VALUES ('inc-old', '[\"ledger-api\"]', 'resolved', "
            "'before memory', 'HIGH', 1.0, 1.0, 1)"))
        conn.execute(sa.text(
            "INSERT INTO report_revisions (incident_id, revision, report, delivery_count, "
            "created_at) VALUES ('inc-old', 1, '{\"summary\": \"x\"}', 0, 1.0)"))
        versions = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM "
                                                       "alembic_version"))]
    assert versions == ["0001"]
    old.close()
    store = open_store(db_url, default_registry())  # 0001 with data → 0002_memory
    memory = MemoryStore.of(store)
    assert memory is not None
    row = store.incident("inc-old")
    assert row is not None and row.title == "before memory"
    assert store.revisions("inc-old")[0].report == {"summary": "x"}
    assert memory.past("inc-old") is None  # no record until it is triaged again
    incident = incident_of(corpus["s023-ledger-calls-failing-alertmanager"])
    record = triager.remember(incident, triager.triage_incident(incident))
    memory.record(record.model_copy(update={"id": "inc-old"}))
    memory.add_feedback("inc-old", cause="certificate", verdict="correct", by="x")
    probe = triager.remember(incident_of(corpus["s079-ledger-calls-failing-datadog"]))
    assert [p.id for p in memory.candidates(probe).past] == ["inc-old"]
    assert memory.confirmed() == ["inc-old"]
    store.close()


def test_a_word_most_records_hold_is_left_out_of_a_search(
        memory: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from opsagent.store import memory as module

    report = {"summary": "s", "severity": {"level": "LOW"}}
    for index, words in enumerate(("disk full", "disk slow", "tls expired")):
        memory.record_analysis(incident_id=f"inc-{index}", title="t", services=[],
                               status="resolved", severity="LOW", top_cause=None,
                               started_at=None, report=report, payloads=[], now=1.0)
        memory.record(PastIncident(id=f"inc-{index}", summary=words))
    assert [i for i, _ in memory.search("disk")] == ["inc-0", "inc-1"]
    monkeypatch.setattr(module, "COMMON_WORD", 1)  # "disk" is now too common to search
    assert memory.search("disk") == []
    assert [i for i, _ in memory.search("disk expired")] == ["inc-2"]


def test_an_incident_with_a_confirmed_cause_stays_a_candidate_however_old(
        memory: MemoryStore) -> None:
    from datetime import datetime, timedelta, timezone

    report = {"summary": "s", "severity": {"level": "LOW"}}
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for day in range(4):
        memory.record_analysis(incident_id=f"inc-{day}", title="t", services=["checkout"],
                               status="resolved", severity="LOW", top_cause=None,
                               started_at=None, report=report, payloads=[], now=1.0)
        memory.record(PastIncident(id=f"inc-{day}", services=["checkout"],
                                   started_at=start + timedelta(days=day)))
    probe = PastIncident(id="inc-new", services=["checkout-service"],
                         started_at=start + timedelta(days=9))
    recent = memory.candidates(probe, key_limit=2, text_limit=0).past
    assert [p.id for p in recent] == ["inc-3", "inc-2"]
    memory.add_feedback("inc-0", cause="database", verdict="correct", by="x")
    found = memory.candidates(probe, key_limit=2, text_limit=0).past
    assert [p.id for p in found] == ["inc-3", "inc-2", "inc-0"]
    assert found[-1].confirmed_cause == "database"


@contextmanager
def without_memory_words(store: SqlStore) -> Iterator[None]:
    """The memory record's write fails (its word counts have gone) until the end."""
    with store.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE memory_words RENAME TO memory_words_gone"))
    yield
    with store.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE memory_words_gone RENAME TO memory_words"))


def test_a_revision_is_never_kept_without_its_memory_record(
        db_url: str, triager: Triager, corpus: dict[str, Case]) -> None:
    from opsagent.store import NewDelivery, StoreUnavailable, Triaged

    store = open_store(db_url, default_registry())
    assert isinstance(store, SqlStore)
    memory = MemoryStore.of(store)
    assert memory is not None
    incident = incident_of(corpus["s023-ledger-calls-failing-alertmanager"])
    report = triager.triage_incident(incident)
    record = triager.remember(incident, report)
    [accepted] = store.accept([NewDelivery("alertmanager", b"{}", {}, 1.0, None)],
                              dedupe_window_s=60)
    [job] = store.claim("w1", limit=1, lease_s=30, now=1.0)
    written = Triaged(
        delivery_id=accepted.delivery_id, incident_id=record.id, new_incident=True,
        expected_revision=0, group_key=None, services=list(record.services),
        status="open", title="t", severity=report.severity.level.value,
        top_cause=record.categories[0], started_at=None,
        report=report.model_dump(mode="json"), delivery_count=1, adapter="alertmanager",
        now=2.0, memory=record)
    with without_memory_words(store), pytest.raises(StoreUnavailable):  # the service's write
        store.complete(job, written)
    assert store.incident(record.id) is None and store.revisions(record.id) == []
    assert store.stats(now=2.0).queue_depth == 1  # the delivery is triaged again later
    with without_memory_words(store), pytest.raises(sa.exc.SQLAlchemyError):  # the CLI's
        keep(memory, triager, incident, report, record, together=True)
    assert store.incident(record.id) is None and memory.past(record.id) is None
    store.complete(job, written)
    assert [r.revision for r in store.revisions(record.id)] == [1]
    assert memory.past(record.id) == record
    keep(memory, triager, incident, report, record.model_copy(update={"summary": "again"}),
         together=True)
    assert [r.revision for r in store.revisions(record.id)] == [1, 2]
    assert memory.past(record.id).summary == "again"  # type: ignore[union-attr]
    store.close()


def test_incidents_stored_before_memory_are_remembered_by_a_backfill(
        db_url: str, triager: Triager, corpus: dict[str, Case],
        capsys: pytest.CaptureFixture[str]) -> None:
    from opsagent import cli
    from opsagent.store.schema import deliveries, incident_deliveries, incidents, report_revisions

    from .conftest import CORPUS

    case = corpus["s023-ledger-calls-failing-alertmanager"]
    incident = incident_of(case).model_copy(update={"id": "inc-old"})
    report = triager.triage_incident(incident)
    body = (CORPUS / case.name / "alertmanager.json").read_bytes()
    at = incident.now.timestamp()
    old = SqlStore(db_url)
    old.migrate("0001")  # the service's database before memory, with one triaged incident
    with old.engine.begin() as conn:
        conn.execute(incidents.insert().values(
            id="inc-old", group_key=None, services=list(incident.services), status="resolved",
            title="before memory", severity=report.severity.level.value,
            top_cause=report.root_causes[0].category, started_at=None, created_at=at,
            updated_at=at, resolved_at=at, revision=1))
        conn.execute(deliveries.insert().values(
            id="dlv-old", source="alertmanager", received_at=at, headers={}, body=body,
            body_sha256="-", vendor_id=None, dedupe_key="old", status="processed",
            error=None, adapter="alertmanager", processed_at=at))
        conn.execute(incident_deliveries.insert().values(
            incident_id="inc-old", delivery_id="dlv-old", linked_at=at))
        conn.execute(report_revisions.insert().values(
            incident_id="inc-old", revision=1, report=report.model_dump(mode="json"),
            delivery_count=1, created_at=at))
    old.close()
    store = open_store(db_url, default_registry())  # migrated to the latest schema
    memory = MemoryStore.of(store)
    assert memory is not None
    probe = triager.remember(incident_of(corpus["s079-ledger-calls-failing-datadog"]))
    assert memory.past("inc-old") is None and memory.candidates(probe).past == []

    code = cli.main(["history", "backfill", "--history", db_url])
    assert (code, capsys.readouterr().err) == (0, "opsagent: 1 incident remembered\n")
    assert memory.past("inc-old") == triager.remember(incident, report)  # as a triage would
    assert [p.id for p in memory.candidates(probe).past] == ["inc-old"]
    assert [i for i, _ in memory.search("ledger")] == ["inc-old"]
    code = cli.main(["history", "backfill", "--history", db_url])
    assert (code, capsys.readouterr().err) == (0, "opsagent: 0 incidents remembered\n")
    store.close()


def test_a_backfill_is_bounded_and_keeps_records_written_meanwhile(db_url: str,
                                                                  triager: Triager) -> None:
    from opsagent.memory.backfill import backfill

    store = open_store(db_url, default_registry())
    memory = MemoryStore.of(store)
    assert memory is not None
    report = {"summary": "s", "severity": {"level": "LOW"}}  # not a report of today's shape
    for index in range(5):  # as if stored before memory: a revision, no record
        memory.record_analysis(incident_id=f"inc-{index}", title=f"disk full {index}",
                               services=["db"], status="resolved", severity="LOW",
                               top_cause="capacity", started_at=None, report=report,
                               payloads=[], now=float(index))
    memory.record(PastIncident(id="inc-1", summary="written by a triage"))
    done = backfill(store, memory, triager, limit=2)
    assert (done.recorded, done.left) == (2, 2)
    assert [i for i in ("inc-0", "inc-2", "inc-3", "inc-4") if memory.past(i)] == \
        ["inc-3", "inc-4"]  # the newest first
    past = memory.past("inc-4")
    assert past is not None and past.categories == ["capacity"]  # from its row
    assert past.summary == "disk full 4"
    assert backfill(store, memory, triager, limit=10) == type(done)(2, 0)
    assert memory.past("inc-1").summary == "written by a triage"  # type: ignore[union-attr]
    store.close()
