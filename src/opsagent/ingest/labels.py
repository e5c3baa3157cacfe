"""Service, region, zone, environment and dependency from a flat ``str → str`` label set.

Alertmanager and Grafana labels, Datadog tags, Sentry tags and PagerDuty custom details
all name these things with the same handful of keys; the rules live here once.

Service, first label present (keys compared case-insensitively, ``.``/``/``/``-`` as ``_``):
``service``, ``service_name``, ``app_kubernetes_io_name``, ``app``, ``application``,
``k8s_app``, ``deployment``, ``statefulset``, ``daemonset``, ``pod`` (generated suffixes
dropped: ``checkout-7d9f8b6c5d-x2x9k`` → ``checkout``), ``container``, then ``job`` unless
it names a monitoring exporter (``kube-state-metrics``, ``node-exporter`` ...).

Region: ``region``, ``aws_region``, ``cloud_region``, ``topology_kubernetes_io_region``,
``location``, ``dc``/``datacenter``; zone: ``zone``, ``availability_zone``, ``az``,
``topology_kubernetes_io_zone``. Both go through
:func:`~opsagent.ingest.normalize.canonical_region`.

Environment: ``environment``, ``env``, ``deployment_environment``, ``stage``
(lower case), else a ``namespace`` that names one (``prod``, ``staging`` ...).

Dependency: ``dependency``, ``upstream``, ``downstream``, ``peer_service``,
``db_instance``, ``database``, ``db``, ``cache``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..names import canonical_region, service_name, workload_name

SERVICE_KEYS = (
    "service",
    "service_name",
    "app_kubernetes_io_name",
    "app",
    "application",
    "k8s_app",
    "deployment",
    "statefulset",
    "daemonset",
)
REGION_KEYS = (
    "region",
    "aws_region",
    "cloud_region",
    "topology_kubernetes_io_region",
    "failure_domain_beta_kubernetes_io_region",
    "location",
    "datacenter",
    "dc",
)
ZONE_KEYS = (
    "zone",
    "availability_zone",
    "availability-zone",
    "az",
    "topology_kubernetes_io_zone",
    "failure_domain_beta_kubernetes_io_zone",
)
ENVIRONMENT_KEYS = ("environment", "env", "deployment_environment", "stage")
# Kubernetes namespaces that name an environment (used when no environment label is set).
ENVIRONMENT_NAMESPACES = frozenset(
    {"prod", "production", "staging", "stage", "dev", "development", "qa", "test",
     "preprod", "uat", "sandbox"}
)
DEPENDENCY_KEYS = (
    "dependency",
    "upstream",
    "downstream",
    "peer_service",
    "db_instance",
    "database",
    "db",
    "cache",
)
# Prometheus ``job`` values that name the exporter, not the service it watches.
EXPORTER_JOBS = frozenset(
    {
        "kube-state-metrics",
        "node-exporter",
        "node",
        "kubelet",
        "cadvisor",
        "kubernetes-pods",
        "kubernetes-nodes",
        "kubernetes-service-endpoints",
        "kubernetes-apiservers",
        "apiserver",
        "prometheus",
        "alertmanager",
        "blackbox",
        "blackbox-exporter",
        "pushgateway",
        "integrations/kubernetes/kube-state-metrics",
        "integrations/node_exporter",
    }
)


def canonical_key(key: str) -> str:
    return key.strip().lower().replace(".", "_").replace("/", "_").replace("-", "_")


class LabelView:
    """Case- and punctuation-insensitive lookup over several label sets (first wins)."""

    def __init__(self, *sources: Mapping[str, str]) -> None:
        self._values: dict[str, str] = {}
        for source in sources:
            for key, value in source.items():
                if value:
                    self._values.setdefault(canonical_key(key), value)

    def get(self, *keys: str) -> str | None:
        for key in keys:
            value = self._values.get(canonical_key(key))
            if value:
                return value
        return None

    def service(self) -> str | None:
        value = self.get(*SERVICE_KEYS)
        if value:
            return service_name(value)
        pod = self.get("pod", "pod_name", "kubernetes_pod_name")
        if pod:
            return service_name(workload_name(pod))
        value = self.get("container", "container_name")
        if value and value != "POD":
            return service_name(value)
        job = self.get("job")
        if job and job.lower() not in EXPORTER_JOBS:
            return service_name(job)
        return None

    def region_zone(self) -> tuple[str | None, str | None]:
        region: str | None = None
        zone: str | None = None
        raw_zone = self.get(*ZONE_KEYS)
        if raw_zone:
            region, zone = canonical_region(raw_zone)
            zone = zone or raw_zone.strip().lower()
        raw_region = self.get(*REGION_KEYS)
        if raw_region:
            named, named_zone = canonical_region(raw_region)
            region = named or region
            zone = zone or named_zone
        return region, zone

    def environment(self) -> str | None:
        value = self.get(*ENVIRONMENT_KEYS)
        if value:
            return value.strip().lower()
        namespace = (self.get("namespace", "kubernetes_namespace") or "").strip().lower()
        return namespace if namespace in ENVIRONMENT_NAMESPACES else None

    def dependency(self) -> str | None:
        value = self.get(*DEPENDENCY_KEYS)
        return service_name(value) if value else None


def parse_tags(tags: list[str]) -> dict[str, str]:
    """``["env:prod", "service:checkout", "canary"]`` → ``{"env": "prod", ..., "canary": ""}``.

    The first occurrence of a key wins; a tag without a colon keeps an empty value.
    """
    out: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip()
        if not tag:
            continue
        key, sep, value = tag.partition(":")
        key = key.strip()
        if key and key not in out:
            out[key] = value.strip() if sep else ""
    return out
