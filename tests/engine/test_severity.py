"""The severity rubric of DESIGN.md, as an on-call engineer would grade each case."""

from __future__ import annotations

from typing import Any

import pytest

import opsagent

from ..conftest import NOW

CASES: list[tuple[str, Any, str]] = [
    ("critical service at 6% errors", {"service": "payment-service", "error_rate": "6%"}, "HIGH"),
    ("non-critical service at 6% errors", {"service": "recommendations", "error_rate": "6%"},
     "MEDIUM"),
    ("any customer-facing service at 25%", {"service": "recommendations", "error_rate": "25%"},
     "HIGH"),
    ("internal batch job failing", {"service": "nightly-report", "error_rate": "8%"}, "LOW"),
    ("login broken for users", {"service": "web", "symptoms": ["users cannot log in"]}, "HIGH"),
    ("latency 4x objective on checkout",
     {"service": "checkout", "latency_ms": 4000, "slo": {"latency_ms": 1000}}, "HIGH"),
    ("latency above objective, not critical",
     {"service": "search", "latency_ms": 1500, "slo": {"latency_ms": 1000}}, "MEDIUM"),
    ("staging is not production",
     {"service": "checkout", "environment": "staging", "error_rate": "50%"}, "LOW"),
    ("a blip that recovered",
     {"service": "checkout", "error_rate": "12%", "status": "resolved"}, "LOW"),
    ("disk at 92%", {"service": "search-indexer", "metrics": {"disk": "92%"}}, "MEDIUM"),
    ("warning about one pod", {"service": "api", "alerts": [
        {"name": "PodHighMemory", "severity": "warning",
         "summary": "pod api-7f9c-xk2 memory at 80% of limit"}]}, "LOW"),
    ("a critical alert alone is evidence, not the verdict", {"service": "inventory", "alerts": [
        {"name": "InventorySyncLag", "severity": "critical", "summary": "sync lagging"}]},
     "MEDIUM"),
    ("several regions down", {"service": "api", "regions": ["us-east-1", "eu-west-1"],
                              "error_rate": "35%", "latency": "9s"}, "HIGH"),
    ("suspected breach", {"service": "admin", "symptoms": [
        "unauthorized access with a leaked API key"]}, "HIGH"),
    ("degraded dependency with no measured impact",
     {"service": "search", "dependencies": [{"name": "elasticsearch", "status": "degraded"}]},
     "MEDIUM"),
    ("a vendor's breach with our token seen unused is a precaution",
     {"service": "support-sync", "symptoms": [
         "the vendor reports unauthorised access to customer API tokens",
         "nothing in our audit trail shows the token used by anyone but us"]}, "LOW"),
    ("the same breach without that audit is suspected",
     {"service": "support-sync", "symptoms": [
         "the vendor reports unauthorised access to customer API tokens"]}, "HIGH"),
    ("a tampered script on the payment page",
     {"service": "web-checkout", "symptoms": [
         "the analytics script's sha384 differs from the pinned hash", "checkout works"]}, "HIGH"),
    ("orders a third below normal on a critical service",
     {"service": "checkout", "metrics": {"orders_per_minute": {"value": 130, "baseline": 200}}},
     "HIGH"),
    ("duplicated shipments counted by a check",
     {"service": "fulfilment-api", "metrics": {"duplicated_shipments": "4%"}}, "MEDIUM"),
    ("duplicated rows in an internal report",
     {"service": "stock-report", "metrics": {"duplicated_rows": 2140},
      "symptoms": ["the 06:00 stock report counts returns twice"]}, "LOW"),
    ("wrong prices on a service whose name holds other words' letters",
     {"service": "pricing-service", "symptoms": [
         "customers report about 200 products priced at 0 yen since this morning"]}, "MEDIUM"),
    ("visits off a cliff on a critical service, servers healthy",
     {"service": "storefront", "alerts": [
         {"name": "Storefront sessions", "severity": "warning",
          "summary": "North American sessions down 38% vs last Wednesday"}],
      "symptoms": ["the servers are idle and error-free"]}, "HIGH"),
    ("a small dip in orders is real but partial",
     {"service": "storefront", "symptoms": ["orders per minute dropped 12% this evening"]},
     "MEDIUM"),
    ("a field saying there are none is not a failure",
     {"service": "promo-api", "metrics": {"checkout_errors": "none above normal"},
      "symptoms": ["the weekly promo banner went live"]}, "LOW"),
    ("rejections of customers far above their usual share",
     {"service": "promo-svc", "metrics": {"coupon_rejections": "34% (usual 4%)"}}, "MEDIUM"),
    ("the p99 of a flow is its latency, not its volume",
     {"service": "orders-api", "metrics": {"orders_p99": {"value": 2.1, "threshold": 800}}},
     "LOW"),
]


