"""Never lose an incident to one value: what cannot be read is a note, the rest is triaged."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from typing import Any

import pytest

import opsagent
from opsagent.errors import InputError, InputErrors
from opsagent.ingest import Document, build_incident, parse_text, read_documents
from opsagent.models import ChangeType, Incident, Signal, SignalKind

from .conftest import load

NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)


def incident(*docs: Any, strict: bool = False) -> Incident:
    return build_incident([Document(d, f"doc{i}.json") for i, d in enumerate(docs)], now=NOW,
                          strict=strict)


def metric(inc: Incident, name: str) -> Signal:
    found = [s for s in inc.of_kind(SignalKind.METRIC) if s.name == name]
    assert len(found) == 1, [s.name for s in inc.signals]
    return found[0]


def test_a_generic_event_with_one_unreadable_field_still_reports_the_rest() -> None:
    inc = incident({"service": "checkout", "error_rate": "12%", "latency": "a while",
                    "symptoms": ["payment failures"]})
    assert metric(inc, "error_rate").value == pytest.approx(0.12)
    assert [s.text for s in inc.of_kind(SignalKind.SYMPTOM)] == ["payment failures"]
    (note,) = inc.input_notes
    assert (note.source, note.field, note.value) == ("doc0.json", "latency", "'a while'")
    assert note.expected.startswith("a duration")
    assert inc.extras["latency"] == "a while"  # its words are still evidence
    report = opsagent.analyze({"service": "checkout", "error_rate": "12%",
                               "latency": "a while"}, now=NOW)
    assert [n.field for n in report.input_notes] == ["latency"]
    assert report.severity.level.value == "HIGH"


def test_strict_refuses_what_lenient_reading_notes() -> None:
    event = {"service": "api", "error_rate": "12%", "metrics": {"cpu": "lots", "mem": "?"}}
    with pytest.raises(InputErrors) as caught:
        incident(event, strict=True)
    assert [e.field for e in caught.value.errors] == ["metrics.cpu", "metrics.mem"]
    with pytest.raises(InputErrors):
        opsagent.analyze(event, now=NOW, strict=True)
    assert len(opsagent.analyze(event, now=NOW).input_notes) == 2


def test_human_forms_reach_the_signals() -> None:
    inc = incident({"service": "orders", "metrics": {
        "connections": "500/500", "db_pool": "210/800", "rps": "-70% on 4 of 24 nodes",
        "cpu": "100% on every host", "queue_depth": "10x baseline",
        "memory": "96% (app-2), 93% (app-4)", "heap": "512MiB", "disk": "about 60% of nodes"}})
    assert inc.input_notes == []
    pool = metric(inc, "connections")
    assert (pool.value, pool.limit, pool.text) == (1.0, 500.0, "500/500")
    pool = metric(inc, "db_pool")  # any metric written as used/limit is a saturation
    assert (pool.value, pool.unit, pool.limit) == (pytest.approx(0.2625), "ratio", 800.0)
    rps = metric(inc, "rps")
    assert rps.value is None and rps.baseline_multiple == pytest.approx(0.3)
    assert rps.scope is not None and (rps.scope.affected, rps.scope.total) == (4, 24)
    cpu = metric(inc, "cpu")
    assert cpu.value == 1.0 and cpu.scope is not None and cpu.scope.fraction == 1.0
    assert cpu.scope.text == "on every host"
    assert metric(inc, "queue_depth").baseline_multiple == 10.0
    memory = metric(inc, "memory")
    assert memory.value == 0.96 and memory.scope is not None
    assert memory.scope.instances == ("app-2", "app-4")
    heap = metric(inc, "heap")
    assert (heap.value, heap.unit) == (536_870_912, "bytes")
    disk = metric(inc, "disk")
    assert disk.value is None and disk.scope is not None and disk.scope.fraction == 0.6


def test_a_ratio_metric_written_as_a_size_is_kept_as_bytes() -> None:
    inc = incident({"service": "api", "metrics": {"memory": "4.1GB"}})
    memory = metric(inc, "memory_bytes")
    assert (memory.value, memory.unit, memory.labels["raw_name"]) == (4_100_000_000, "bytes",
                                                                        "memory")


def test_a_bare_one_is_read_as_one_percent_with_a_note() -> None:
    inc = incident({"service": "api", "error_rate": 1, "metrics": {"cpu": 0.5}})
    assert metric(inc, "error_rate").value == 0.01
    assert metric(inc, "cpu").value == 0.5  # below 1: a fraction, no note
    (note,) = inc.input_notes
    assert note.field == "error_rate" and note.value == "1"
    assert '"1%" or "100%"' in note.expected
    assert "error_rate" not in inc.extras  # it was read: not kept as words


@pytest.mark.parametrize("kind", ["script", "maintenance", "migration job", "Chaos-Test"])
def test_a_change_of_any_type_is_kept(kind: str) -> None:
    inc = incident({"service": "api", "error_rate": "6%", "changes": [
        {"type": kind, "at": "2024-11-30T23:00:00Z", "description": "nightly run"}]})
    (change,) = inc.changes
    assert change.change is not None and change.change.type is ChangeType.OTHER
    assert change.labels["type"] == kind
    assert change.text == f"{kind}: nightly run"
    assert inc.input_notes == []


def test_relative_times_in_months_and_years() -> None:
    inc = incident({"service": "api", "error_rate": "3%", "last_deploy": "6 months ago",
                    "changes": [{"type": "config", "at": "a year ago"}]})
    assert sorted(c.at for c in inc.changes if c.at) == [
        datetime(2023, 12, 1, tzinfo=timezone.utc), datetime(2024, 6, 1, tzinfo=timezone.utc)]


def test_one_bad_item_of_a_list_costs_that_item_only() -> None:
    inc = incident({"service": "api", "error_rate": "9%",
                    "changes": [{"type": "deploy", "at": "2024-11-30T22:00:00Z"}, 42],
                    "alerts": [{"name": "ApiErrors"}, {"severity": "critical"}],
                    "dependencies": [{"name": "stripe", "status": "degraded"}, {"status": 1}],
                    "logs": ["FATAL: too many clients", {"message": "x", "count": "many"}]})
    assert len(inc.changes) == 1
    assert [a.name for a in inc.of_kind(SignalKind.ALERT)] == ["ApiErrors"]
    assert {s.dependency for s in inc.of_kind(SignalKind.STATUS)} == {"stripe"}
    assert len(inc.of_kind(SignalKind.LOG)) == 2
    assert [n.field for n in inc.input_notes] == [
        "changes[1]", "dependencies[1].name", "logs[1].count", "alerts[1]"]


def test_one_bad_alert_event_or_document_costs_that_one_only() -> None:
    group = copy.deepcopy(load("alertmanager/storm"))
    group["alerts"][3] = "not an alert"
    events = copy.deepcopy(load("kubernetes/event_list"))
    events["items"][2]["involvedObject"] = "pod/x"
    inc = incident(group, events, ["not", "a", "document"])
    stored = incident(load("alertmanager/storm"), load("kubernetes/event_list"))
    lost = {load("alertmanager/storm")["alerts"][3]["fingerprint"],
            load("kubernetes/event_list")["items"][2]["metadata"]["uid"]}
    assert {s.fingerprint for s in stored.signals} - {s.fingerprint for s in inc.signals} \
        == lost
    assert [(n.source, n.field) for n in inc.input_notes] == [
        ("doc2.json", None), ("doc0.json", "alerts[3]"), ("doc1.json", "items[2].involvedObject")]


def test_nothing_to_triage_is_still_an_error_naming_each_problem() -> None:
    with pytest.raises(InputError) as caught:
        incident({"service": "api", "error_rate": "lots"})
    assert str(caught.value) == "doc0.json: field 'error_rate': expected a ratio such as " \
        "0.18, 18 or \"18%\", got 'lots'"
    with pytest.raises(InputErrors) as several:
        incident({"service": "api", "error_rate": "lots"}, {"foo": 1})
    assert len(several.value.errors) == 2


def test_good_lines_of_ndjson_are_read_around_a_bad_one() -> None:
    raw = b'{"service": "a", "error_rate": "5%"}\n{oops\n{"service": "a", "latency": "2s"}\n'
    docs, problems = read_documents(raw, "events.ndjson")
    assert [d.source for d in docs] == ["events.ndjson:1", "events.ndjson:3"]
    assert [str(p) for p in problems] == [
        "events.ndjson:2: invalid JSON line: Expecting property name enclosed in double quotes"]
    inc = build_incident(docs, now=NOW, problems=problems)
    assert [n.source for n in inc.input_notes] == ["events.ndjson:2"]
    with pytest.raises(InputError):
        parse_text(raw, "events.ndjson")  # the strict reader raises the bad line
    assert json.loads(raw.splitlines()[0])["service"] == "a"
