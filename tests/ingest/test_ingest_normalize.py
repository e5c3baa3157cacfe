"""Names in one form: workloads, services, regions, metrics and tags."""

from __future__ import annotations

import pytest

from opsagent.ingest.labels import LabelView, parse_tags
from opsagent.ingest.metrics import Reading, canonical_metric, objective_in_words
from opsagent.names import (
    canonical_region,
    environment_in_name,
    region_from_host,
    service_key,
    service_name,
    workload_name,
)


@pytest.mark.parametrize(
    ("name", "kind", "workload"),
    [
        ("checkout-7d9f8b6c5d-x2x9k", "Pod", "checkout"),  # Deployment pod
        ("payments-api-5c8d7f9b4-qwzrt", "Pod", "payments-api"),  # 9-character hash
        ("checkout-7d9f8b6c5d", "ReplicaSet", "checkout"),
        ("redis-0", "Pod", "redis"),  # StatefulSet pod
        ("report-28114560-x2x9k", "Pod", "report"),  # CronJob pod
        ("fluentd-b7rwq", "Pod", "fluentd"),  # DaemonSet pod
        ("checkout", "Deployment", "checkout"),
        ("web-abcde", "Pod", "web-abcde"),  # vowels: not a generated suffix
        ("checkout-service", "Pod", "checkout-service"),
        # names written by hand, with letters Kubernetes never generates
        ("api-7c6d5f8b9-abcde", "Pod", "api"),  # a template hash makes the suffix generated
        ("cart-api-6f9c8d7b5-bp3zw", "Pod", "cart-api"),
        ("catalog-api-5d7c8b9f4-a1b2c", "Pod", "catalog-api"),
        ("api-7c6d5f8b9", "ReplicaSet", "api"),
        ("nightly-report-28471234-x2x9k", "Pod", "nightly-report"),  # a CronJob's pod
        ("nightly-report-28471234", "Job", "nightly-report"),
        ("db-migrate-x2x9k", "Pod", "db-migrate"),  # a Job's pod: the word stays
        ("render-3-x2x9k", "Pod", "render"),  # an indexed Job's pod
        ("db-0", "Pod", "db"),
        ("kafka-broker-12", "Pod", "kafka-broker"),
        ("api-oauth2-x2x9k", "Pod", "api-oauth2"),  # a word with a digit is not a hash
        ("redis-cache", "Pod", "redis-cache"),
        # Argo Rollouts: an AnalysisRun is rollout, hash, revision (and a step or phase)
        ("pricing-api-7c9d8b6f4-23", "AnalysisRun", "pricing-api"),
        ("search-api-6d9f7c5b8-14-2", "AnalysisRun", "search-api"),
        ("search-api-6d9f7c5b8-14-pre", "AnalysisRun", "search-api"),
        # a canary is its workload
        ("checkout-canary-7d9f8b6c5d-x2x9k", "Pod", "checkout"),
        ("checkout-canary", "Deployment", "checkout"),
        ("pricing-api", "Rollout", "pricing-api"),
    ],
)
def test_workload_name(name: str, kind: str, workload: str) -> None:
    assert workload_name(name, kind) == workload


@pytest.mark.parametrize(
    "raw", ["checkout", "checkout-service", "acme/checkout", "Checkout API", "checkout_svc",
            "checkout-alb", "CHECKOUT.service", "prod/checkout-lambda"],
)
def test_service_forms_share_one_key(raw: str) -> None:
    assert service_key(raw) == "checkout"


def test_service_display_form_is_kept_readable() -> None:
    assert service_name("Checkout API") == "checkout-api"
    assert service_name("acme/checkout-service") == "checkout-service"
    assert service_key("orders-db") == "orders-db"  # a database is not its service


@pytest.mark.parametrize(
    ("raw", "region", "zone"),
    [
        ("US East (N. Virginia)", "us-east-1", None),
        ("US - N. Virginia", "us-east-1", None),  # the older SNS form
        ("EU - Ireland", "eu-west-1", None),
        ("EU (Ireland)", "eu-west-1", None),
        ("Europe (Frankfurt)", "eu-central-1", None),
        ("Asia Pacific (Tokyo)", "ap-northeast-1", None),
        ("US West - Oregon", "us-west-2", None),
        ("us-east-1", "us-east-1", None),
        ("US_EAST_1", "us-east-1", None),
        ("us-east-1a", "us-east-1", "us-east-1a"),
        ("use1-az4", "us-east-1", "use1-az4"),
        ("apne1-az1", "ap-northeast-1", "apne1-az1"),
        ("europe-west1-b", "europe-west1", "europe-west1-b"),
        ("East US 2", "eastus2", None),
        ("", None, None),
    ],
)
def test_canonical_region(raw: str, region: str | None, zone: str | None) -> None:
    assert canonical_region(raw) == (region, zone)


def test_region_from_an_eks_node_name() -> None:
    assert region_from_host("ip-10-0-1-5.eu-west-1.compute.internal") == "eu-west-1"
    assert region_from_host("ip-10-0-1-5.ec2.internal") == "us-east-1"
    assert region_from_host("gke-prod-pool-1-abcd") is None


