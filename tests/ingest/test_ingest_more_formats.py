"""The eight later sources (Opsgenie, Azure Monitor, Google Cloud Monitoring, New Relic,
Splunk On-Call, Zabbix, Kibana, Alertmanager alert groups): what a user sees of each
sample, what each vendor's own fields become, broken fields named, documents of these
vendors in shapes that are not supported named, and triage that makes sense."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import opsagent
from opsagent.errors import UnrecognizedInput, UnsupportedInput
from opsagent.ingest import build_incident, parse_text
from opsagent.models import (
    ChangeType,
    Incident,
    Level,
    Signal,
    SignalKind,
    SignalStatus,
    SourceSeverity,
)

from .conftest import NOW, load, sample_incident, utc

incident = sample_incident


def only(inc: Incident, kind: SignalKind) -> Signal:
    found = inc.of_kind(kind)
    assert len(found) == 1, found
    return found[0]


# name → (adapter, services, regions, zones, environments, onset), checked with the other
# samples' in test_ingest_samples
SCOPE: dict[str, tuple[str, list[str], list[str], list[str], list[str], str | None]] = {
    "opsgenie/addnote_staging": ("opsgenie", ["search"], [], [], ["staging"],
                                 "2024-05-14T07:00:00Z"),
    "opsgenie/close": ("opsgenie", ["checkout-api"], ["eu-west-1"], [], ["production"],
                       "2024-05-14T09:41:00Z"),
    "opsgenie/create_p1": ("opsgenie", ["checkout-api"], ["eu-west-1"], [], ["production"],
                           "2024-05-14T09:41:00Z"),
    "azure_monitor/activity_log_config_write": ("azure_monitor", ["payments"], [], [],
                                                ["production"], None),
    "azure_monitor/log_search_fired": ("azure_monitor", ["cart-api"], [], [], ["staging"],
                                       "2024-05-14T08:03:10Z"),
    "azure_monitor/metric_fired": ("azure_monitor", ["orders"], ["westeurope"], [],
                                   ["production"], "2024-05-14T10:12:31.447123Z"),
    "azure_monitor/metric_resolved": ("azure_monitor", ["orders"], ["westeurope"], [],
                                      ["production"], "2024-05-14T10:12:31.447123Z"),
    "azure_monitor/service_health": ("azure_monitor", [], ["westeurope"], [], [],
                                     "2024-05-14T09:20:00Z"),
    "gcp_monitoring/closed_cpu": ("gcp_monitoring", ["inventory"], ["us-central1"],
                                  ["us-central1-b"], ["staging"], "2024-05-14T07:00:00Z"),
    "gcp_monitoring/open_latency": ("gcp_monitoring", ["checkout-frontend"], ["europe-west1"],
                                    [], ["production"], "2024-05-14T10:05:00Z"),
    "newrelic/legacy_policy_open": ("newrelic", ["search-service"], [], [], ["production"],
                                    "2024-05-14T11:26:40Z"),
    "newrelic/workflow_activated": ("newrelic", ["payments-api"], ["us-east-1"], [],
                                    ["production"], "2024-05-14T10:40:00.512Z"),
    "newrelic/workflow_closed": ("newrelic", ["payments-api"], [], [], [],
                                 "2024-05-14T10:40:00.512Z"),
    "victorops/critical": ("victorops", ["inventory"], [], [], ["production"],
                           "2024-05-14T12:00:00Z"),
    "victorops/recovery": ("victorops", ["inventory"], [], [], ["production"], None),
    "victorops/warning_staging": ("victorops", ["recommendations"], [], [], ["staging"],
                                  "2024-05-14T12:20:00Z"),
    "zabbix/disaster_tagsjson": ("zabbix", ["orders"], [], [], [], "2024-05-14T12:35:00Z"),
    "zabbix/problem_high": ("zabbix", ["payments"], ["eu-central-1"], [], ["production"],
                            "2024-05-14T11:42:07Z"),
    "zabbix/resolved": ("zabbix", ["payments"], [], [], ["production"], "2024-05-14T11:42:07Z"),
    "kibana/apm_error_rate_fired": ("kibana", ["checkout"], [], [], ["production"],
                                    "2024-05-14T13:05:12.481Z"),
    "kibana/index_threshold_recovered": ("kibana", ["search-api"], [], [], ["production"], None),
    "kibana/summary_es_query": ("kibana", ["payments"], [], [], ["production"],
                                "2024-05-14T14:10:00Z"),
    "alertmanager_groups/groups": ("alertmanager_groups", ["checkout", "cart", "orders"],
                                   ["eu-west-1"], [], ["production"], "2024-05-14T12:08:00Z"),
    "alertmanager_groups/single_group_staging": ("alertmanager_groups", ["search-indexer"], [],
                                                 [], ["staging"], "2024-05-14T09:02:00Z"),
}


def test_every_format_has_a_firing_and_a_resolved_sample() -> None:
    statuses: dict[str, set[SignalStatus]] = {}
    for name in SCOPE:
        for signal in incident(name).of_kind(SignalKind.ALERT):
            statuses.setdefault(name.split("/")[0], set()).add(signal.status)  # type: ignore[arg-type]
    # the API lists active alerts only: an alert group has no resolved alert to show
    assert statuses.pop("alertmanager_groups") == {SignalStatus.FIRING}
    assert all(found == {SignalStatus.FIRING, SignalStatus.RESOLVED}
               for found in statuses.values()), statuses


# ------------------------------------------------------------------------------ opsgenie
def test_opsgenie_create_priority_tags_and_details() -> None:
    inc = incident("opsgenie/create_p1")
    alert = only(inc, SignalKind.ALERT)
    assert alert.severity is SourceSeverity.CRITICAL  # P1
    assert alert.status is SignalStatus.FIRING
    assert alert.fingerprint == "checkout-5xx-eu-west-1"  # the alias de-duplicates
    assert "payment could not be processed" in alert.text
    assert alert.labels["team"] == "payments"
    error_rate = only(inc, SignalKind.METRIC)
    assert (error_rate.name, error_rate.value) == ("error_rate", pytest.approx(0.14))


def test_opsgenie_close_is_recovery_at_the_nanosecond_update_time() -> None:
    alert = only(incident("opsgenie/close"), SignalKind.ALERT)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-05-14T10:25:00Z")  # updatedAt in nanoseconds


def test_opsgenie_note_is_a_log_line_and_a_bare_tag_names_the_environment() -> None:
    inc = incident("opsgenie/addnote_staging")
    note = only(inc, SignalKind.LOG)
    assert "Reindex job" in note.text
    assert only(inc, SignalKind.ALERT).severity is SourceSeverity.WARNING  # P3


# ------------------------------------------------------------------------- azure monitor
def test_azure_metric_alert_gives_its_criterion_as_a_canonical_metric() -> None:
    inc = incident("azure_monitor/metric_fired")
    alert = only(inc, SignalKind.ALERT)
    assert alert.severity is SourceSeverity.ERROR  # Sev1
    assert alert.labels["resource_group"] == "rg-shop-prod"
    cpu = only(inc, SignalKind.METRIC)
    assert (cpu.name, cpu.value, cpu.objective) == ("cpu", pytest.approx(0.974),
                                                   pytest.approx(0.85))
    assert "cpu_percent 97.4 above 85" in alert.text


def test_azure_resolved_alert_ends_at_its_resolved_time() -> None:
    alert = only(incident("azure_monitor/metric_resolved"), SignalKind.ALERT)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-05-14T10:31:02.9931Z")


def test_azure_log_search_alert_keeps_its_query_as_a_label_not_as_words() -> None:
    alert = only(incident("azure_monitor/log_search_fired"), SignalKind.ALERT)
    assert alert.labels["query"].startswith("exceptions | where")
    assert "summarize" not in alert.text
    assert "RedisTimeoutException" in alert.text


def test_azure_activity_log_write_is_a_config_change() -> None:
    change = only(incident("azure_monitor/activity_log_config_write"), SignalKind.CHANGE)
    assert change.change is not None
    assert change.change.type is ChangeType.CONFIG
    assert change.change.author == "deploy-bot@example.com"
    assert change.at == utc("2024-05-14T09:58:12.556123Z")


def test_azure_service_health_is_a_platform_incident_in_its_region() -> None:
    alert = only(incident("azure_monitor/service_health"), SignalKind.ALERT)
    assert alert.service is None  # not the subscription id
    assert alert.region == "westeurope"
    assert "Azure platform incident" in alert.text and "elevated error rates" in alert.text


# ---------------------------------------------------------------------- google cloud
def test_gcp_open_incident_gives_the_observed_latency() -> None:
    inc = incident("gcp_monitoring/open_latency")
    alert = only(inc, SignalKind.ALERT)
    assert alert.severity is SourceSeverity.CRITICAL
    assert alert.fingerprint == "0.mt2k7qz9x1ab"
    latency = only(inc, SignalKind.METRIC)
    assert (latency.name, latency.value, latency.objective) == ("latency_ms", 4210.0, 1500.0)
    assert latency.labels.get("stat") == "p99"


def test_gcp_closed_incident_is_recovery_with_epoch_end() -> None:
    inc = incident("gcp_monitoring/closed_cpu")
    alert = only(inc, SignalKind.ALERT)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-05-14T07:30:00Z")
    assert only(inc, SignalKind.METRIC).name == "cpu"


# -------------------------------------------------------------------------- new relic
def test_newrelic_workflow_priority_state_and_count() -> None:
    alert = only(incident("newrelic/workflow_activated"), SignalKind.ALERT)
    assert alert.severity is SourceSeverity.CRITICAL
    assert alert.status is SignalStatus.FIRING
    assert alert.labels["conditions"] == "Error percentage (High)"
    closed = only(incident("newrelic/workflow_closed"), SignalKind.ALERT)
    assert closed.status is SignalStatus.RESOLVED
    assert closed.ended_at == utc("2024-05-14T11:10:00Z")


def test_newrelic_legacy_policy_payload() -> None:
    alert = only(incident("newrelic/legacy_policy_open"), SignalKind.ALERT)
    assert alert.name == "Apdex below 0.7"
    assert alert.severity is SourceSeverity.CRITICAL
    assert "value 0.52" in alert.text
    assert alert.labels["product"] == "APM"


# ------------------------------------------------------------------- splunk on-call
def test_victorops_message_types() -> None:
    inc = incident("victorops/critical")
    alert = only(inc, SignalKind.ALERT)
    assert (alert.severity, alert.status) == (SourceSeverity.CRITICAL, SignalStatus.FIRING)
    assert alert.dependency == "postgres"
    assert alert.fingerprint == "inventory/disk-full/db-inventory-1"
    assert only(inc, SignalKind.METRIC).name == "disk"
    recovery = only(incident("victorops/recovery"), SignalKind.ALERT)
    assert recovery.status is SignalStatus.RESOLVED
    assert recovery.ended_at == utc("2024-05-14T13:00:00Z")
    assert recovery.fingerprint == alert.fingerprint
    assert only(incident("victorops/warning_staging"), SignalKind.ALERT).severity \
        is SourceSeverity.WARNING


# ------------------------------------------------------------------------------ zabbix
def test_zabbix_problem_date_time_tags_and_item_value() -> None:
    inc = incident("zabbix/problem_high")
    alert = only(inc, SignalKind.ALERT)
    assert alert.severity is SourceSeverity.ERROR  # High
    assert alert.at == utc("2024-05-14T11:42:07Z")
    assert alert.ended_at is None  # the unexpanded recovery macros are no value
    assert alert.labels["host"] == "app-payments-03"
    cpu = only(inc, SignalKind.METRIC)
    assert (cpu.name, cpu.value) == ("cpu", pytest.approx(0.973))


def test_zabbix_resolved_ends_at_the_recovery_time() -> None:
    alert = only(incident("zabbix/resolved"), SignalKind.ALERT)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-05-14T12:05:51Z")
    assert alert.fingerprint == "zabbix:8812345"  # the problem's id


def test_zabbix_tags_as_json_and_other_parameter_names() -> None:
    alert = only(incident("zabbix/disaster_tagsjson"), SignalKind.ALERT)
    assert alert.severity is SourceSeverity.CRITICAL  # Disaster
    assert (alert.service, alert.dependency) == ("orders", "mysql-orders")
    assert alert.at == utc("2024-05-14T12:35:00Z")


# ------------------------------------------------------------------------------ kibana
def test_kibana_apm_rule_gives_its_trigger_value() -> None:
    inc = incident("kibana/apm_error_rate_fired")
    alert = only(inc, SignalKind.ALERT)
    assert alert.status is SignalStatus.FIRING
    assert alert.text.startswith("Failed transactions is 23.4%")
    rate = only(inc, SignalKind.METRIC)
    assert (rate.name, rate.value, rate.objective) == ("error_rate", pytest.approx(0.234),
                                                      pytest.approx(0.05))


def test_kibana_recovered_action_group_and_a_count_that_is_no_metric() -> None:
    inc = incident("kibana/index_threshold_recovered")
    assert only(inc, SignalKind.ALERT).status is SignalStatus.RESOLVED
    assert inc.of_kind(SignalKind.METRIC) == []
    summary = incident("kibana/summary_es_query")
    alert = only(summary, SignalKind.ALERT)
    assert (alert.status, alert.dependency) == (SignalStatus.FIRING, "stripe")
    assert summary.of_kind(SignalKind.METRIC) == []  # a document count is not a 5xx ratio


# --------------------------------------------------------------- alertmanager groups
def test_alertmanager_groups_read_each_alert_with_its_group_and_receiver() -> None:
    inc = incident("alertmanager_groups/groups")
    alerts = inc.of_kind(SignalKind.ALERT)
    assert [a.service for a in alerts] == ["checkout", "cart", "orders"]
    assert {a.labels["receiver"] for a in alerts} == {"oncall-pager", "dba-slack"}
    assert alerts[1].labels.get("suppressed") == "true"
    assert all(a.status is SignalStatus.FIRING for a in alerts)
    assert alerts[2].dependency == "orders-db"


# ----------------------------------------------------- other shapes of these vendors
UNSUPPORTED: list[tuple[str, dict[str, Any], str]] = [
    ("azure-other-schema", {"schemaId": "Microsoft.Insights/LogAlert", "data": {
        "SearchQuery": "requests", "AlertRuleName": "x"}},
     "Azure Monitor alert with schemaId 'Microsoft.Insights/LogAlert'"),
    ("azure-classic", {"status": "Activated", "context": {
        "resourceId": "/subscriptions/x", "name": "cpu"}},
     "Azure Monitor classic metric alert"),
    ("gcp-v1", {"version": "1.1", "incident": {"incident_id": "0.x", "policy_name": "p"}},
     "Google Cloud Monitoring notification with version '1.1'"),
    ("victorops-unknown-type", {"message_type": "PANIC", "entity_id": "x"},
     "Splunk On-Call (VictorOps) alert with message_type 'PANIC'"),
    ("alertmanager-v3", {"version": "3", "groupKey": "{}:{}", "status": "firing",
                         "receiver": "ops", "alerts": [{"labels": {"alertname": "Down"}}]},
     "Prometheus Alertmanager webhook with version '3'"),
    ("pagerduty-v2", {"messages": [{"event": "incident.trigger", "incident": {"id": "P1"}}]},
     "PagerDuty v2 (or v1) webhook"),
]


@pytest.mark.parametrize(("name", "doc", "named"), UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_a_document_of_these_vendors_in_another_shape_is_named(
        name: str, doc: dict[str, Any], named: str) -> None:
    with pytest.raises(UnsupportedInput) as caught:
        build_incident(parse_text(json.dumps(doc).encode(), "vendor.json"), now=NOW)
    message = str(caught.value)
    assert message.startswith("vendor.json: not a supported payload: ")
    assert named in message and "supported: " in message


def test_an_unrecognised_document_names_the_new_formats_too() -> None:
    with pytest.raises(UnrecognizedInput) as caught:
        build_incident(parse_text(b'{"what": "is this"}', "mystery.json"), now=NOW)
    for title in ("Opsgenie", "Azure Monitor", "Google Cloud Monitoring", "New Relic",
                  "Splunk On-Call", "Zabbix", "Kibana", "/api/v2/alerts/groups"):
        assert title in str(caught.value)


# ----------------------------------------------------------------- triage makes sense
# name → (severities that make sense, the top category or None for "no confident cause",
#         the service the report names first)
SENSE: dict[str, tuple[set[Level], str | None, str | None]] = {
    "opsgenie/create_p1": ({Level.HIGH}, "dependency_failure", "checkout-api"),
    "opsgenie/close": ({Level.LOW}, None, "checkout-api"),
    "opsgenie/addnote_staging": ({Level.LOW}, None, "search"),
    "azure_monitor/metric_fired": ({Level.MEDIUM, Level.HIGH}, "capacity", "orders"),
    "azure_monitor/metric_resolved": ({Level.LOW}, None, "orders"),
    "azure_monitor/activity_log_config_write": ({Level.LOW}, "config_change", "payments"),
    "azure_monitor/service_health": ({Level.LOW, Level.MEDIUM}, "cloud_provider", None),
    "gcp_monitoring/open_latency": ({Level.MEDIUM, Level.HIGH}, None, "checkout-frontend"),
    "gcp_monitoring/closed_cpu": ({Level.LOW}, None, "inventory"),
    "victorops/critical": ({Level.MEDIUM, Level.HIGH}, "resource_exhaustion", "inventory"),
    "victorops/warning_staging": ({Level.LOW}, "capacity", "recommendations"),
    "zabbix/problem_high": ({Level.MEDIUM, Level.HIGH}, "capacity", "payments"),
    "zabbix/disaster_tagsjson": ({Level.MEDIUM, Level.HIGH}, "database", "orders"),
    "zabbix/resolved": ({Level.LOW}, None, "payments"),
    "kibana/apm_error_rate_fired": ({Level.HIGH}, None, "checkout"),
    "kibana/summary_es_query": ({Level.LOW, Level.MEDIUM}, "dependency_failure", "payments"),
    "newrelic/workflow_activated": ({Level.MEDIUM, Level.HIGH}, None, "payments-api"),
    "newrelic/workflow_closed": ({Level.LOW}, None, "payments-api"),
    "alertmanager_groups/groups": ({Level.HIGH}, None, "checkout"),
    "alertmanager_groups/single_group_staging": ({Level.LOW}, "resource_exhaustion",
                                                 "search-indexer"),
}


@pytest.mark.parametrize("name", sorted(SENSE))
def test_the_triage_of_each_sample_makes_sense(name: str) -> None:
    severities, top, service = SENSE[name]
    report = opsagent.analyze(load(name))
    assert report.severity.level in severities, report.severity.reasons
    if top is not None:
        assert report.root_causes and report.root_causes[0].category == top, \
            [(c.category, c.confidence) for c in report.root_causes]
    assert (report.incident.services[:1] or [None])[0] == service


def test_resolved_and_non_production_samples_get_no_rollback() -> None:
    for name in ("opsgenie/close", "zabbix/resolved", "gcp_monitoring/closed_cpu",
                 "opsgenie/addnote_staging", "victorops/warning_staging"):
        report = opsagent.analyze(load(name))
        assert report.severity.level is Level.LOW
        assert not any("roll back" in a.title.lower() for a in report.actions), name


def test_a_settings_write_in_azure_before_a_new_relic_error_alert_is_the_lead_suspect() -> None:
    change = load("azure_monitor/activity_log_config_write")  # payments-web settings, 09:58
    alert = copy.deepcopy(load("newrelic/workflow_activated"))  # payments-api errors
    alert["createdAt"], alert["updatedAt"] = 1715681100000, 1715681160000  # 10:05
    report = opsagent.analyze(change, alert)
    assert report.root_causes[0].category == "config_change"
    assert report.incident.services == ["payments-api"]  # the change alone does not affect
    assert report.severity.level in {Level.MEDIUM, Level.HIGH}
    alone = opsagent.analyze(change)
    assert alone.severity.level is Level.LOW  # a change alone is not an incident
