"""Service, region, zone, environment and dependency from a flat ``str → str`` label set.

Alertmanager and Grafana labels, Datadog tags, Sentry tags and PagerDuty custom details
all name these things with the same handful of keys; the rules live here once.

Service, first label present (keys compared case-insensitively, ``.``/``/``/``-`` as ``_``):
``service``, ``service_name``, ``app_kubernetes_io_name``, ``app``, ``application``,
``k8s_app``, ``deployment``, ``statefulset``, ``daemonset`` (a ``-canary`` role dropped),
``pod`` (generated suffixes dropped: ``checkout-7d9f8b6c5d-x2x9k`` → ``checkout``),
``container``, then ``job`` unless it names a monitoring exporter (``kube-state-metrics``,
``node-exporter`` ...).

Region: ``region``, ``aws_region``, ``cloud_region``, ``topology_kubernetes_io_region``,
``location``, ``dc``/``datacenter``; zone: ``zone``, ``availability_zone``, ``az``,
``topology_kubernetes_io_zone``. Both go through
:func:`~opsagent.ingest.normalize.canonical_region`.

Environment: ``environment``, ``env``, ``deployment_environment``, ``stage``
(lower case, as written), else a namespace, then a cluster, whose name names one
(:func:`opsagent.names.environment_in_name`: ``shop-prod`` and ``prod-euc1`` → ``production``,
``payments-stg`` → ``staging``, ``dev-payments`` → ``dev``, ``gke-qa-euw1`` → ``qa``).

Dependency: ``dependency``, ``upstream``, ``downstream``, ``peer_service``,
``db_instance``, ``database``, ``db``, ``cache``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..names import canonical_region, environment_in_name, service_name, workload_name

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
WORKLOAD_KEYS = frozenset({"deployment", "statefulset", "daemonset"})
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
# Where a namespace or a cluster is named (used when no environment label is set).
NAMESPACE_KEYS = ("namespace", "kubernetes_namespace", "kube_namespace", "k8s_namespace_name",
                  "exported_namespace")
CLUSTER_KEYS = ("cluster", "cluster_name", "kube_cluster_name", "k8s_cluster_name",
                "kubernetes_cluster", "eks_cluster_name", "clustername")
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
        for key in SERVICE_KEYS:
            value = self.get(key)
            if value:  # a workload's name without its role ("checkout-canary" → checkout)
                return service_name(workload_name(value, "Deployment")
                                    if key in WORKLOAD_KEYS else value)
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
        for key in (*NAMESPACE_KEYS, *CLUSTER_KEYS):  # a namespace is the narrower place
            named = environment_in_name(self.get(key))
            if named:
                return named
        return None

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


_HOSTLIKE = re.compile(r"[.:/@]|^\d")


def plain_service(value: str | None) -> str | None:
    """A service from a field that may name one (an entity, a resource's display name,
    a source): a short plain name is one; host names, FQDNs, paths, URLs and sentences
    are not."""
    if not value or _HOSTLIKE.search(value) or len(value.split()) > 3:
        return None
    return service_name(value)
