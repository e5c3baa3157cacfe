"""Corpus incidents replayed in time order with feedback on some: later incidents of the
same kind find the earlier ones first, and what people confirmed teaches the engine."""

from __future__ import annotations

import json

from opsagent.engine import Engine
from opsagent.evaluation import Case
from opsagent.models import PastIncident, TriageReport
from opsagent.report import render_json, render_markdown, render_text

from .conftest import earlier, incident_of, said

# Two recurring incidents, each reported three times through different tools, mixed with
# unrelated ones; in time order.
SEQUENCE = [
    "s023-ledger-calls-failing-alertmanager",  # certificate, ledger-api
    "s015-orders-timeouts-evening",  # database
    "s028-recs-engine-alertmanager",  # resource exhaustion, recs-engine
    "s042-ledger-calls-failing-grafana",
    "s041-recs-engine-datadog",
    "s096-storefront-release-afternoon",  # a deploy alone
    "s079-ledger-calls-failing-datadog",
    "s056-recs-engine-k8s-events",
]
KIND = {"s023": "certificate", "s042": "certificate", "s079": "certificate",
        "s028": "resource_exhaustion", "s041": "resource_exhaustion",
        "s056": "resource_exhaustion", "s015": "database", "s096": "deploy_regression"}


def _replay(engine: Engine, corpus: dict[str, Case]) -> dict[str, TriageReport]:
    past: list[PastIncident] = []
    reports: dict[str, TriageReport] = {}
    for index, name in enumerate(SEQUENCE):
        incident = incident_of(corpus[name])
        report = engine.analyze(incident, past=past)
        reports[name] = report
        record = engine.remember(incident, report)
        if index % 2 == 0:  # feedback on every other incident: its label, confirmed
            record = record.model_copy(update={"feedback": [said(KIND[name[:4]], "correct")],
                                               "resolution": f"fixed {name[:4]}"})
        past.append(record)
    return reports


def test_later_incidents_of_the_same_kind_find_the_earlier_ones_first(
        engine: Engine, corpus: dict[str, Case]) -> None:
    reports = _replay(engine, corpus)
    recurring = [n for i, n in enumerate(SEQUENCE)
                 if any(KIND[m[:4]] == KIND[n[:4]] for m in SEQUENCE[:i])]
    assert len(recurring) == 4
    for name in recurring:
        similar = reports[name].similar_incidents
        assert similar, name
        first = similar[0]
        assert KIND[first.incident[:4]] == KIND[name[:4]], (name, first.incident)
        assert first.similarity >= 0.5
        # every earlier incident of the same kind comes before any other
        kinds = [KIND[s.incident[:4]] for s in similar]
        same = [k == KIND[name[:4]] for k in kinds]
        assert same == sorted(same, reverse=True), (name, kinds)
    ledger = reports["s079-ledger-calls-failing-datadog"].similar_incidents
    assert ledger is not None
    # both earlier ledger incidents first, the one with a confirmed cause ahead
    assert [s.incident for s in ledger[:2]] == ["s023-ledger-calls-failing-alertmanager",
                                                "s042-ledger-calls-failing-grafana"]
    confirmed = ledger[0]
    assert confirmed.confirmed_cause == "certificate"
    assert confirmed.resolution == "fixed s023"
    assert any(w.startswith("shared service: ") for w in confirmed.why)
    assert any(w.startswith("same failure signature: ") for w in confirmed.why)
    assert "same confirmed cause: certificate" in confirmed.why
    # the unconfirmed one has no cause to show
    assert ledger[1].confirmed_cause is None


def test_the_first_incident_has_nothing_similar_and_says_so(
        engine: Engine, corpus: dict[str, Case]) -> None:
    reports = _replay(engine, corpus)
    assert reports[SEQUENCE[0]].similar_incidents == []


def test_a_confirmed_cause_raises_the_right_cause_the_engine_ranked_lower(
        engine: Engine, corpus: dict[str, Case]) -> None:
    case = corpus["s005-qa-site-down-afternoon"]  # labelled data
    incident = incident_of(case)
    alone = engine.analyze(incident)
    assert [c.category for c in alone.root_causes[:2]] == ["network", "data"]
    before = earlier(engine.remember(incident, alone), 9,
                     feedback=[said("data", "correct")], resolution="restored the feed")
    taught = engine.analyze(incident, past=[before])
    assert taught.root_causes[0].category == "data"
    line = taught.root_causes[0].evidence[-1]
    assert line.startswith(f"this happened before: {before.id} on ")
    assert before.started_at is not None
    assert before.started_at.date().isoformat() in line
    assert "confirmed: bad data" in line
    assert taught.similar_incidents is not None
    assert taught.similar_incidents[0].resolution == "restored the feed"


