"""What a user sees for each vendor sample: services, regions, onset, severity, status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opsagent.ingest import build_incident, parse_text
from opsagent.models import (
    ChangeType,
    Incident,
    Signal,
    SignalKind,
    SignalStatus,
    SourceSeverity,
)

from .conftest import NOW, SAMPLES, sample_incident, sample_paths, utc
from .test_ingest_more_formats import SCOPE as MORE_SCOPE

incident = sample_incident


def alerts(inc: Incident) -> list[Signal]:
    return inc.of_kind(SignalKind.ALERT)


def metric(inc: Incident, name: str) -> Signal:
    found = [s for s in inc.of_kind(SignalKind.METRIC) if s.name == name]
    assert found, f"no {name} metric among {[s.name for s in inc.signals]}"
    return found[0]


# name → (adapter, services, regions, zones, environments, onset); a namespace "prod" is
# the production environment
SCOPE: dict[str, tuple[str, list[str], list[str], list[str], list[str], str | None]] = {
    "alertmanager/api_v2_alerts": ("alertmanager", ["checkout"], ["us-east-1"],
                                   ["us-east-1a", "us-east-1b", "us-east-1c"], ["production"],
                                   "2024-05-14T12:10:30.250Z"),
    "alertmanager/firing_checkout": ("alertmanager", ["checkout-service"], ["eu-west-1"],
                                     ["eu-west-1a", "eu-west-1b"], ["production"],
                                     "2024-05-14T09:02:07.512843Z"),
    "alertmanager/resolved": ("alertmanager", ["cart"], ["us-east-2"], [], [],
                              "2024-05-14T13:40:00.123456Z"),
    "alertmanager/truncated": ("alertmanager", ["orders"], [], [], ["production"],
                               "2024-05-14T10:10:00Z"),
    "alertmanager/storm": ("alertmanager", ["cart", "checkout", "orders", "payments"],
                           ["us-east-1"], ["us-east-1a", "us-east-1b", "us-east-1c"],
                           ["production"], "2024-05-14T12:05:00Z"),
    "grafana/firing_values": ("grafana", ["payments-api"], ["us-east-1"], [], ["production"],
                              "2024-06-02T11:51:10.404173Z"),
    "grafana/value_string_resolved": ("grafana", ["inventory"], ["europe-west1"],
                                      ["europe-west1-b"], [], "2024-06-02T06:00:00Z"),
    "grafana/legacy": ("grafana", ["search"], [], [], [], None),
    "pagerduty/v3_incident_triggered": ("pagerduty", ["checkout-api"], [], [], [],
                                        "2024-07-09T14:02:11Z"),
    "pagerduty/v3_incident_resolved": ("pagerduty", ["checkout-api"], [], [], [],
                                       "2024-07-09T14:02:11Z"),
    "pagerduty/v3_incident_annotated": ("pagerduty", [], [], [], [], "2024-07-09T14:10:00Z"),
    "pagerduty/events_v2_trigger": ("pagerduty", ["orders-service"], ["ap-south-1"], [],
                                    ["production"], "2024-07-09T13:58:42.315Z"),
    "pagerduty/events_v2_resolve": ("pagerduty", [], [], [], [], None),
    "pagerduty/change_event": ("pagerduty", ["orders-service"], [], [], ["production"], None),
    "datadog/default_template": ("datadog", [], [], [], [], "2024-06-03T16:02:00Z"),
    "datadog/custom_triggered": ("datadog", ["checkout"], ["us-east-1"], ["us-east-1c"],
                                 ["prod"], "2024-06-03T16:10:00Z"),
    "datadog/recovered": ("datadog", ["checkout"], ["us-east-1"], [], ["prod"], None),
    "datadog/warn_uppercase_keys": ("datadog", ["search"], ["eu-central-1"], ["eu-central-1a"],
                                    ["staging"], "2024-06-03T14:30:00Z"),
    "cloudwatch/sns_rds_cpu": ("cloudwatch", ["orders-db"], ["us-east-1"], [], [],
                               "2024-03-12T09:41:12.804Z"),
    "cloudwatch/lambda_records_alb": ("cloudwatch", ["checkout-alb"], ["eu-west-1"],
                                      ["eu-west-1b"], [], "2024-03-12T09:45:03.117Z"),
    "cloudwatch/sns_ok_ecs": ("cloudwatch", ["cart-service"], ["ap-northeast-1"], [], [], None),
    "cloudwatch/eventbridge_lambda_errors": ("cloudwatch", ["thumbnailer"], ["us-west-2"], [], [],
                                             "2024-03-12T11:05:00.412Z"),
    "cloudwatch/bare_alarm_insufficient": ("cloudwatch", ["invoice-jobs"], ["us-west-2"], [], [],
                                           "2024-03-12T12:00:00Z"),
    "cloudwatch/lambda_alarm_action": ("cloudwatch", ["search-api-alb"], ["eu-central-1"], [],
                                       [], "2024-03-12T14:20:31.118Z"),
    "sentry/issue_alert": ("sentry", ["checkout"], ["us-east-1"], [], ["production"],
                           "2024-08-21T16:42:03.511Z"),
    "sentry/metric_alert_critical": ("sentry", ["search-api"], [], [], ["production"],
                                     "2024-08-21T16:30:00Z"),
    "sentry/metric_alert_resolved": ("sentry", ["checkout"], [], [], [], "2024-08-21T16:41:00Z"),
    "sentry/issue_created": ("sentry", ["notification-service"], [], [], [],
                             "2024-08-21T00:00:04Z"),
    "sentry/legacy_plugin": ("sentry", ["inventory"], ["eu-central-1"], [], ["production"],
                             "2024-08-21T16:50:00.250Z"),
    "github/deployment_status_success": ("github", ["checkout-service"], [], [], ["production"],
                                         None),
    "github/deployment_status_failure": ("github", ["payments"], [], [], ["production"], None),
    "github/deployment_status_in_progress": ("github", ["checkout-service"], [], [],
                                             ["production"], None),
    "github/deployment_created": ("github", ["checkout-service"], ["us-east-1"], [], ["staging"],
                                  None),
    "kubernetes/event_core_backoff": ("kubernetes", ["checkout"], ["eu-west-1"], [], ["production"],
                                      "2024-09-03T07:12:40Z"),
    "kubernetes/events_v1_unhealthy": ("kubernetes", ["search"], ["us-west-2"], [], ["staging"],
                                       "2024-09-03T07:20:00.418822Z"),
    "kubernetes/event_list": ("kubernetes", ["checkout", "payments", "cart"], ["eu-west-1"], [],
                              ["production"], "2024-09-03T07:08:12Z"),
    "kubernetes/pod_oomkilled": ("kubernetes", ["checkout"], ["eu-west-1"], [], ["production"],
                                 "2024-09-03T07:26:02Z"),
    "kubernetes/pod_list": ("kubernetes", ["cart", "payments"], ["eu-west-1"], [], ["production"],
                            "2024-09-03T07:12:00Z"),
    "kubernetes/rollout_argo_aborted": ("kubernetes", ["checkout-api"], [], [], ["production"],
                                        "2024-10-08T14:09:32.660310Z"),
    "kubernetes/deployment_rolling_update": ("kubernetes", ["storefront"], [], [],
                                             ["production"], "2024-10-09T08:30:25Z"),
    "kubernetes/hpa_pending_pods": ("kubernetes", ["search-indexer"], [], [], ["dev"],
                                    "2024-10-10T11:20:16Z"),
    "kubernetes/events_and_pods_crashloop": ("kubernetes", ["orders-api"], ["eu-central-1"], [],
                                             ["staging"], "2024-10-11T09:45:31Z"),
    "kubernetes/pod_list_healthy": ("kubernetes", ["ledger", "ledger-db"], ["eu-west-1"], [],
                                    ["production"], "2024-10-01T06:00:01Z"),
    "kubernetes/node_pressure_events": ("kubernetes", ["billing-worker"], ["eu-west-1"], [], [],
                                        "2024-10-12T02:14:40Z"),
}


def test_every_sample_has_expectations() -> None:
    names = {f"{p.parent.name}/{p.stem}" for p in sample_paths()}
    assert names == set(SCOPE) | set(MORE_SCOPE)


@pytest.mark.parametrize("name", sorted({**SCOPE, **MORE_SCOPE}))
def test_scope_of_each_sample(name: str) -> None:
    adapter, services, regions, zones, environments, onset = {**SCOPE, **MORE_SCOPE}[name]
    inc = incident(name)
    assert inc.sources == [adapter]
    assert inc.services == services
    assert inc.regions == regions
    assert inc.zones == zones
    assert inc.environments == environments
    assert inc.started_at == (utc(onset) if onset else None)
    for signal in inc.signals:
        assert signal.source == adapter
        for key, value in signal.labels.items():
            assert isinstance(key, str) and isinstance(value, str)
        for when in (signal.at, signal.ended_at):
            assert when is None or when.utcoffset() is not None


# ---------------------------------------------------------------------------- alertmanager
def test_alertmanager_nanoseconds_offsets_and_zero_end_time() -> None:
    inc = incident("alertmanager/firing_checkout")
    first, second = alerts(inc)
    assert first.at == utc("2024-05-14T09:02:07.512843Z")  # +02:00 and nanoseconds
    assert second.at == utc("2024-05-14T09:03:41Z")
    assert first.ended_at is None and second.ended_at is None  # 0001-01-01 while firing
    assert {a.status for a in (first, second)} == {SignalStatus.FIRING}
    assert first.severity is SourceSeverity.CRITICAL
    assert "time out" in first.text and "18%" in first.text
    assert first.labels["runbook_url"].startswith("https://")
    assert first.fingerprint == "5b1e0f4c9a2d7e31"
    rate = metric(inc, "error_rate")
    assert rate.value == pytest.approx(0.18)
    assert rate.service == "checkout-service"


def test_alertmanager_resolved_alert_is_recovery() -> None:
    inc = incident("alertmanager/resolved")
    (alert,) = alerts(inc)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.severity is SourceSeverity.WARNING
    assert alert.ended_at == utc("2024-05-14T13:55:30.987654Z")


def test_alertmanager_truncated_alerts_keep_the_storm_size() -> None:
    inc = incident("alertmanager/truncated")
    assert sum(a.count for a in alerts(inc)) == 3 + 12
    truncated = [a for a in alerts(inc) if a.count == 12]
    assert truncated and "12 more alerts" in truncated[0].text
    assert truncated[0].service == "orders"


def test_alertmanager_storm_is_one_incident() -> None:
    inc = incident("alertmanager/storm")
    assert len(alerts(inc)) == 36
    assert {a.name for a in alerts(inc)} == {
        "KubePodCrashLooping", "ContainerOOMKilled", "KubePodNotReady"}
    # pod names lose their ReplicaSet and pod hashes; the exporter's job is not a service
    assert "kube-state-metrics" not in inc.services


# ---------------------------------------------------------------------------- grafana
def test_grafana_values_become_metrics() -> None:
    inc = incident("grafana/firing_values")
    rate = metric(inc, "error_rate")
    assert rate.value == pytest.approx(0.127)  # 12.7 read as percent
    assert rate.objective == pytest.approx(0.05)  # "error rate above 5%" in the summary
    latency = metric(inc, "latency_ms")
    assert latency.value == pytest.approx(2350.0)  # seconds → ms
    assert latency.objective == pytest.approx(1000.0)  # "above 1s"
    first = alerts(inc)[0]
    assert first.severity is SourceSeverity.CRITICAL
    assert first.labels["dashboard_url"] == "https://grafana.acme.test/d/pay01"
    assert "silenceURL" not in first.labels


def test_grafana_value_string_and_resolution() -> None:
    inc = incident("grafana/value_string_resolved")
    (alert,) = alerts(inc)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-06-02T06:45:00Z")
    disk = metric(inc, "disk")
    assert disk.value == pytest.approx(0.912)
    assert disk.status is SignalStatus.RESOLVED


def test_grafana_legacy_alert() -> None:
    inc = incident("grafana/legacy")
    (alert,) = alerts(inc)
    assert alert.severity is SourceSeverity.CRITICAL and alert.status is SignalStatus.FIRING
    assert metric(inc, "cpu").value == pytest.approx(0.974)


# ---------------------------------------------------------------------------- pagerduty
def test_pagerduty_v3_priority_and_service() -> None:
    inc = incident("pagerduty/v3_incident_triggered")
    (alert,) = alerts(inc)
    assert alert.severity is SourceSeverity.CRITICAL  # P1
    assert alert.status is SignalStatus.FIRING
    assert alert.labels["urgency"] == "high"
    assert "payment gateway timeouts" in alert.text


def test_pagerduty_v3_resolved() -> None:
    (alert,) = alerts(incident("pagerduty/v3_incident_resolved"))
    assert alert.status is SignalStatus.RESOLVED
    assert alert.severity is SourceSeverity.WARNING  # P3
    assert alert.ended_at == utc("2024-07-09T14:48:40.120Z")


def test_pagerduty_note_is_a_log_line() -> None:
    inc = incident("pagerduty/v3_incident_annotated")
    (log,) = inc.of_kind(SignalKind.LOG)
    assert "429" in log.text


def test_pagerduty_events_v2_trigger() -> None:
    inc = incident("pagerduty/events_v2_trigger")
    alert = alerts(inc)[0]
    assert alert.at == utc("2024-07-09T13:58:42.315Z")  # "+0000"
    assert alert.severity is SourceSeverity.CRITICAL
    assert alert.dependency == "postgres"
    assert "too many clients" in alert.text
    assert alert.fingerprint == "orders-db-connections-prod"
    assert metric(inc, "error_rate").value == pytest.approx(0.09)
    assert metric(inc, "connections").value == pytest.approx(1.0)


def test_pagerduty_events_v2_resolve() -> None:
    (alert,) = alerts(incident("pagerduty/events_v2_resolve"))
    assert alert.status is SignalStatus.RESOLVED
    assert alert.fingerprint == "orders-db-connections-prod"


def test_pagerduty_change_event() -> None:
    (change,) = incident("pagerduty/change_event").changes
    assert change.change is not None
    assert change.change.type is ChangeType.DEPLOY
    assert change.change.version == "v3.18.0"
    assert change.change.succeeded is True
    assert change.at == utc("2024-07-09T13:41:05Z")


# ---------------------------------------------------------------------------- datadog
def test_datadog_default_template() -> None:
    (alert,) = alerts(incident("datadog/default_template"))
    assert alert.name == "web-frontend 5xx ratio is high"  # "[Triggered]" dropped
    assert alert.at == utc("2024-06-03T16:02:00Z")  # epoch milliseconds in a string
    assert "%%%" not in alert.text and "@webhook" not in alert.text


def test_datadog_tags_priority_and_value() -> None:
    inc = incident("datadog/custom_triggered")
    alert = alerts(inc)[0]
    assert alert.severity is SourceSeverity.CRITICAL  # P1
    assert alert.labels["team"] == "payments"
    assert "connection timeout" in alert.text
    rate = metric(inc, "error_rate")
    assert rate.value == pytest.approx(0.124)
    assert rate.objective == pytest.approx(0.05)


def test_datadog_recovered() -> None:
    (alert,) = alerts(incident("datadog/recovered"))
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-06-03T16:40:00Z")


def test_datadog_warn_with_upper_case_variable_keys() -> None:
    (alert,) = alerts(incident("datadog/warn_uppercase_keys"))
    assert alert.severity is SourceSeverity.WARNING
    assert alert.status is SignalStatus.FIRING
    assert "no space left on device" in alert.text


# ---------------------------------------------------------------------------- cloudwatch
def test_cloudwatch_rds_alarm_through_sns() -> None:
    inc = incident("cloudwatch/sns_rds_cpu")
    alert = alerts(inc)[0]
    assert alert.dependency == "orders-db"
    assert alert.labels["dependency_type"] == "database"
    assert alert.severity is SourceSeverity.ERROR
    assert alert.status is SignalStatus.FIRING
    cpu = metric(inc, "cpu")
    assert cpu.value == pytest.approx(0.973)  # the worst datapoint of NewStateReason
    assert cpu.objective == pytest.approx(0.80)


def test_cloudwatch_lambda_envelope_and_old_region_name() -> None:
    inc = incident("cloudwatch/lambda_records_alb")  # Region "EU - Ireland"
    latency = metric(inc, "latency_ms")
    assert latency.value == pytest.approx(2410.0)
    assert latency.objective == pytest.approx(1000.0)
    assert latency.labels["stat"] == "p95"  # Trigger.ExtendedStatistic


def test_cloudwatch_ok_is_resolved() -> None:
    inc = incident("cloudwatch/sns_ok_ecs")
    (alert,) = alerts(inc)
    assert alert.status is SignalStatus.RESOLVED
    assert alert.ended_at == utc("2024-03-12T10:21:40.001Z")
    assert metric(inc, "memory").value == pytest.approx(0.61)


def test_cloudwatch_eventbridge() -> None:
    inc = incident("cloudwatch/eventbridge_lambda_errors")
    alert = alerts(inc)[0]
    assert "x509" in alert.text
    errors = metric(inc, "Errors")  # no canonical name: kept as CloudWatch calls it
    assert errors.value == 42.0 and errors.objective == 5.0


def test_cloudwatch_alarm_that_invokes_lambda_directly() -> None:
    inc = incident("cloudwatch/lambda_alarm_action")  # source aws.cloudwatch + alarmData
    assert inc.input_notes == []
    (alert,) = alerts(inc)
    assert alert.name == "search-api-p99-latency"
    assert alert.status is SignalStatus.FIRING and alert.severity is SourceSeverity.ERROR
    assert alert.fingerprint == "arn:aws:cloudwatch:eu-central-1:444455556666:alarm:" \
        "search-api-p99-latency"
    assert alert.labels["previous_state"] == "OK"
    assert alert.labels["account"] == "444455556666"
    assert "above 1.5 s" in alert.text  # configuration.description
    latency = metric(inc, "latency_ms")  # TargetResponseTime is in seconds
    assert latency.value == pytest.approx(3420.0)  # the worst of reasonData's datapoints
    assert latency.objective == pytest.approx(1500.0)
    assert latency.labels["stat"] == "p99"  # metricStat.stat


def test_cloudwatch_alarm_with_one_broken_record_keeps_the_others() -> None:
    path = SAMPLES / "cloudwatch" / "lambda_records_alb.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["Records"].append({"EventSource": "aws:sns", "Sns": "not an object"})
    inc = build_incident(parse_text(json.dumps(doc).encode(), "records.json"), now=NOW)
    assert [a.name for a in alerts(inc)] == [a.name for a in alerts(
        incident("cloudwatch/lambda_records_alb"))]
    assert [n.field for n in inc.input_notes] == [f"Records[{len(doc['Records']) - 1}].Sns"]


def test_cloudwatch_insufficient_data_is_informational() -> None:
    (alert,) = alerts(incident("cloudwatch/bare_alarm_insufficient"))
    assert alert.severity is SourceSeverity.INFO
    assert "stopped reporting" in alert.text


# ---------------------------------------------------------------------------- sentry
def test_sentry_issue_alert() -> None:
    inc = incident("sentry/issue_alert")
    alert = alerts(inc)[0]
    assert alert.name == "Checkout errors in production"
    assert "too many connections" in alert.text
    assert alert.labels["server_name"].startswith("checkout-")  # tag pairs → labels
    assert alert.severity is SourceSeverity.ERROR
    (release,) = inc.changes
    assert release.change is not None and release.change.version == "checkout@2.31.0"
    assert release.service == "checkout"


def test_sentry_metric_alerts() -> None:
    critical = incident("sentry/metric_alert_critical")
    assert alerts(critical)[0].severity is SourceSeverity.CRITICAL
    rate = metric(critical, "error_rate")
    assert rate.value == pytest.approx(0.125) and rate.objective == pytest.approx(0.10)
    resolved = incident("sentry/metric_alert_resolved")
    assert alerts(resolved)[0].status is SignalStatus.RESOLVED
    assert alerts(resolved)[0].ended_at == utc("2024-08-21T17:20:00Z")
    assert metric(resolved, "event_count").value == 1532.0


def test_sentry_issue_created() -> None:
    inc = incident("sentry/issue_created")
    alert = alerts(inc)[0]
    assert alert.severity is SourceSeverity.CRITICAL  # fatal
    assert alert.count == 57
    assert "certificate has expired" in alert.text
    (release,) = inc.changes
    assert release.at == utc("2024-08-20T23:52:00Z")


def test_sentry_legacy_plugin() -> None:
    (alert,) = alerts(incident("sentry/legacy_plugin"))
    assert alert.severity is SourceSeverity.WARNING
    assert "SERVFAIL" in alert.text


# ---------------------------------------------------------------------------- github
def _deploy(name: str) -> Signal:
    (change,) = incident(name).changes
    assert change.change is not None
    return change


def test_github_successful_deploy() -> None:
    change = _deploy("github/deployment_status_success")
    assert change.change is not None
    assert change.change.type is ChangeType.DEPLOY
    assert change.change.version == "v2.31.0"
    assert change.change.succeeded is True
    assert change.at == utc("2024-08-21T16:09:40Z")  # when it went live
    assert change.labels["sha"].startswith("a84d88e")


def test_github_failed_and_unfinished_deploys() -> None:
    failed = _deploy("github/deployment_status_failure")
    assert failed.change is not None and failed.change.succeeded is False
    assert failed.change.version == "3f1c2b7"  # a branch ref: the short sha
    running = _deploy("github/deployment_status_in_progress")
    assert running.change is not None and running.change.succeeded is None
    assert running.at == utc("2024-08-21T16:05:11Z")
    rollback = _deploy("github/deployment_created")
    assert rollback.change is not None and rollback.change.type is ChangeType.ROLLBACK


# ---------------------------------------------------------------------------- kubernetes
def test_kubernetes_core_event() -> None:
    (alert,) = alerts(incident("kubernetes/event_core_backoff"))
    assert alert.name == "BackOff" and alert.count == 58
    assert alert.severity is SourceSeverity.ERROR
    assert alert.labels["object"] == "checkout-7d9f8b6c5d-x2x9k"


def test_kubernetes_events_v1() -> None:
    (alert,) = alerts(incident("kubernetes/events_v1_unhealthy"))
    assert alert.count == 14  # series.count
    assert "context deadline exceeded" in alert.text


def test_kubernetes_event_list() -> None:
    inc = incident("kubernetes/event_list")
    names = {a.name for a in alerts(inc)}
    assert names == {"OOMKilling", "BackOff", "FailedScheduling", "Evicted", "FailedMount",
                     "Failed"}
    assert not any(s.name in {"Scheduled", "Pulled"} for s in inc.signals)
    (scale,) = inc.changes
    assert scale.change is not None and scale.change.type is ChangeType.SCALE
    node_oom = next(a for a in alerts(inc) if a.name == "OOMKilling")
    assert node_oom.service is None and node_oom.labels["node"].startswith("ip-10-20-3-41")


def test_kubernetes_oomkilled_pod() -> None:
    inc = incident("kubernetes/pod_oomkilled")
    by_name = {a.name: a for a in alerts(inc)}
    assert set(by_name) == {"OOMKilled", "CrashLoopBackOff"}
    assert "exit code 137" in by_name["OOMKilled"].text
    assert "restarted 7 times" in by_name["OOMKilled"].text
    assert metric(inc, "restarts").value == 7.0


def test_kubernetes_pod_list() -> None:
    inc = incident("kubernetes/pod_list")
    assert {a.name for a in alerts(inc)} == {"Evicted", "ImagePullBackOff"}
    healthy = inc.of_kind(SignalKind.STATUS)
    assert healthy and healthy[0].severity is SourceSeverity.INFO


def test_alertmanager_api_alerts_from_curl() -> None:
    inc = incident("alertmanager/api_v2_alerts")  # a JSON array: one alert per document
    assert [a.status for a in alerts(inc)] == [SignalStatus.FIRING] * 3
    assert [a.ended_at for a in alerts(inc)] == [None] * 3  # endsAt is only an expiry
    assert [a.labels.get("suppressed") for a in alerts(inc)] == [None, None, "true"]
    latency = metric(inc, "latency_ms")
    assert latency.value == pytest.approx(3100.0)
    assert latency.labels["stat"] == "p99"  # from the annotation's words


def test_sample_files_are_objects_or_arrays_of_objects(sample: Path) -> None:
    docs = parse_text(sample.read_bytes(), sample.name)
    data: list[Any] = [d.data for d in docs]
    assert data and all(isinstance(d, dict) for d in data)
