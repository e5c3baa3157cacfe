"""Format detection and the errors a user gets for documents that are not right."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from opsagent.errors import InputError, UnrecognizedInput, UnsupportedInput
from opsagent.ingest import build_incident, detect, parse_text
from opsagent.registry import default_registry

from .conftest import ROOT_EXAMPLE, documents, load, set_field

NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)
VENDOR_ADAPTERS = [a for a in default_registry().adapters() if a.name != "generic"]


def test_every_format_is_registered_before_the_generic_fallback() -> None:
    names = [a.name for a in default_registry().adapters()]
    assert names[-1] == "generic"
    assert set(names) >= {"alertmanager", "grafana", "pagerduty", "datadog", "cloudwatch",
                          "sentry", "github", "kubernetes"}


def test_detection_picks_the_vendor_of_each_sample(sample: Path) -> None:
    for doc in documents(sample):
        adapter = detect(doc, default_registry(), sample.name)
        assert adapter.name == sample.parent.name


def test_no_vendor_adapter_claims_another_vendors_sample(sample: Path) -> None:
    for doc in documents(sample):
        claims = [a.name for a in VENDOR_ADAPTERS if a.detect(doc)]
        assert claims == [sample.parent.name]


def test_the_generic_example_is_left_to_the_generic_adapter() -> None:
    doc = json.loads(ROOT_EXAMPLE.read_text(encoding="utf-8"))
    assert [a.name for a in VENDOR_ADAPTERS if a.detect(doc)] == []
    assert detect(doc, default_registry(), "example").name == "generic"


@pytest.mark.parametrize(
    "doc",
    [
        {"foo": 1, "bar": [1, 2]},
        {"alert_transition": "Triggered"},  # one Datadog-looking key is not enough
        {"action": "created", "pull_request": {"number": 1}},
    ],
    ids=["unknown", "datadog-like", "github-pr-fragment"],
)
def test_unrecognised_documents_say_what_was_expected(doc: dict[str, Any]) -> None:
    raw = json.dumps(doc).encode()
    with pytest.raises(UnrecognizedInput) as caught:
        build_incident(parse_text(raw, "mystery.json"), now=NOW)
    message = str(caught.value)
    assert message.startswith("mystery.json: ")
    for title in ("Prometheus Alertmanager webhook", "Grafana alerting webhook", "PagerDuty",
                  "Datadog webhook", "AWS CloudWatch alarm", "Sentry webhook",
                  "GitHub deployment", "Kubernetes Events"):
        assert title in message


UNSUPPORTED: list[tuple[str, dict[str, Any], str, str]] = [
    ("alertmanager-v3", {"version": "3", "groupKey": "{}:{}", "status": "firing",
                         "receiver": "ops", "alerts": [{"labels": {"alertname": "Down"}}]},
     "Prometheus Alertmanager webhook with version '3'", 'version "4"'),
    ("alertmanager-api-v1", {"status": "success", "data": [
        {"labels": {"alertname": "Down"}, "startsAt": "2024-05-14T10:00:00Z"}]},
     "Alertmanager API v1 response", "/api/v2/alerts"),
    ("grafana-v2", {"version": "2", "orgId": 1, "alerts": [], "status": "firing"},
     "Grafana alerting webhook with version '2'", 'version "1"'),
    ("pagerduty-v2-webhook", {"messages": [{"event": "incident.trigger", "incident": {
        "id": "P1", "status": "triggered", "title": "checkout down"}}]},
     "PagerDuty v2 (or v1) webhook", "V3 webhooks"),
    ("pagerduty-events-v1", {"service_key": "abc", "event_type": "trigger",
                             "description": "checkout down"},
     "PagerDuty Events API v1 event", "Events API v2"),
    ("sns-subscription", {"Type": "SubscriptionConfirmation", "TopicArn": "arn:aws:sns:x",
                          "SubscribeURL": "https://sns.example/confirm", "Message": "confirm"},
     "SNS subscription confirmation", "CloudWatch alarm"),
    ("sns-not-an-alarm", {"Type": "Notification", "Message": "hello",
                          "TopicArn": "arn:aws:sns:x"},
     "SNS Notification whose Message is not a CloudWatch alarm", "EventBridge"),
    ("eventbridge-ec2", {"source": "aws.ec2", "detail-type": "EC2 Instance State-change "
                         "Notification", "detail": {"state": "stopped"}},
     "EventBridge event 'EC2 Instance State-change Notification' from aws.ec2",
     "CloudWatch Alarm State Change"),
    ("lambda-sqs", {"Records": [{"eventSource": "aws:sqs", "body": "{}"}]},
     "Lambda event of aws:sqs records", "SNS notifications"),
    ("k8s-deployment", {"kind": "Deployment", "apiVersion": "apps/v1",
                        "metadata": {"name": "checkout"}},
     "Kubernetes Deployment object", "EventList"),
    ("github-push", {"ref": "refs/heads/main", "commits": [], "repository": {"name": "shop"},
                     "sender": {"login": "dev"}},
     "GitHub push webhook", "deployment_status"),
]


@pytest.mark.parametrize(("name", "doc", "named", "supported"), UNSUPPORTED,
                         ids=[u[0] for u in UNSUPPORTED])
def test_a_known_vendors_document_in_another_shape_is_named(
        name: str, doc: dict[str, Any], named: str, supported: str) -> None:
    with pytest.raises(UnsupportedInput) as caught:
        build_incident(parse_text(json.dumps(doc).encode(), "vendor.json"), now=NOW)
    message = str(caught.value)
    assert message.startswith("vendor.json: not a supported payload: ")
    assert named in message
    assert "supported: " in message and supported in message
    assert "\n" not in message


def test_the_generic_adapter_does_not_claim_another_vendors_document() -> None:
    # an Alertmanager v3 notification has "alerts" and "status", fields of a generic event
    doc = UNSUPPORTED[0][1]
    assert default_registry().adapter("generic").detect(doc)
    with pytest.raises(UnsupportedInput):
        detect(doc, default_registry(), "am.json")


_set = set_field


def _set_in_message(path: tuple[Any, ...], value: Any,
                    envelope: tuple[Any, ...] = ()) -> Callable[[Any], None]:
    """Change a field of the alarm carried as a JSON string in an SNS ``Message``."""

    def mutate(doc: Any) -> None:
        holder = doc
        for key in envelope:
            holder = holder[key]
        message = json.loads(holder["Message"])
        _set(path, value)(message)
        holder["Message"] = json.dumps(message)

    return mutate


BROKEN: list[tuple[str, Callable[[Any], None], str]] = [
    ("alertmanager/firing_checkout", _set(("alerts", 1, "startsAt"), "the day before"),
     "alerts[1].startsAt"),
    ("alertmanager/storm", _set(("alerts", 7, "labels"), "severity=critical"),
     "alerts[7].labels"),
    ("alertmanager/resolved", _set(("alerts", 0, "status"), "exploded"), "alerts[0].status"),
    ("alertmanager/truncated", _set(("truncatedAlerts",), "many"), "truncatedAlerts"),
    ("grafana/firing_values", _set(("alerts", 0, "values"), [44.2]), "alerts[0].values"),
    ("grafana/legacy", _set(("state",), "on fire"), "state"),
    ("pagerduty/v3_incident_triggered", _set(("event", "data", "service"), "Checkout"),
     "event.data.service"),
    ("pagerduty/events_v2_trigger", _set(("payload", "severity"), "urgent"), "payload.severity"),
    ("pagerduty/events_v2_trigger", _set(("payload", "timestamp"), {"at": 1}),
     "payload.timestamp"),
    ("pagerduty/events_v2_resolve", _set(("event_action",), "snooze"), "event_action"),
    ("datadog/custom_triggered", _set(("date",), "soon"), "date"),
    ("datadog/warn_uppercase_keys", _set(("DATE",), "soon"), "DATE"),
    ("datadog/custom_triggered", _set(("tags",), 42), "tags"),
    ("cloudwatch/sns_rds_cpu", _set(("Message",), '{"AlarmName": "orders-db-cpu-high", "New'),
     "Message"),  # a truncated alarm
    ("cloudwatch/sns_rds_cpu", _set_in_message(("Trigger", "Threshold"), "high"),
     "Message.Trigger.Threshold"),
    ("cloudwatch/lambda_records_alb",
     _set_in_message(("NewStateValue",), "MAYBE", envelope=("Records", 0, "Sns")),
     "Records[0].Sns.Message.NewStateValue"),
    ("cloudwatch/eventbridge_lambda_errors", _set(("detail", "state", "timestamp"), "noon"),
     "detail.state.timestamp"),
    ("sentry/issue_alert", _set(("data", "event", "tags"), "env:prod"), "data.event.tags"),
    ("sentry/issue_alert", _set(("data", "event", "timestamp"), "later"),
     "data.event.timestamp"),
    ("sentry/metric_alert_critical", _set(("action",), "panic"), "action"),
    ("sentry/issue_created", _set(("data", "issue", "count"), "lots"), "data.issue.count"),
    ("github/deployment_status_success", _set(("deployment_status", "state"), "exploded"),
     "deployment_status.state"),
    ("github/deployment_created", _set(("deployment", "created_at"), [2024]),
     "deployment.created_at"),
    ("kubernetes/event_list", _set(("items", 4, "count"), "many"), "items[4].count"),
    ("kubernetes/event_core_backoff", _set(("involvedObject",), "pod/checkout"),
     "involvedObject"),
    ("kubernetes/pod_oomkilled",
     _set(("status", "containerStatuses", 0, "restartCount"), "seven"),
     "status.containerStatuses[0].restartCount"),
    ("opsgenie/create_p1", _set(("action",), "Explode"), "action"),
    ("opsgenie/create_p1", _set(("alert", "createdAt"), "yesterday-ish"), "alert.createdAt"),
    ("opsgenie/create_p1", _set(("alert", "details"), ["a"]), "alert.details"),
    ("azure_monitor/metric_fired", _set(("data", "essentials", "monitorCondition"), "Burning"),
     "data.essentials.monitorCondition"),
    ("azure_monitor/metric_fired", _set(("data", "essentials", "severity"), "Sev9"),
     "data.essentials.severity"),
    ("azure_monitor/metric_fired",
     _set(("data", "alertContext", "condition", "allOf", 0, "metricValue"), "high"),
     "data.alertContext.condition.allOf[0].metricValue"),
    ("gcp_monitoring/open_latency", _set(("incident", "state"), "smouldering"),
     "incident.state"),
    ("gcp_monitoring/open_latency", _set(("incident", "started_at"), "at dawn"),
     "incident.started_at"),
    ("gcp_monitoring/open_latency", _set(("incident", "resource"), "cloud run"),
     "incident.resource"),
    ("newrelic/workflow_activated", _set(("state",), "MELTING"), "state"),
    ("newrelic/workflow_activated", _set(("createdAt",), "whenever"), "createdAt"),
    ("newrelic/legacy_policy_open", _set(("current_state",), "melting"), "current_state"),
    ("victorops/critical", _set(("state_start_time",), "dawn"), "state_start_time"),
    ("zabbix/problem_high", _set(("event_status",), "ON FIRE"), "event_status"),
    ("zabbix/problem_high", _set(("event_severity",), "Apocalyptic"), "event_severity"),
    ("zabbix/disaster_tagsjson", _set(("event_tagsjson",), "[not json"), "event_tagsjson"),
    ("kibana/apm_error_rate_fired", _set(("date",), "later"), "date"),
    ("kibana/apm_error_rate_fired", _set(("context",), "checkout"), "context"),
    ("alertmanager_groups/single_group_staging",
     _set(("alerts", 0, "status", "state"), "exploded"),
     "alerts[0].status.state"),
]


@pytest.mark.parametrize(("name", "mutate", "field"), BROKEN,
                         ids=[f"{n}:{f}" for n, _, f in BROKEN])
def test_a_broken_field_is_named(name: str, mutate: Callable[[Any], None], field: str) -> None:
    doc = copy.deepcopy(load(name))
    mutate(doc)
    raw = json.dumps(doc).encode()
    with pytest.raises(InputError) as caught:  # strict: every problem is an error
        build_incident(parse_text(raw, "bad.json"), now=NOW, strict=True)
    error = caught.value
    assert not isinstance(error, UnrecognizedInput)
    assert error.field == field
    assert str(error).startswith(f"bad.json: field '{field}': ")
    assert "\n" not in str(error)
    try:  # lenient: the same line is a note, and the rest of the document is triaged
        incident = build_incident(parse_text(raw, "bad.json"), now=NOW)
    except InputError as exc:  # unless nothing is left to triage
        assert exc.field == field and str(exc) == str(error)
        return
    assert [n.format() for n in incident.input_notes] == [str(error)]
    assert incident.signals