def test_a_cause_marked_wrong_loses_support(engine: Engine, corpus: dict[str, Case]) -> None:
    case = corpus["s015-orders-timeouts-evening"]  # database, and the engine says so
    incident = incident_of(case)
    alone = engine.analyze(incident)
    top = alone.root_causes[0]
    assert top.category == "database"
    before = earlier(engine.remember(incident, alone), 3,
                     feedback=[said("database", "wrong")])
    taught = engine.analyze(incident, past=[before])
    lowered = next(c for c in taught.root_causes if c.category == "database")
    assert lowered.confidence < top.confidence
    assert any(line.startswith(f"this happened before: {before.id}")
               and "marked wrong" in line for line in lowered.counter_evidence)


def test_the_later_word_stands(engine: Engine, corpus: dict[str, Case]) -> None:
    """Confirmed, then marked wrong by someone who knew better: it loses support."""
    case = corpus["s015-orders-timeouts-evening"]
    incident = incident_of(case)
    alone = engine.analyze(incident)
    before = earlier(engine.remember(incident, alone), 3, feedback=[
        said("database", "correct", by="a"), said("database", "wrong", by="b")])
    taught = engine.analyze(incident, past=[before])
    database = next(c for c in taught.root_causes if c.category == "database")
    assert database.confidence < alone.root_causes[0].confidence
    assert taught.similar_incidents is not None
    assert taught.similar_incidents[0].confirmed_cause is None


def test_memory_never_overrides_strong_evidence(engine: Engine, corpus: dict[str, Case]
                                                ) -> None:
    """A confirmed cause the signals speak against stays below a well-supported one."""
    case = corpus["s042-ledger-calls-failing-grafana"]  # a certificate, plainly
    incident = incident_of(case)
    alone = engine.analyze(incident)
    assert alone.root_causes[0].category == "certificate"
    others = [c.category for c in alone.root_causes[1:]]
    assert others
    before = earlier(engine.remember(incident, alone), 1,
                     feedback=[said(others[0], "correct"), said("certificate", "wrong")])
    taught = engine.analyze(incident, past=[before, earlier(before, 2, id="inc-again")])
    assert taught.root_causes[0].category == "certificate"


def test_a_confirmed_cause_of_another_service_does_not_teach(
        engine: Engine, corpus: dict[str, Case]) -> None:
    case = corpus["s005-qa-site-down-afternoon"]
    incident = incident_of(case)
    alone = engine.analyze(incident)
    elsewhere = earlier(engine.remember(incident, alone), 9, services=["billing-batch"],
                        feedback=[said("data", "correct")])
    taught = engine.analyze(incident, past=[elsewhere])
    assert [c.model_dump() for c in taught.root_causes] == \
        [c.model_dump() for c in alone.root_causes]
    assert taught.similar_incidents is not None
    assert [s.incident for s in taught.similar_incidents] == [elsewhere.id]


def test_no_past_incidents_give_todays_report(engine: Engine, corpus: dict[str, Case]
                                              ) -> None:
    for name in SEQUENCE:
        incident = incident_of(corpus[name])
        today = engine.analyze(incident)
        assert today.similar_incidents is None
        empty = engine.analyze(incident, past=[])
        assert empty.similar_incidents == []
        for render in (render_text, render_markdown):
            assert render(empty) == render(today)
        assert "similar_incidents" not in render_json(today)
        # memory consulted and nothing similar: the same report, saying so
        consulted = json.loads(render_json(empty))
        assert consulted.pop("similar_incidents") == []
        assert consulted == json.loads(render_json(today))


def test_the_library_takes_past_incidents_too(engine: Engine, corpus: dict[str, Case]
                                              ) -> None:
    import opsagent

    case = corpus["s005-qa-site-down-afternoon"]
    incident = incident_of(case)
    before = earlier(engine.remember(incident, engine.analyze(incident)), 9,
                     feedback=[said("data", "correct")])
    report = opsagent.analyze(*case.payloads, now=case.expected.now, past=[before])
    assert report.root_causes[0].category == "data"
    assert report.similar_incidents is not None
    assert report.similar_incidents[0].incident == before.id
