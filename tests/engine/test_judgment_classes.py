"""Classes of incidents the engine once misread, each pinned by its mechanism: the
reading that decides it, in more than one wording or format."""

from __future__ import annotations

import json
from typing import Any

import pytest

import opsagent
from opsagent.engine.textfacts import affected_shares, stated_drop
from opsagent.ingest.metrics import canonical_metric
from opsagent.values.forms import read_value

from ..conftest import NOW


def triage(*payloads: Any) -> opsagent.TriageReport:
    return opsagent.analyze(*payloads, now=NOW)


@pytest.mark.parametrize(("text", "drop"), [
    ("North American sessions down 38% vs last Wednesday", 0.38),
    ("orders per minute dropped by about 45% since 09:10", 0.45),
    ("Orders per minute 58% below the weekly baseline", 0.58),
    ("checkouts fell to 28% of normal", 0.72),
    ("conversion halved this morning", 0.5),
    ("orders -60% since the release", 0.6),
    ("orders are flat", None),
])
def test_a_stated_drop_reads_as_its_share(text: str, drop: float | None) -> None:
    found = stated_drop(text)
    assert found == pytest.approx(drop) if drop is not None else found is None


def test_shares_that_are_late_or_wrong_without_failing_are_read() -> None:
    (share,) = affected_shares("about a fifth of tenants get their reminders an hour early")
    assert share.value == pytest.approx(0.2) and share.what == "tenants"
    assert affected_shares("4% of orders carry no tax")[0].value == pytest.approx(0.04)


def test_an_amount_of_money_reads_as_its_number() -> None:
    reading = read_value("$41 (baseline $118)", "average_order_value", "quantity")
    assert (reading.value, reading.baseline) == (41.0, 118.0)
    assert read_value("EUR 12.50 (usual EUR 30)", "f", "quantity").baseline == 30.0


@pytest.mark.parametrize("name", ["Cert: Estimated expiration days", "ssl_cert_days_left",
                                  "tls certificate validity days"])
def test_days_to_certificate_expiry_under_vendor_names(name: str) -> None:
    reading = canonical_metric(name, 12)
    assert reading is not None and reading.name == "cert_expiry_days"


def test_a_cloud_region_named_as_the_degraded_dependency_is_a_provider_outage() -> None:
    report = triage({"service": "orders-web", "environment": "production",
                     "region": "asia-northeast1", "error_rate": "87%",
                     "dependencies": [{"name": "google-cloud-asia-northeast1",
                                       "status": "degraded"}]})
    assert report.root_causes[0].category == "cloud_provider"
    third_party = triage({"service": "orders-web", "environment": "production",
                          "error_rate": "87%",
                          "dependencies": [{"name": "stripe", "status": "degraded"}]})
    assert third_party.root_causes[0].category == "dependency_failure"


def test_go_x509_error_before_the_start_date_is_a_clock_behind() -> None:
    base = "x509: certificate has expired or is not yet valid: current time {} is {} {}"
    behind = triage({"service": "cart-api", "environment": "production", "logs": [
        base.format("2019-01-01T00:21:07Z", "before", "2026-05-28T00:00:00Z")]})
    assert behind.root_causes[0].category == "clock"
    expired = triage({"service": "cart-api", "environment": "production", "logs": [
        base.format("2026-06-02T10:00:00Z", "after", "2026-06-01T23:59:59Z")]})
    assert expired.root_causes[0].category == "certificate"


def test_traffic_is_judged_against_its_own_baseline_not_an_alert_threshold() -> None:
    surge = triage({"service": "checkout", "environment": "production",
                    "metrics": {"sessions": "4.6x baseline", "cpu": "96% on all 40 pods"},
                    "symptoms": ["a TV spot aired at 19:40; traffic arrived within minutes"]})
    assert surge.root_causes[0].category == "capacity"
    ratio = triage({"service": "orders-web", "environment": "production",
                    "metrics": {"request_count": {"value": 0.87, "threshold": 0.05}},
                    "error_rate": "87%"})
    assert all("request_count" not in e for c in ratio.root_causes
               if c.category == "capacity" for e in c.evidence)


def test_an_empty_input_accepted_as_success_is_bad_data_with_a_rerun() -> None:
    report = triage({"service": "feed-export", "environment": "production", "symptoms": [
        "runs on Saturday and Sunday exited 0 after reading 0 rows",
        "the comparison partner still shows Friday's stock"]})
    assert report.root_causes[0].category == "data"
    assert any("re-run" in a.title for a in report.actions)


def test_a_leaked_signed_link_is_a_breach_with_access_removed() -> None:
    report = triage({"service": "research-share", "environment": "production", "symptoms": [
        "a SAS link with read and list rights on the whole account was pasted in the "
        "README of a public GitHub repo",
        "overnight egress was 2.3TB, to 37 addresses in two hosting ASNs"]})
    assert report.severity.level.value == "HIGH"
    assert report.root_causes[0].category == "security"
    assert any("public or anonymous access" in a.title for a in report.actions)


