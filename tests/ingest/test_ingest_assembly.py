"""Several payloads become one incident: services, regions, onset, deduplication."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from typing import Any

from opsagent.ingest import Document, build_incident, parse_text
from opsagent.models import Incident, SignalKind, SignalStatus
from opsagent.names import service_key

from .conftest import load

NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)


def assemble(*docs: Any, now: datetime | None = NOW) -> Incident:
    return build_incident([Document(d, f"doc{i}.json") for i, d in enumerate(docs)], now=now)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_one_service_whatever_each_source_calls_it() -> None:
    inc = assemble(
        load("alertmanager/firing_checkout"),  # service="checkout-service"
        load("datadog/custom_triggered"),  # tag service:checkout
        load("sentry/issue_alert"),  # project "checkout"
        load("pagerduty/v3_incident_triggered"),  # service summary "Checkout API"
        load("github/deployment_status_success"),  # repository acme/checkout-service
    )
    assert len(inc.services) == 1
    assert service_key(inc.services[0]) == "checkout"
    named = {s.service for s in inc.signals if s.service}
    assert named == {inc.services[0]}
    assert sorted(inc.sources) == ["alertmanager", "datadog", "github", "pagerduty", "sentry"]


def test_one_region_form_from_every_source() -> None:
    generic = {"service": "orders", "error_rate": 0.2, "region": "US-EAST-1",
               "timestamp": "2024-03-12T09:40:00Z"}
    inc = assemble(
        load("cloudwatch/sns_rds_cpu"),  # Region "US East (N. Virginia)"
        load("datadog/custom_triggered"),  # tag region:us-east-1, availability-zone:us-east-1c
        load("alertmanager/storm"),  # label region=us-east-1, zones us-east-1a..c
        generic,
    )
    assert inc.regions == ["us-east-1"]
    assert inc.zones == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_a_storm_is_one_incident_with_the_earliest_onset() -> None:
    inc = assemble(load("alertmanager/storm"), load("kubernetes/pod_oomkilled"))
    assert len(inc.of_kind(SignalKind.ALERT)) == 36 + 2
    assert inc.started_at == utc("2024-05-14T12:05:00Z")
    assert inc.services[:1] == ["checkout"]  # most signals first
    assert set(inc.services) == {"cart", "checkout", "orders", "payments"}


def test_the_same_alerts_delivered_twice_are_counted_once() -> None:
    storm = load("alertmanager/storm")
    once = assemble(storm)
    twice = assemble(storm, copy.deepcopy(storm))
    assert len(twice.signals) == len(once.signals) == 36
    assert twice.id == once.id


def test_an_alert_that_fired_then_resolved_is_one_resolved_alert() -> None:
    firing = load("alertmanager/firing_checkout")
    resolved = copy.deepcopy(firing)
    resolved["status"] = "resolved"
    for alert in resolved["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2024-05-14T09:30:00Z"
    for order in ((firing, resolved), (resolved, firing)):
        inc = assemble(*order)
        alerts = inc.of_kind(SignalKind.ALERT)
        assert len(alerts) == 2
        assert {a.status for a in alerts} == {SignalStatus.RESOLVED}
        assert {a.ended_at for a in alerts} == {utc("2024-05-14T09:30:00Z")}
        assert inc.started_at == utc("2024-05-14T09:02:07.512843Z")


def test_a_deployment_keeps_its_latest_status() -> None:
    running = load("github/deployment_status_in_progress")
    done = load("github/deployment_status_success")
    for order in ((running, done), (done, running)):
        (change,) = assemble(*order).changes
        assert change.change is not None and change.change.succeeded is True
        assert change.at == utc("2024-08-21T16:09:40Z")


def test_a_deploy_of_another_service_is_not_part_of_the_scope() -> None:
    inc = assemble(load("alertmanager/firing_checkout"), load("github/deployment_status_failure"))
    assert inc.services == ["checkout-service"]
    assert {c.service for c in inc.changes} == {"payments"}


def test_informational_kubernetes_events_do_not_widen_the_scope() -> None:
    events = load("kubernetes/event_list")
    events["items"].append({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "search-0.1", "namespace": "prod", "uid": "search-killing"},
        "involvedObject": {"kind": "Pod", "namespace": "prod", "name": "search-0"},
        "reason": "Killing", "message": "Stopping container search", "type": "Normal",
        "firstTimestamp": "2024-09-03T06:00:00Z", "count": 1,
    })
    inc = assemble(events)
    assert "search" not in inc.services
    assert inc.started_at == utc("2024-09-03T07:08:12Z")
    assert any(s.kind is SignalKind.LOG and s.service == "search" for s in inc.signals)


def test_mixed_vendors_in_one_ndjson_file() -> None:
    lines = [json.dumps(load(name)) for name in
             ("cloudwatch/sns_rds_cpu", "pagerduty/events_v2_trigger", "kubernetes/pod_oomkilled")]
    docs = parse_text("\n".join(lines).encode(), "mixed.ndjson")
    inc = build_incident(docs, now=NOW)
    assert inc.sources == ["cloudwatch", "kubernetes", "pagerduty"]
    assert [d.source for d in docs] == ["mixed.ndjson:1", "mixed.ndjson:2", "mixed.ndjson:3"]


def test_a_json_array_of_vendor_documents() -> None:
    raw = json.dumps([load("sentry/issue_alert"), load("github/deployment_status_success")])
    inc = build_incident(parse_text(raw.encode(), "batch.json"), now=NOW)
    assert inc.sources == ["github", "sentry"]
    assert len(inc.services) == 1


def test_now_defaults_to_the_latest_timestamp_in_the_payloads() -> None:
    inc = assemble(load("alertmanager/resolved"), now=None)
    assert inc.now == utc("2024-05-14T13:55:30.987654Z")
