"""Registration of the built-in adapters, exactly as a plug-in would register its own:
``register(registry)`` is the hook an ``opsagent.plugins`` entry point names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .formats.alertmanager import AlertmanagerAdapter
from .formats.alertmanager_groups import AlertmanagerGroupsAdapter
from .formats.azure_monitor import AzureMonitorAdapter
from .formats.cloudwatch import CloudWatchAdapter
from .formats.datadog import DatadogAdapter
from .formats.gcp_monitoring import GcpMonitoringAdapter
from .formats.generic import GenericEventAdapter
from .formats.github import GitHubDeploymentAdapter
from .formats.grafana import GrafanaAdapter
from .formats.kibana import KibanaAdapter
from .formats.kubernetes import KubernetesAdapter
from .formats.newrelic import NewRelicAdapter
from .formats.opsgenie import OpsgenieAdapter
from .formats.pagerduty import PagerDutyAdapter
from .formats.sentry import SentryAdapter
from .formats.victorops import VictorOpsAdapter
from .formats.zabbix import ZabbixAdapter

if TYPE_CHECKING:
    from ..registry import Registry


def register(registry: Registry) -> None:
    # Vendor formats first (their detection is structural and specific, and no two
    # accept the same document: tests/ingest feeds every sample to every adapter);
    # Datadog, Zabbix and Kibana last among them, as their bodies are user-defined
    # templates. The generic hand-written event last, as the fallback.
    registry.add_adapter(AlertmanagerAdapter())
    registry.add_adapter(AlertmanagerGroupsAdapter())
    registry.add_adapter(GrafanaAdapter())
    registry.add_adapter(PagerDutyAdapter())
    registry.add_adapter(CloudWatchAdapter())
    registry.add_adapter(SentryAdapter())
    registry.add_adapter(GitHubDeploymentAdapter())
    registry.add_adapter(KubernetesAdapter())
    registry.add_adapter(OpsgenieAdapter())
    registry.add_adapter(AzureMonitorAdapter())
    registry.add_adapter(GcpMonitoringAdapter())
    registry.add_adapter(NewRelicAdapter())
    registry.add_adapter(VictorOpsAdapter())
    registry.add_adapter(DatadogAdapter())
    registry.add_adapter(ZabbixAdapter())
    registry.add_adapter(KibanaAdapter())
    registry.add_adapter(GenericEventAdapter(), fallback=True)