def test_a_count_of_failed_requests_beside_a_stated_volume_is_an_error_share() -> None:
    alarm = {"version": "0", "id": "c7a1e4f2-90b3-4d58-a6e1-3f2b9c0d7e84",
             "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
             "account": "123456789012", "time": "2026-01-15T11:55:00Z", "region": "us-east-2",
             "resources": ["arn:aws:cloudwatch:us-east-2:123456789012:alarm:api-5xx"],
             "detail": {"alarmName": "api-5xx",
                        "state": {"value": "ALARM",
                                  "reason": "Threshold Crossed: 1 out of the last 1 datapoints "
                                            "[3412.0 (15/01/26 11:54:00)] was greater than the "
                                            "threshold (100.0) (minimum 1 datapoint for OK -> "
                                            "ALARM transition).",
                                  "timestamp": "2026-01-15T11:55:00.000+0000"},
                        "previousState": {"value": "OK", "reason": "",
                                          "timestamp": "2026-01-14T09:30:41.000+0000"},
                        "configuration": {
                            "description": "5xx returned by the partner API (normal traffic "
                                           "is about 15k requests per minute)",
                            "metrics": [{"id": "m1", "metricStat": {
                                "metric": {"namespace": "AWS/ApplicationELB",
                                           "name": "HTTPCode_Target_5XX_Count",
                                           "dimensions": {"LoadBalancer": "app/partner-api/1"}},
                                "period": 60, "stat": "Sum"}, "returnData": True}]}}}
    report = triage(alarm)
    assert report.severity.level.value == "HIGH", report.severity.reasons
    assert any("requests per minute" in r for r in report.severity.reasons)


def test_a_cache_flush_before_the_onset_is_the_cache_not_the_database_it_overloads() -> None:
    report = triage({"service": "social-api", "environment": "production",
                     "metrics": {"cache_hit_rate": "3% (was 94%)", "error_rate": "31%"},
                     "dependencies": [{"name": "profiles-db", "status": "degraded"}],
                     "changes": [{"type": "maintenance", "at": "20 minutes ago",
                                  "name": "FLUSHALL on redis-profiles from a prod shell"}],
                     "symptoms": ["profiles time out for most users"]})
    assert report.root_causes[0].category == "cache"
    assert any("emptied or reshaped a cache" in e for e in report.root_causes[0].evidence)


def test_a_negation_does_not_eat_the_words_before_it() -> None:
    from opsagent.engine.observed import ObservedText
    from opsagent.knowledge.loader import load_knowledge

    observed = ObservedText(load_knowledge().observations)
    assert "checkout fails" in observed("checkout fails without retries")
    assert "nodes" in observed("the other 23 nodes carry its share without trouble")


@pytest.mark.parametrize(("payload", "expected"), [
    # an alert from planned, drained work, and nothing users touch failing
    ({"service": "fra2-core", "environment": "production",
      "alerts": [{"name": "core-sw-2 uplink DOWN", "severity": "critical",
                  "summary": "Port-Channel10 (uplink to spine-1) is DOWN"}],
      "changes": [{"type": "maintenance", "at": "10 minutes ago",
                   "description": "planned firmware upgrade on core-sw-2 (CHG-4471); "
                                  "traffic drained beforehand"}]}, "LOW"),
    # rated critical, with its own reading within bounds
    ({"service": "events-kafka", "environment": "production",
      "alerts": [{"name": "Disk used above 75% on kafka-3", "severity": "critical"}],
      "metrics": {"disk": "78% on kafka-3"}}, "LOW"),
    # the same label with the reading past its bound
    ({"service": "events-kafka", "environment": "production",
      "alerts": [{"name": "Disk used above 75% on kafka-3", "severity": "critical"}],
      "metrics": {"disk": "97% on kafka-3"}}, "MEDIUM"),
    # one node out of rotation while the others carry its share
    ({"service": "storefront-web", "environment": "production",
      "alerts": [{"name": "web-14 is unavailable by ICMP", "severity": "critical"}],
      "symptoms": ["the load balancer took web-14 out of rotation",
                   "the other 23 nodes carry its share"]}, "LOW"),
    # a job that went through on its retry
    ({"service": "ledger-sync", "environment": "production",
      "alerts": [{"name": "HTTPError 429 from partner", "severity": "error"}],
      "symptoms": ["the batch was accepted on the second try",
                   "4,210/4,210 filings submitted"]}, "LOW"),
])
def test_alarming_labels_with_nothing_users_feel_are_low(payload: Any, expected: str) -> None:
    report = triage(payload)
    assert report.severity.level.value == expected, report.severity.reasons


def test_thousands_of_users_counted_by_the_vendor_on_a_critical_flow_is_high() -> None:
    issue = {"action": "created", "actor": {"id": "sentry", "name": "Sentry",
                                            "type": "application"},
             "data": {"issue": {"id": "5410038861", "shortId": "CHECKOUT-API-2F1",
                                "title": "KeyError: 'shipping_zone'",
                                "culprit": "checkout.services.totals in compute_totals",
                                "level": "error", "status": "unresolved", "substatus": "new",
                                "count": "9874", "userCount": 4127,
                                "firstSeen": "2026-01-15T11:41:03.000000Z",
                                "lastSeen": "2026-01-15T11:58:47.000000Z",
                                "metadata": {"type": "KeyError", "value": "'shipping_zone'"},
                                "platform": "python",
                                "project": {"id": "4504417", "name": "checkout-api",
                                            "slug": "checkout-api"}}},
             "installation": {"uuid": "23446933-3885-fb9b-0477-f6da1b00864f"}}
    assert triage(issue).severity.level.value == "HIGH"
    few = json_copy(issue)
    few["data"]["issue"]["userCount"] = 12
    assert triage(few).severity.level.value == "MEDIUM"


def json_copy(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))


