"""The triage of each vendor sample makes sense to an on-call engineer.

Expectations the engine does not meet yet are kept and marked ``xfail(strict=True)`` with
the reason, so that they turn into failures (to un-mark) once the engine is fixed.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from typing import Any

import opsagent
from opsagent.models import Level, TriageReport

from ..conftest import run_cli
from .conftest import SAMPLES, load


def triage(*docs: Any, now: str | None = None) -> TriageReport:
    return opsagent.analyze(*docs, now=now)


def categories(report: TriageReport, top: int = 3) -> list[str]:
    return [cause.category for cause in report.root_causes[:top]]


def deploy(name: str, created: str, finished: str, repository: str | None = None) -> Any:
    """A GitHub deployment_status sample moved in time (and to another repository)."""
    doc = copy.deepcopy(load(name))
    doc["deployment"]["created_at"] = created
    doc["deployment_status"]["created_at"] = finished
    if repository:
        doc["repository"] = {"name": repository.split("/")[-1], "full_name": repository}
    return doc


# ------------------------------------------------------------------------- changes
def test_a_deploy_of_the_alerting_service_is_the_lead_suspect() -> None:
    report = triage(
        deploy("github/deployment_status_success", "2024-05-14T08:45:00Z",
               "2024-05-14T08:52:00Z"),
        load("alertmanager/firing_checkout"),  # checkout alerts from 09:02
    )
    assert categories(report, 1) == ["deploy_regression"]
    assert report.incident.services == ["checkout-service"]


def test_a_failed_deploy_of_the_alerting_service_is_the_lead_suspect() -> None:
    report = triage(
        deploy("github/deployment_status_failure", "2024-05-14T08:45:00Z",
               "2024-05-14T08:52:00Z", repository="acme/checkout-service"),
        load("alertmanager/firing_checkout"),
    )
    assert categories(report, 1) == ["deploy_regression"]


def test_a_deploy_of_another_service_is_not_blamed() -> None:
    same = triage(
        deploy("github/deployment_status_success", "2024-05-14T08:45:00Z",
               "2024-05-14T08:52:00Z"),
        load("alertmanager/firing_checkout"),
    )
    other = triage(
        deploy("github/deployment_status_failure", "2024-05-14T08:45:00Z",
               "2024-05-14T08:52:00Z"),  # acme/payments
        load("alertmanager/firing_checkout"),
    )
    assert categories(other, 1) != ["deploy_regression"]
    assert other.incident.services == ["checkout-service"]
    blamed = {c.category: c.confidence for c in other.root_causes}
    assert blamed.get("deploy_regression", 0.0) < dict(
        (c.category, c.confidence) for c in same.root_causes)["deploy_regression"]


def test_a_deploy_before_a_storm_ranks_high() -> None:
    report = triage(
        deploy("github/deployment_status_success", "2024-05-14T11:50:00Z",
               "2024-05-14T11:58:00Z"),
        load("alertmanager/storm"),
    )
    assert "deploy_regression" in categories(report, 2)


# ------------------------------------------------------------------------- resources
def test_a_storm_of_crash_loops_and_oom_kills_is_resource_exhaustion() -> None:
    report = triage(load("alertmanager/storm"))
    assert categories(report, 1) == ["resource_exhaustion"]
    assert report.severity.level is Level.HIGH  # four production services at once
    assert report.incident.signal_count >= 36


def test_an_oomkilled_pod_is_resource_exhaustion() -> None:
    report = triage(load("kubernetes/pod_oomkilled"))
    assert categories(report, 1) == ["resource_exhaustion"]
    assert report.incident.services == ["checkout"]


def test_kubectl_events_point_at_memory() -> None:
    report = triage(load("kubernetes/event_list"))
    assert categories(report, 1) == ["resource_exhaustion"]


def test_a_pod_eviction_is_not_a_cache_problem() -> None:
    report = triage(load("kubernetes/event_list"))
    assert "cache" not in categories(report, 3)


def test_a_disk_filling_up_is_resource_exhaustion() -> None:
    report = triage(load("datadog/warn_uppercase_keys"))
    assert categories(report, 1) == ["resource_exhaustion"]


# ------------------------------------------------------------------------- databases
def test_an_rds_cpu_alarm_is_a_database_problem() -> None:
    report = triage(load("cloudwatch/sns_rds_cpu"))
    assert categories(report, 1) == ["database"]


def test_an_rds_cpu_alarm_names_the_database() -> None:
    report = triage(load("cloudwatch/sns_rds_cpu"))
    assert report.incident.regions == ["us-east-1"]
    assert "database" in categories(report, 3)
    assert "orders-db" in report.summary


def test_too_many_connections_is_a_database_problem() -> None:
    assert categories(triage(load("sentry/issue_alert")), 1) == ["database"]
    assert categories(triage(load("pagerduty/events_v2_trigger")), 1) == ["database"]


# ------------------------------------------------------------------------- others
def test_an_expired_certificate() -> None:
    assert "certificate" in categories(triage(load("sentry/issue_created")), 2)
    assert "certificate" in categories(triage(load("cloudwatch/eventbridge_lambda_errors")), 2)


def test_servfail_is_dns() -> None:
    assert categories(triage(load("sentry/legacy_plugin")), 1) == ["dns"]


def test_a_429_note_on_a_pagerduty_incident_is_rate_limiting() -> None:
    report = triage(load("pagerduty/v3_incident_triggered"),
                    load("pagerduty/v3_incident_annotated"))
    assert "rate_limit" in categories(report, 2)


def test_a_failing_card_processor_is_a_dependency_failure() -> None:
    report = triage(load("grafana/firing_values"))
    assert categories(report, 1) == ["dependency_failure"]
    assert report.severity.level is Level.HIGH  # 13 % errors on a payments API


def test_a_resolved_alert_is_low_severity_recovery() -> None:
    report = triage(load("alertmanager/resolved"))
    assert report.severity.level is Level.LOW
    assert "recovered" in report.summary


# ------------------------------------------------------------------------- the CLI
def test_kubectl_events_piped_into_the_cli() -> None:
    raw = (SAMPLES / "kubernetes" / "event_list.json").read_text(encoding="utf-8")
    result = run_cli("analyze", "-", "--format", "json", "--now", "2024-09-03T07:40:00Z",
                     stdin=raw)
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["incident"]["services"][0] == "checkout"
    assert report["incident"]["regions"] == ["eu-west-1"]
    assert report["root_causes"][0]["category"] == "resource_exhaustion"


def test_alertmanager_alerts_from_curl_piped_into_the_cli() -> None:
    raw = (SAMPLES / "alertmanager" / "api_v2_alerts.json").read_text(encoding="utf-8")
    result = run_cli("analyze", "-", "--format", "json", stdin=raw)
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["incident"]["services"] == ["checkout"]
    assert report["incident"]["zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert report["incident"]["signal_count"] == 6


def test_a_broken_vendor_value_is_one_note_on_stderr_and_the_alerts_are_triaged(
        tmp_path: Any) -> None:
    doc = load("alertmanager/firing_checkout")
    doc["alerts"][1]["startsAt"] = "the day before"
    doc["alerts"][0]["labels"] = "severity=critical"  # one alert beyond reading
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run_cli("analyze", str(path), "--now", "2024-05-14T10:00:00Z", "-f", "json")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"opsagent: note: {path}: field 'alerts[0].labels': ")
    assert lines[1].startswith(f"opsagent: note: {path}: field 'alerts[1].startsAt': ")
    report = result.json()
    assert report["incident"]["services"] == ["checkout-service"]
    assert {n["field"] for n in report["input_notes"]} == {"alerts[0].labels",
                                                            "alerts[1].startsAt"}
    strict = run_cli("analyze", str(path), "--now", "2024-05-14T10:00:00Z", "--strict")
    assert strict.code == 2 and strict.stdout == ""
    assert len(strict.stderr.splitlines()) == 2


def test_reports_are_stable_for_a_pinned_now() -> None:
    now = datetime(2024, 5, 14, 13, 0, tzinfo=timezone.utc).isoformat()
    first = triage(load("alertmanager/storm"), now=now)
    second = triage(load("alertmanager/storm"), now=now)
    assert first.model_dump(exclude={"analysis"}) == second.model_dump(exclude={"analysis"})