@pytest.mark.parametrize(("name", "payload", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rubric(name: str, payload: Any, expected: str) -> None:
    report = opsagent.analyze(payload, now=NOW)
    assert report.severity.level.value == expected, report.severity.reasons
    assert report.severity.reasons, "a grade always names its reasons"
    low, high = {"LOW": (0, 0.4), "MEDIUM": (0.4, 0.7), "HIGH": (0.7, 1.01)}[expected]
    assert low <= report.severity.score < high


def test_catalog_tier_and_objectives_change_the_grade(tmp_path: Any) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "services:\n"
        "  fx-rates-feed:\n"
        "    tier: critical\n"
        "    slo: {error_rate: 0.1%}\n"
        "    owners: [finance-platform]\n",
        encoding="utf-8",
    )
    event = {"service": "fx-rates-feed", "error_rate": "6%"}
    assert opsagent.analyze(event, now=NOW).severity.level.value == "MEDIUM"
    graded = opsagent.analyze(event, now=NOW, catalog=catalog)
    assert graded.severity.level.value == "HIGH"
    assert any("critical service fx-rates-feed" in r for r in graded.severity.reasons)


def test_thresholds_are_configurable() -> None:
    event = {"service": "payment-service", "error_rate": "6%"}
    report = opsagent.analyze(event, now=NOW, config={"critical_error_rate": 0.1})
    assert report.severity.level.value == "MEDIUM"


def test_a_firing_error_on_a_critical_service_is_not_low_even_without_numbers() -> None:
    alert = {"version": "4", "groupKey": "{}:{alertname=\"CheckoutErrors\"}", "status": "firing",
             "receiver": "web", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
             "externalURL": "http://am", "alerts": [{
                 "status": "firing", "startsAt": "2026-01-15T11:50:00Z",
                 "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "f1",
                 "labels": {"alertname": "CheckoutErrors", "service": "checkout",
                            "severity": "error", "env": "production"},
                 "annotations": {"summary": "new exception type on POST /orders"}}]}
    report = opsagent.analyze(alert, now=NOW)
    assert report.severity.level.value != "LOW", report.severity.reasons
    staging = json_copy(alert)
    staging["alerts"][0]["labels"]["env"] = "staging"
    assert opsagent.analyze(staging, now=NOW).severity.level.value == "LOW"


def test_a_firing_error_blaming_a_dependency_still_impacts_the_critical_service() -> None:
    """Our own alert on a critical service, naming the dependency it calls (a payment
    gateway timing out), is not "no impact" because the fault may lie elsewhere."""
    rule = {"rule": {"id": "r1", "name": "gateway timeouts in logs", "type": ".es-query",
                     "tags": ["service:payments", "dependency:stripe", "env:production",
                              "severity:high"]},
            "context": {"title": "rule 'gateway timeouts in logs' matched query",
                        "message": "Document count is 184 in the last 5m for logs-payments-*",
                        "value": 184, "date": "2026-01-15T11:55:00.000Z"},
            "alerts": {"all": {"count": 1}, "new": {"count": 1}, "ongoing": {"count": 0},
                       "recovered": {"count": 0}},
            "date": "2026-01-15T11:55:02.000Z"}
    report = opsagent.analyze(rule, now=NOW)
    assert report.severity.level.value != "LOW", report.severity.reasons
    assert report.root_causes[0].category == "dependency_failure"
    internal = json_copy(rule)
    internal["rule"]["tags"] = ["service:nightly-report", "dependency:stripe",
                                "env:production", "severity:high"]
    assert opsagent.analyze(internal, now=NOW).severity.level.value == "LOW"


def test_one_host_of_many_stated_in_words_is_a_single_instance() -> None:
    report = opsagent.analyze({"service": "report-batch", "metrics": {"clock_skew_ms": 4000},
                               "symptoms": ["clock offset on 1 of 40 hosts"]}, now=NOW)
    assert report.severity.level.value == "LOW", report.severity.reasons


def json_copy(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))