def test_a_certificate_weeks_from_expiry_and_a_disk_filling_with_headroom_are_low() -> None:
    cert = triage({"service": "storefront-api", "environment": "production",
                   "alerts": [{"name": "TLS expiry: api.shop.example in 25 days",
                               "severity": "critical"}]})
    assert (cert.severity.level.value, cert.root_causes[0].category) == ("LOW", "certificate")
    disk = triage({"service": "events-kafka", "environment": "production",
                   "alerts": [{"name": "Disk used above 75% on kafka-3", "severity": "critical"}],
                   "metrics": {"disk": "78% (kafka-3), 74% (kafka-1)"}})
    assert disk.severity.level.value == "LOW"
    assert disk.root_causes[0].category == "resource_exhaustion"


def _datadog(query: str, value: str, msg: str) -> dict[str, Any]:
    return {"alert_id": "70318842", "alert_title": "[Triggered] widget render errors",
            "alert_transition": "Triggered", "alert_type": "warning", "alert_priority": "P3",
            "alert_metric": "widget.render.errors", "alert_query": query, "value": value,
            "date": "1768478400000", "event_msg": msg,
            "tags": "env:prod,service:storefront-web,widget:recommendations"}


def test_a_datadog_monitor_that_divides_failures_by_all_reads_as_an_error_share() -> None:
    ratio = ("sum(last_10m):sum:widget.render.errors{service:storefront-web}.as_count() / "
             "sum:widget.render.total{service:storefront-web}.as_count() > 0.03")
    report = triage(_datadog(ratio, "0.057", "picks time out against the ranker"))
    assert any("error rate 5.7%" in r for r in report.severity.reasons), report.severity.reasons
    covered = triage(_datadog(ratio, "0.057", "picks time out; the strip falls back to "
                                              "bestsellers"))
    assert covered.severity.level.value == "MEDIUM", covered.severity.reasons


def test_a_request_rate_metric_gives_the_volume_behind_an_error_count() -> None:
    report = triage({"service": "payments-api", "environment": "production",
                     "metrics": {"requests": "about 4,500 a minute at this hour",
                                 "HTTPCode_Target_5XX_Count": 3120}})
    assert report.severity.level.value == "HIGH", report.severity.reasons


def test_a_release_tag_of_unknown_time_does_not_make_a_regression_likely() -> None:
    report = triage({"service": "payments-api", "environment": "production",
                     "error_rate": "60%",
                     "changes": [{"type": "deploy", "version": "6.17.1"}],
                     "logs": ["OSError: [Errno 24] Too many open files"]})
    top = report.root_causes[0]
    assert top.category == "resource_exhaustion", [(c.category, c.confidence)
                                                   for c in report.root_causes]


def test_an_alert_from_planned_work_is_acknowledged_not_reverted() -> None:
    report = triage({"service": "fra2-core", "environment": "production",
                     "alerts": [{"name": "core-sw-2 uplink DOWN", "severity": "critical"}],
                     "changes": [{"type": "maintenance", "at": "10 minutes ago",
                                  "description": "planned firmware upgrade on core-sw-2"}]})
    titles = [a.title for a in report.actions]
    assert titles and titles[0].startswith("Acknowledge or silence the alert"), titles
    assert not any(t.startswith(("Revert", "Roll back")) for t in titles), titles


def test_a_datastores_words_said_of_a_cache_are_the_caches_trouble() -> None:
    report = triage({"service": "catalog-web", "environment": "production",
                     "latency_ms": 3400, "slo": {"latency_ms": 800},
                     "symptoms": ["the listing Redis primary failed over to its replica"]})
    assert report.root_causes[0].category == "cache", [c.category for c in report.root_causes]


def test_a_resource_reading_in_two_regions_is_not_an_outage_of_both() -> None:
    # replicas and spend climbing in two regions, errors and latency normal
    payloads = [{"service": "search-api", "environment": "production", "region": region,
                 "error_rate": "0.2%", "baseline_error_rate": "0.2%",
                 "metrics": {"cpu": "18%", "replicas": {"value": 180, "baseline": 30}}}
                for region in ("us-east-1", "eu-west-1")]
    assert triage(*payloads).severity.level.value != "HIGH"
    failing = [{**p, "error_rate": "35%"} for p in payloads]
    assert triage(*failing).severity.level.value == "HIGH"


