"""Registration of the built-in adapters, exactly as a plug-in would register its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .formats.alertmanager import AlertmanagerAdapter
from .formats.cloudwatch import CloudWatchAdapter
from .formats.datadog import DatadogAdapter
from .formats.generic import GenericEventAdapter
from .formats.github import GitHubDeploymentAdapter
from .formats.grafana import GrafanaAdapter
from .formats.kubernetes import KubernetesAdapter
from .formats.pagerduty import PagerDutyAdapter
from .formats.sentry import SentryAdapter

if TYPE_CHECKING:
    from ..registry import Registry


def register(registry: Registry) -> None:
    # Vendor formats first (their detection is structural and specific, and no two
    # accept the same document); Datadog last among them, as its templates are
    # user-defined. The generic hand-written event last, as the fallback.
    registry.add_adapter(AlertmanagerAdapter())
    registry.add_adapter(GrafanaAdapter())
    registry.add_adapter(PagerDutyAdapter())
    registry.add_adapter(CloudWatchAdapter())
    registry.add_adapter(SentryAdapter())
    registry.add_adapter(GitHubDeploymentAdapter())
    registry.add_adapter(KubernetesAdapter())
    registry.add_adapter(DatadogAdapter())
    registry.add_adapter(GenericEventAdapter(), fallback=True)