@pytest.mark.parametrize(
    ("name", "value", "unit", "expected"),
    [
        ("High CPU usage", 44.2, None, ("cpu", 0.442, "ratio")),
        ("CPUUtilization", 93.5, "Percent", ("cpu", 0.935, "ratio")),
        ("error_rate", 0.18, None, ("error_rate", 0.18, "ratio")),
        ("Checkout error rate above 5%", 0.124, None, ("error_rate", 0.124, "ratio")),
        ("TargetResponseTime", 2.4, "Seconds", ("latency_ms", 2400.0, "ms")),
        ("p99 latency ms", 800, None, ("latency_ms", 800.0, "ms")),
        ("ReplicaLag", 45, "Seconds", ("replication_lag_s", 45.0, "s")),
        ("ApproximateNumberOfMessagesVisible", 5000, None, ("queue_depth", 5000.0, "count")),
        ("CacheHitRate", 62.0, "Percent", ("cache_hit_rate", 0.62, "ratio")),
    ],
)
def test_canonical_metric(name: str, value: float, unit: str | None,
                          expected: tuple[str, float, str]) -> None:
    reading = canonical_metric(name, value, unit=unit)
    assert reading is not None
    assert (reading.name, reading.unit) == (expected[0], expected[2])
    assert reading.value == pytest.approx(expected[1])


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("HTTPCode_Target_5XX_Count", 120, "Count"),  # a count is not a ratio
        ("High CPU usage", 430, None),  # not a percentage
        ("FreeableMemory", 1e9, "Bytes"),
        ("DiskQueueDepth", 12, "Count"),  # disk I/O, not a message queue
        ("KubePodCrashLooping", 1, None),  # not a number with a meaning
    ],
)
def test_no_canonical_metric_when_unsure(name: str, value: float, unit: str | None) -> None:
    assert canonical_metric(name, value, unit=unit) is None


def test_threshold_becomes_the_objective_in_the_same_unit() -> None:
    reading = canonical_metric("CPUUtilization", 97.3, unit="Percent", threshold=80)
    assert reading is not None and reading.objective == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("name", "value", "words", "objective"),
    [
        ("disk", 0.724, "Disk usage above 70%", 0.70),
        ("error_rate", 0.12, "error rate over 5 %", 0.05),
        ("latency_ms", 2400.0, "p95 latency above 800ms", 800.0),
        ("latency_ms", 2400.0, "p95 latency above 1s", 1000.0),
        ("latency_ms", 2400.0, "latency above 3", None),  # no unit: unknown
        ("availability", 0.97, "availability below 99.9%", 0.999),
        ("cpu", 0.9, "CPU is high", None),
    ],
)
def test_objective_stated_in_the_alert_words(name: str, value: float, words: str,
                                             objective: float | None) -> None:
    unit = {"latency_ms": "ms"}.get(name, "ratio")
    found = objective_in_words(Reading(name, value, unit), words)
    assert found == (pytest.approx(objective) if objective is not None else None)


def test_datadog_tags() -> None:
    tags = parse_tags(["env:prod", "service:checkout", "region:us-east-1", "canary", "a:b:c"])
    assert tags == {"env": "prod", "service": "checkout", "region": "us-east-1", "canary": "",
                    "a": "b:c"}


@pytest.mark.parametrize(
    ("name", "environment"),
    [
        ("shop-prod", "production"),
        ("prod-eu", "production"),
        ("prod-euc1", "production"),  # a cluster
        ("reports-prod", "production"),
        ("payments-staging", "staging"),
        ("identity-stg", "staging"),
        ("eks-stg-use1", "staging"),
        ("dev-payments", "dev"),
        ("gke-qa-euw1", "qa"),
        ("uat-eu1", "uat"),
        ("pre-prod", "preprod"),  # one word, not "prod"
        ("shop", None),
        ("products", None),  # a word that starts like one is not one
        ("devices", None),
        ("kube-system", None),
        ("non-prod-eu", None),  # left to the engine's reading of names
        ("prod-test", None),  # two environments: none
    ],
)
def test_environment_in_name(name: str, environment: str | None) -> None:
    assert environment_in_name(name) == environment


def test_environment_from_namespace_and_cluster_labels() -> None:
    assert LabelView({"namespace": "payments-staging"}).environment() == "staging"
    assert LabelView({"cluster": "prod-euc1", "namespace": "shop"}).environment() == \
        "production"
    # the namespace is the narrower place; a stated environment wins over both
    assert LabelView({"cluster": "prod-euc1", "namespace": "dev-payments"}).environment() \
        == "dev"
    assert LabelView({"env": "prod", "namespace": "shop-staging"}).environment() == "prod"
    assert LabelView({"kube_cluster_name": "uat-eu1"}).environment() == "uat"
    assert LabelView({"namespace": "shop"}).environment() is None


def test_a_canary_deployment_label_names_its_workload() -> None:
    assert LabelView({"deployment": "checkout-canary"}).service() == "checkout"
    assert LabelView({"service": "checkout-canary"}).service() == "checkout-canary"  # stated


def test_label_rules() -> None:
    view = LabelView({"app.kubernetes.io/name": "Checkout", "availability-zone": "us-east-1c",
                      "namespace": "staging", "peer.service": "payments-gateway"})
    assert view.service() == "checkout"
    assert view.region_zone() == ("us-east-1", "us-east-1c")
    assert view.environment() == "staging"
    assert view.dependency() == "payments-gateway"
    exporter = LabelView({"job": "kube-state-metrics", "pod": "cart-6b7c8d9f2-h4jbq"})
    assert exporter.service() == "cart"
    assert LabelView({"job": "node-exporter"}).service() is None