def test_a_cloudwatch_anomaly_band_edge_is_the_alarms_threshold() -> None:
    reason = ("Thresholds Crossed: 3 out of the last 3 datapoints [14.0 (22/09/26 07:15:00), "
              "19.0 (22/09/26 07:10:00), 22.0 (22/09/26 07:05:00)] were less than the lower "
              "thresholds [188.4, 191.2, 185.9] (minimum 3 datapoints for OK -> ALARM "
              "transition).")
    message = {"AlarmName": "web-checkouts-below-band", "NewStateValue": "ALARM",
               "NewStateReason": reason, "StateChangeTime": "2026-03-14T10:20:00.000+0000",
               "Region": "EU (Ireland)",
               "AlarmArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x",
               "OldStateValue": "OK",
               "Trigger": {"ComparisonOperator": "LessThanLowerThreshold",
                           "ThresholdMetricId": "ad1", "Metrics": [
                               {"Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "Id": "ad1"},
                               {"Id": "m1", "MetricStat": {"Metric": {
                                   "MetricName": "CheckoutsCompleted",
                                   "Namespace": "Shop/Business"}, "Stat": "Sum"}}]}}
    report = triage({"Type": "Notification", "Message": json.dumps(message),
                     "TopicArn": "arn:aws:sns:eu-west-1:111122223333:alarms",
                     "Timestamp": "2026-03-14T10:20:01.000Z"})
    # 14 against a floor of 188: checkouts have all but stopped
    assert report.severity.level.value == "HIGH"
    assert any("188.4" in reason for reason in report.severity.reasons)


@pytest.mark.parametrize(("rate", "baseline", "elevated"), [
    (1.5, 0.1, True),       # 1.5 % against 0.1 %: fifteen times normal
    ("1.5", "0.1", True),
    (0.015, 0.001, True),   # fractions, on one scale already
    (1.5, 2, False),        # 1.5 % against 2 %: normal
])
def test_bare_numbers_beside_their_baseline_share_one_scale(
        rate: Any, baseline: Any, elevated: bool) -> None:
    report = triage({"service": "auth-gateway", "environment": "production",
                     "error_rate": rate, "baseline_error_rate": baseline})
    assert (report.severity.level.value != "LOW") is elevated


def test_what_customers_ask_is_a_question_not_a_fact() -> None:
    def event(symptom: str) -> dict[str, Any]:
        return {"service": "billing", "environment": "production", "symptoms": [symptom]}

    stated = triage(event("customers were charged twice for their renewal"))
    asked = triage(event("customers ask whether they were charged twice for their renewal"))
    assert stated.severity.level.value == "HIGH"
    assert asked.severity.level.value != "HIGH"
    assert not any("refund" in a.title.lower() for a in asked.actions)


@pytest.mark.parametrize("summary", ["PRICE_TTL_SECONDS back to 3600 (revert)",
                                     "reverted the TTL change of this morning",
                                     "rollback of the 09:12 config push"])
def test_a_change_that_undoes_one_is_not_reverted_again(summary: str) -> None:
    report = triage({"service": "pricing-api", "environment": "production",
                     "latency_ms": 2400, "baseline_latency_ms": 180,
                     "changes": [{"type": "config", "service": "pricing-api",
                                  "at": "2026-01-15T11:12:00Z",
                                  "description": "PRICE_TTL_SECONDS 3600 -> 60"},
                                 {"type": "config", "service": "pricing-api",
                                  "at": "2026-01-15T11:41:00Z", "description": summary}]})
    assert report.root_causes[0].category == "config_change"
    assert not any(a.title.lower().startswith(("revert", "roll back")) for a in report.actions)


@pytest.mark.parametrize(("later", "deploy_at"), [
    ({"type": "config", "description": "connection pool max 200 -> 20"}, "11:20"),
    ({"type": "maintenance", "description": "cache cluster resharded"}, "11:25"),
])
def test_a_deploy_that_ran_cleanly_until_a_later_change_is_not_rolled_back(
        later: dict[str, str], deploy_at: str) -> None:
    def incident(*changes: dict[str, str]) -> dict[str, Any]:
        return {"service": "profiles-api", "environment": "production", "error_rate": "31%",
                "started_at": "2026-01-15T11:45:00Z", "changes": list(changes)}

    deploy = {"type": "deploy", "service": "profiles-api", "version": "v8.14.0",
              "at": f"2026-01-15T{deploy_at}:00Z"}
    near = {**later, "service": "profiles-api", "at": "2026-01-15T11:43:00Z"}
    rollback = "roll back the last deployment"
    assert any(rollback in a.title.lower() for a in triage(incident(deploy)).actions)
    both = triage(incident(deploy, near))
    assert not any(rollback in a.title.lower() for a in both.actions)


@pytest.mark.parametrize(("description", "planned"), [
    ("planned failover of orders-db in the change window", True),
    ("failover of orders-db meant for the staging cluster, run from a prod shell", False),
    ("scheduled maintenance run against the wrong database by mistake", False),
])
def test_work_that_went_where_it_was_not_meant_to_is_not_planned(
        description: str, planned: bool) -> None:
    report = triage({"service": "orders-api", "environment": "production",
                     "alerts": [{"name": "OrdersDbConnectionsDropped", "severity": "critical"}],
                     "changes": [{"type": "maintenance", "service": "orders-api",
                                  "at": "2026-01-15T11:50:00Z", "description": description}]})
    assert (report.severity.level.value == "LOW") is planned


@pytest.mark.parametrize(("text", "drop"), [
    ("Orders per minute 61 (forecast 180-240)", 1 - 61 / 180),
    ("Average order value is EUR 4.31 (7-day band EUR 61-78)", 1 - 4.31 / 61),
    ("checkouts 1,200 (usual 1,000 at this hour)", None),  # above its usual: no drop
])
def test_a_reading_beside_its_forecast_reads_as_a_drop(text: str, drop: float | None) -> None:
    found = stated_drop(text)
    assert found == pytest.approx(drop) if drop is not None else found is None


def test_an_alert_about_payments_is_not_bounded_by_a_cpu_reading() -> None:
    def event(alert: str) -> dict[str, Any]:
        return {"service": "storefront", "environment": "production",
                "metrics": {"cpu": "38%"},
                "alerts": [{"name": alert, "severity": "critical"}]}

    assert triage(event("CPU usage high on storefront")).severity.level.value == "LOW"
    payments = triage(event("Customers cannot find how to pay: 'Pay now' missing"))
    assert payments.severity.level.value != "LOW"


@pytest.mark.parametrize(("name", "used"), [
    ("NodeFilesystemAlmostOutOfSpace", 0.9786),   # node-exporter mixin: % available
    ("disk_free_percent", 0.92),
    ("filesystem space left", 0.96),
    ("disk_used_percent", 0.0214),
])
def test_the_space_a_disk_has_left_reads_as_the_share_used(name: str, used: float) -> None:
    reading = canonical_metric(name, 2.14 if "Out" in name or "used" in name else
                               8 if "free" in name else 0.04)
    assert reading is not None and reading.name == "disk"
    assert reading.value == pytest.approx(used)


@pytest.mark.parametrize("symptom", [
    "customers pay but get no order confirmation; the warehouse gets no new orders since 18:50",
    "support says no payments are going through on the web shop",
])
def test_a_flow_that_stopped_in_words_is_a_broken_critical_flow(symptom: str) -> None:
    report = triage({"service": "order-confirmer", "environment": "production",
                     "symptoms": [symptom]})
    assert report.severity.level.value == "HIGH"


@pytest.mark.parametrize("name", ["gcs_write_errors_ratio", "upload_failures_rate",
                                  "checkout.errors.percent"])
def test_plural_error_and_failure_ratios_read_as_error_rates(name: str) -> None:
    reading = canonical_metric(name, 0.87)
    assert reading is not None and reading.name == "error_rate"


def test_unauthorized_access_is_a_breach_not_a_rejected_credential() -> None:
    report = triage({"service": "source-control", "environment": "production",
                     "symptoms": ["the vendor is investigating unauthorized access to our "
                                  "token store",
                                  "private repositories were cloned at night from unknown "
                                  "addresses outside the vendor's published ranges"]})
    assert report.root_causes[0].category == "security"
    refused = triage({"service": "tax-api", "environment": "production", "error_rate": "40%",
                      "logs": ["HTTP 401 Unauthorized from the tax provider"]})
    assert refused.root_causes[0].category != "security"


def test_data_read_anonymously_is_a_security_cause() -> None:
    report = triage({"service": "billing-docs", "environment": "production",
                     "alerts": [{"name": "AWS Config: s3-bucket-public-read-prohibited "
                                         "NON_COMPLIANT", "severity": "warning"}],
                     "logs": ["1,912 anonymous GETs since 16:10 from 4 addresses outside "
                              "our CDN ranges"]})
    assert "security" in [c.category for c in report.root_causes[:3]]


def test_a_low_security_finding_is_a_ticket_not_the_incident_process() -> None:
    report = triage({"service": "infra-modules", "environment": "staging",
                     "alerts": [{"name": "tfsec: bucket allows public read access on "
                                         "branch feature/cdn", "severity": "warning"}]})
    titles = [a.title.lower() for a in report.actions]
    assert report.severity.level.value == "LOW"
    assert not any("incident process" in t for t in titles)


def test_a_tools_name_is_not_bot_traffic() -> None:
    report = triage({"service": "checkout", "environment": "production", "error_rate": "42%",
                     "alerts": [{"name": "Checkout 5xx ratio",
                                 "description": "image checkout:pr-3318 deployed at 11:58 by "
                                                "preview-bot"}]})
    assert "security" not in [c.category for c in report.root_causes]


@pytest.mark.parametrize("said", ["nobody is charged a wrong price",
                                  "no one was charged twice"])
def test_nobody_harmed_in_words_is_no_wrong_data(said: str) -> None:
    report = triage({"service": "offers-web", "environment": "production",
                     "symptoms": ["4% of views show an offer that already ended", said]})
    assert report.severity.level.value != "HIGH"
    assert not any("wrong" in r and said in r for r in report.severity.reasons)


def test_planned_work_long_before_the_onset_does_not_calm_the_alert() -> None:
    def event(at: str) -> dict[str, Any]:
        return {"service": "kiosk-pos", "environment": "production",
                "alerts": [{"name": "Kiosk heartbeat missing", "severity": "critical"}],
                "changes": [{"type": "maintenance", "service": "kiosk-pos", "at": at,
                             "description": "planned battery swap in 14 stores"}]}

    assert triage(event("2026-01-15T11:50:00Z")).severity.level.value == "LOW"
    assert triage(event("2026-01-14T23:30:00Z")).severity.level.value != "LOW"


def test_a_schedule_in_local_time_that_credited_twice_is_a_time_bug() -> None:
    report = triage({"service": "loyalty-batch", "environment": "production",
                     "logs": ["cron (TZ=America/New_York): 30 1 * * * monthly-credit",
                              "monthly-credit run 2 started 01:30 EST, credited 61,220 members"],
                     "symptoms": ["members report double points for October"]})
    assert report.root_causes[0].category == "clock"
    assert any("double points" in reason for reason in report.severity.reasons)


def test_a_signed_request_refused_for_its_timestamp_is_the_senders_clock() -> None:
    report = triage({"service": "partner-gateway", "environment": "production",
                     "logs": ["401 from carrier API: request timestamp outside the allowed "
                              "window (300s)"]})
    assert report.root_causes[0].category == "clock"


def test_input_a_validation_check_held_back_is_bad_data() -> None:
    report = triage({"service": "catalog-import", "environment": "production",
                     "logs": ["FeedValidationError: 212 of 48,016 rows have weight_kg = 0 "
                              "after parsing (limit 50); feed quarantined"]})
    assert report.root_causes[0].category == "data"


@pytest.mark.parametrize(("priority", "urgency", "paged"), [
    ("P2", "low", True), (None, "high", True), ("P4", "low", False)])
def test_a_customer_facing_alert_its_sender_pages_for_is_not_no_impact(
        priority: str | None, urgency: str, paged: bool) -> None:
    data: dict[str, Any] = {
        "id": "Q1", "type": "incident", "status": "triggered", "urgency": urgency,
        "created_at": "2026-01-15T11:50:00Z", "number": 7,
        "title": "Label queue 6,400 and growing, packers idle",
        "service": {"id": "PS1", "summary": "Shop API", "type": "service_reference"},
        "priority": {"id": "PP", "summary": priority, "type": "priority"} if priority else None}
    report = triage({"event": {"id": "E1", "event_type": "incident.triggered",
                               "resource_type": "incident",
                               "occurred_at": "2026-01-15T11:50:00Z", "data": data}})
    assert (report.severity.level.value == "MEDIUM") is paged


@pytest.mark.parametrize("name", ["edge_5xx_ratio", "checkout_error_ratio", "api_5xx_percent",
                                  "failed_pct", "pct_failed", "failed request share"])
def test_a_share_of_failing_requests_under_a_prefix_is_an_error_rate(name: str) -> None:
    report = triage({"service": "storefront", "environment": "production",
                     "metrics": {name: "79%"}})
    assert report.severity.level.value == "HIGH"


def test_a_cdn_provider_owning_up_is_a_dependency_not_a_cache() -> None:
    report = triage({"service": "web-edge", "environment": "production", "error_rate": "81%",
                     "logs": ["Update 11:10 UTC: the CDN provider confirmed a bug triggered "
                              "by a customer configuration affected their whole network"]})
    assert report.root_causes[0].category == "dependency_failure"
    purge = triage({"service": "web-edge", "environment": "production",
                    "logs": ["after the CDN purge at 10:02 origin requests rose 40x"]})
    assert purge.root_causes[0].category == "cache"


def test_one_part_failing_while_the_rest_works_is_a_degradation() -> None:
    def event(rate: str, said: str) -> dict[str, Any]:
        return {"service": "docs-web", "environment": "production", "error_rate": rate,
                "symptoms": [said]}

    part = "users cannot attach files; editing, comments, sign-in and search work"
    assert triage(event("60%", part)).severity.level.value == "MEDIUM"
    # a part that is down altogether stays HIGH, and so does a whole outage
    assert triage(event("100%", part)).severity.level.value == "HIGH"
    assert triage(event("60%", "sign-in stopped working for everyone")
                  ).severity.level.value == "HIGH"


def test_an_injection_that_reached_the_database_is_a_breach() -> None:
    report = triage({"service": "catalog-search", "environment": "production",
                     "logs": ['ProgrammingError: syntax error at or near "UNION SELECT '
                              'email,password_hash FROM customers --"']})
    assert report.root_causes[0].category == "security"
    assert report.severity.level.value == "HIGH"


@pytest.mark.parametrize("log", [
    "the key was used from our app servers and from 2 addresses that are not ours",
    "service token svc-sync used from a network it has never used (AS62240)",
    "ListObjects on 118 buckets by the instance role from 185.220.101.34 (TOR exit), "
    "not from the instance",
    "214 of those accounts changed their e-mail and password within 3 minutes",
])
def test_a_credential_used_from_where_its_owner_never_is_is_a_breach(log: str) -> None:
    report = triage({"service": "account-portal", "environment": "production",
                     "logs": [log], "symptoms": ["site working normally"]})
    assert report.root_causes[0].category == "security"
    assert report.severity.level.value == "HIGH"


def test_a_bucket_opened_to_everyone_before_anyone_read_it_is_a_medium_exposure() -> None:
    gcp = {"incident": {"incident_id": "0.abc", "state": "open",
                        "policy_name": "GCS bucket IAM granted to allUsers",
                        "summary": "setIamPermissions adds allUsers to campaign-assets",
                        "resource_name": "campaign-assets", "started_at": 1768478400}}
    change = {"service": "campaign-assets", "environment": "production",
              "changes": [{"type": "config", "at": "2026-01-15T11:40:00Z",
                           "description": "granted allUsers roles/storage.objectViewer on "
                                          "the campaign bucket"}],
              "logs": ["data access logs: 0 reads by allUsers so far"]}
    report = triage(gcp, change)
    assert report.root_causes[0].category == "security"
    assert report.severity.level.value == "MEDIUM"
    staging = triage({**change, "environment": "staging"})
    assert staging.severity.level.value == "LOW"


@pytest.mark.parametrize("alert", ["Threshold breach: CPU of the findings database at 93%",
                                   "orders-db-cpu-breach: CPU at 93% on orders-db"])
def test_a_threshold_breach_named_as_a_noun_is_the_rule_not_an_attack(alert: str) -> None:
    report = triage({"service": "findings-db", "environment": "production",
                     "alerts": [{"name": alert, "severity": "warning"}],
                     "metrics": {"cpu": "93%"}})
    assert "security" not in [c.category for c in report.root_causes]
    assert report.severity.level.value != "HIGH"


@pytest.mark.parametrize("text", ["Norwegian storefront prices about 1% of normal",
                                  "shipping quotes 240x normal for 2,380 SKUs",
                                  "warehouse revenue for yesterday is 1.98x the ledger total",
                                  "customers see balances of -$23,148,855,308,184,485.00"])
def test_money_at_a_multiple_of_its_usual_value_is_wrong_data(text: str) -> None:
    report = triage({"service": "storefront-pricing", "environment": "production",
                     "alerts": [{"name": text}], "symptoms": ["no errors, pages fast"]})
    assert report.root_causes[0].category == "data"
    # nothing errs: the report does not ask to break errors and latency down
    assert not any("errors and latency" in a.title for a in report.actions)


def test_a_comparison_with_normal_is_not_a_statement_that_things_are_normal() -> None:
    said = triage({"service": "checkout-web", "environment": "production",
                   "symptoms": ["checkout latency higher than normal"]})
    calm = triage({"service": "checkout-web", "environment": "production",
                   "symptoms": ["checkout latency normal"]})
    assert said.severity.level.value != "LOW" or said.root_causes != calm.root_causes
    assert calm.severity.level.value == "LOW"


@pytest.mark.parametrize("text", [
    "ValueError: day is out of range for month (cutoff on 2028-02-29)",
    "SSD power-on hours within 200 h of the 32,768 h firmware failure point",
    "probe failed on lb-01; node uptime 248d 13h",
])
def test_dates_and_timers_that_run_out_are_time_bugs(text: str) -> None:
    report = triage({"service": "edge-balancer", "environment": "production",
                     "logs": [text]})
    assert report.root_causes[0].category == "clock"


def test_a_job_and_its_pod_crash_looping_are_one_instance() -> None:
    events = [{"kind": "Event", "apiVersion": "v1", "type": "Warning", "reason": reason,
               "message": message, "count": 3, "lastTimestamp": "2026-01-15T11:55:00Z",
               "metadata": {"name": f"{name}.1", "namespace": "compliance"},
               "involvedObject": {"kind": kind, "name": name, "namespace": "compliance"}}
              for reason, message, kind, name in (
                  ("BackOff", "Back-off restarting failed container retention in pod "
                   "audit-retention-30590040-x7k2p", "Pod", "audit-retention-30590040-x7k2p"),
                  ("BackoffLimitExceeded", "Job has reached the specified backoff limit",
                   "Job", "audit-retention-30590040"))]
    report = triage({"kind": "EventList", "apiVersion": "v1", "items": events})
    assert not any("instances are crash-looping" in r for r in report.severity.reasons)


@pytest.mark.parametrize("said", ["customers report they can see and edit other teams' deals",
                                  "users are shown other customers' order history"])
def test_customers_reaching_data_that_is_not_theirs_is_high(said: str) -> None:
    report = triage({"service": "crm-workspace", "environment": "production",
                     "symptoms": [said, "pages load normally"]})
    assert report.severity.level.value == "HIGH"


def test_a_failing_part_with_a_manual_fallback_is_a_degradation() -> None:
    alert = {"service": "store-finder-web", "environment": "production",
             "alerts": [{"name": "OverQuotaMapError", "severity": "error"}],
             "logs": ["Places Autocomplete returns OVER_QUERY_LIMIT"],
             "metrics": {"error_rate": "40%"}}
    worse = triage(alert)
    covered = triage({**alert, "logs": alert["logs"] + [
        "the address form falls back to manual entry"]})
    assert worse.severity.level.value == "HIGH"
    assert covered.severity.level.value == "MEDIUM"


@pytest.mark.parametrize("log", [
    'ERROR: nextval: reached maximum value of sequence "activity_events_id_seq" (2147483647)',
    "Mysql2::Error: Out of range value for column 'id' at row 1",
])
def test_a_key_that_no_longer_fits_its_type_is_the_database(log: str) -> None:
    report = triage({"service": "project-boards", "environment": "production",
                     "metrics": {"error_rate": "60%"}, "logs": [log],
                     "symptoms": ["writes fail, reads work"]})
    assert report.root_causes[0].category == "database"
    assert any("bigint" in a.title for a in report.actions)


def test_failures_that_all_come_from_one_client_are_not_the_services_users() -> None:
    alert = {"service": "identity-broker", "environment": "production",
             "alerts": [{"name": "AuthFailuresHigh", "severity": "critical",
                         "description": "2,340 failed logins in 5m (usual < 40)"}]}
    one = triage({**alert, "logs": ["All failures are for user svc-reporting from "
                                    "10.40.7.12, which still holds the old password"]})
    assert triage(alert).severity.level.value == "MEDIUM"
    assert one.severity.level.value == "LOW"


def test_bots_from_hosting_ranges_are_abuse_and_a_key_used_from_there_a_breach() -> None:
    scraping = triage({"service": "catalog-pricing", "environment": "production",
                       "alerts": [{"name": "request rate 6x usual", "severity": "warning"}],
                       "logs": ["78% of requests come from three hosting ASNs with rotating "
                                "user agents and walk every price page in order"]})
    used = triage({"service": "catalog-pricing", "environment": "production",
                   "logs": ["the partner API key signs calls from three VPS hosting "
                            "networks since 02:00"]})
    assert scraping.root_causes[0].category == used.root_causes[0].category == "security"
    assert scraping.severity.level.value != "HIGH"
    assert used.severity.level.value == "HIGH"


def test_a_consumer_that_cannot_read_one_value_behind_a_backlog_is_a_poison_message() -> None:
    report = triage({"service": "ledger-poster", "environment": "production",
                     "metrics": {"queue_depth": 2400},
                     "logs": ["InvalidOperation: [<class 'decimal.ConversionSyntax'>] parsing "
                              "amount '12,50' of posting 881 (attempt 14)"]})
    assert report.root_causes[0].category == "data"


@pytest.mark.parametrize("said", [
    "Every POST /orders returns 500 since orderflow-api 9.2.0-rc1 was deployed at 11:50",
    "checkout errors after the rollout of v3.4.0",
])
def test_a_release_an_alert_names_as_the_start_is_a_deploy(said: str) -> None:
    report = triage({"service": "orderflow-api", "environment": "production",
                     "alerts": [{"name": "HighErrorRate", "severity": "critical",
                                 "description": said, "at": "2026-01-15T11:52:00Z"}],
                     "metrics": {"error_rate": "100%"}})
    assert report.root_causes[0].category == "deploy_regression"
    assert any("roll back" in a.title.lower() for a in report.actions)


@pytest.mark.parametrize("said", ["the warehouse picked and shipped 212 orders twice",
                                  "the ledger posted 40 refunds twice"])
def test_work_done_twice_with_words_between_is_wrong_data(said: str) -> None:
    report = triage({"service": "shipment-dispatcher", "environment": "production",
                     "symptoms": [said, "no errors; latency normal"]})
    assert report.root_causes[0].category == "data"


def test_wrong_internal_records_matter_once_they_go_on_to_others() -> None:
    alone = {"service": "sales-warehouse-sync", "environment": "production",
             "symptoms": ["the extra rows repeat an order_id after the connector replayed",
                          "checkout and the ledger are unaffected"]}
    spread = {**alone, "logs": ["the 08:00 forecast export reads sales_fact"]}
    assert triage(alone).severity.level.value == "LOW"
    assert triage(spread).severity.level.value == "MEDIUM"


def test_data_open_to_anyone_that_outsiders_have_read_is_a_breach() -> None:
    report = triage({"service": "invoice-files", "environment": "production",
                     "alerts": [{"name": "s3-bucket-public-read-prohibited NON_COMPLIANT",
                                 "severity": "warning"}],
                     "logs": ["1,912 anonymous GETs since 16:10 from 4 addresses outside "
                              "our CDN ranges"],
                     "symptoms": ["no errors anywhere"]})
    assert report.root_causes[0].category == "security"
    assert report.severity.level.value == "HIGH"


def test_an_image_an_alert_says_was_deployed_is_the_deploy() -> None:
    report = triage({"service": "checkout", "environment": "qa",
                     "alerts": [{"name": "Checkout 5xx ratio", "severity": "critical",
                                 "description": "Image checkout:pr-3318-7f2c1ad deployed to "
                                                "checkout-qa at 11:40 by preview-bot."}],
                     "metrics": {"error_rate": "42%"}})
    assert report.root_causes[0].category == "deploy_regression"
    assert report.severity.level.value == "LOW"


def test_a_machine_identity_given_the_widest_rights_is_a_security_exposure() -> None:
    report = triage({"service": "platform-iam", "environment": "production",
                     "alerts": [{"name": "role assignment at subscription scope",
                                 "severity": "warning",
                                 "description": "principal d2f7 is the report-sync app "
                                                "registration; role 8e3a is Owner"}]})
    assert report.root_causes[0].category == "security"
    assert report.severity.level.value == "MEDIUM"
    assert any("narrow the grant" in a.title.lower() for a in report.actions)


def _titles(report: opsagent.TriageReport) -> list[str]:
    return [a.title for a in report.actions]


@pytest.mark.parametrize("payload", [
    # charged twice by a scheduler: the leading cause is the clock, the harm is money
    {"service": "subscriptions", "environment": "production",
     "title": "Renewal job ran twice after the daylight-saving change",
     "symptoms": ["customers charged twice for their monthly renewal",
                  "card disputes arriving"]},
    # a Datadog monitor on a ledger: amounts far above normal
    {"title": "[Triggered] ledger-poster: posted amount 1,200x normal",
     "body": "Average posted amount per transaction is 1,200x normal since 02:00; "
             "customers are charged wrongly",
     "alert_type": "error", "priority": "P2", "tags": "service:ledger-poster,env:prod",
     "last_updated": "1773900000000", "event_type": "query_alert_monitor",
     "alert_transition": "Triggered", "id": "7712"},
])
def test_money_taken_wrongly_is_stopped_and_given_back_whatever_the_cause(
        payload: dict[str, Any]) -> None:
    titles = " | ".join(_titles(triage(payload))).lower()
    assert "refund" in titles
    assert "keeps charging, posting or writing the wrong values" in titles


def test_the_change_to_revert_is_named_by_what_it_did() -> None:
    report = triage({"service": "edge-proxy", "environment": "production",
                     "error_rate": "31%",
                     "changes": [{"type": "config", "service": "edge-proxy",
                                  "at": "10 minutes ago",
                                  "description": "managed WAF ruleset 4.2 pushed globally"}]})
    revert = [t for t in _titles(report) if t.startswith("Revert")]
    assert revert and "WAF ruleset 4.2" in revert[0]


def test_what_writes_the_wrong_values_is_named_when_the_payload_names_it() -> None:
    report = triage({"service": "tax-engine", "environment": "production",
                     "symptoms": ["orders in three states show wrong totals: tax is 0.00"],
                     "logs": ["rates-loader: loaded 12,904 jurisdictions; CO: 0 rows"]})
    assert any(t.startswith("Stop rates-loader") for t in _titles(report))


@pytest.mark.parametrize(("symptom", "dedupe"), [
    ("212 orders were shipped twice after the webhook replay", True),
    ("8,214 listings are priced at 0.01 GBP, wrong prices since 09:00", False),
])
def test_deduplication_is_offered_only_for_work_done_twice(symptom: str, dedupe: bool) -> None:
    report = triage({"service": "marketplace-orders", "environment": "production",
                     "title": "Reconciliation alert", "symptoms": [symptom],
                     "logs": ["feed-import: applied batch 4471"]})
    assert any(t.startswith("Deduplicate") for t in _titles(report)) is dedupe
