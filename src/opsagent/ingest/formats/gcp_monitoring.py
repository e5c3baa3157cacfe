"""Google Cloud Monitoring webhook notifications (``"version": "1.2"``, one ``incident``).

* ``name``: ``incident.policy_name`` (the alerting policy); ``text``: the ``summary``
  (which states the observed value), the condition's display name and, when present,
  ``documentation.subject``;
* ``status``: ``state`` open/closed through :data:`STATE`; ``at`` ``started_at`` and
  ``ended_at`` (epoch seconds; ISO strings are read too);
* ``severity``: the policy's ``severity`` (Critical/Error/Warning) through
  :data:`SEVERITY`, else a ``severity`` user label of the policy;
* ``service``: the resource or metric labels (``service_name``, ``module_id``,
  ``container_name``, ``function_name``, ``job``, ``service`` ...), else the policy's user
  labels, else ``resource_display_name`` when it is a plain name; ``region``/``zone``:
  the resource's ``zone``, ``region`` or ``location`` label; ``environment``: the
  policy's user labels (``env: staging``), else the project or resource name that names
  one;
* ``observed_value`` with the metric (``metric.type``/``metric.displayName``) and
  ``threshold_value`` also give a METRIC signal, canonical when its name says which
  (``compute.googleapis.com/instance/cpu/utilization`` → ``cpu``), else under its own
  name;
* ``fingerprint``: ``incident_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import environment_in_name, service_name
from ..base import ParseContext
from ..fields import Path, choice, number, obj, req_obj, str_map, text, time, user_errors_only
from ..labels import LabelView, plain_service
from ..signals import join_text, metric_from_alert, named_reading

STATE: dict[str, SignalStatus] = {
    "open": SignalStatus.FIRING,
    "closed": SignalStatus.RESOLVED,
}
SEVERITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "error": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "no severity": SourceSeverity.INFO,
    "severity_unspecified": SourceSeverity.INFO,
}
# Resource and metric labels that name the workload (checked before the label rules).
SERVICE_LABELS = ("service_name", "module_id", "function_name", "container_name",
                  "configuration_name", "job", "service", "app", "database_id",
                  "instance_group", "backend_service_name")
_SHAPES = 'version "1.2" notifications (an incident with policy, condition and resource)'


class GcpMonitoringAdapter:
    name = "gcp_monitoring"
    title = "Google Cloud Monitoring webhook"
    detects = 'version "1.2" + incident.incident_id'

    def detect(self, doc: Mapping[str, Any]) -> bool:
        incident = doc.get("incident")
        return (str(doc.get("version")) == "1.2" and isinstance(incident, Mapping)
                and "incident_id" in incident)

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """A Cloud Monitoring (Stackdriver) notification of another version."""
        incident = doc.get("incident")
        if isinstance(incident, Mapping) and "incident_id" in incident and any(
                key in incident for key in ("policy_name", "condition_name", "state",
                                            "started_at")):
            version = doc.get("version")
            what = f"version {str(version)[:20]!r}" if version is not None else "no version"
            return f"a Google Cloud Monitoring notification with {what}; supported: {_SHAPES}"
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        incident = req_obj(doc, "incident")
        path: Path = ("incident",)
        state = text(incident, "state", path).lower()
        status = choice(STATE, state, "incident.state", ctx, SignalStatus.FIRING) \
            if state else SignalStatus.FIRING
        resource = obj(incident, "resource", path)
        resource_labels = str_map(resource, "labels", (*path, "resource"))
        metric = obj(incident, "metric", path)
        metric_labels = str_map(metric, "labels", (*path, "metric"))
        policy_labels = str_map(incident, "policy_user_labels", path)
        metadata = obj(incident, "metadata", path)
        user_labels = str_map(metadata, "user_labels", (*path, "metadata"))
        view = LabelView(resource_labels, metric_labels, user_labels, policy_labels)
        condition = obj(incident, "condition", path)
        condition_name = text(incident, "condition_name", path) or text(
            condition, "displayName", (*path, "condition"))
        policy = text(incident, "policy_name", path) or condition_name or "Cloud Monitoring"
        display = text(incident, "resource_display_name", path) or text(
            incident, "resource_name", path)
        project = text(incident, "scoping_project_id", path) or resource_labels.get(
            "project_id", "")
        raw_severity = (text(incident, "severity", path) or policy_labels.get("severity", "")
                        ).lower()
        region, zone = view.region_zone()
        documentation = obj(incident, "documentation", path)
        service = view.get(*SERVICE_LABELS)
        labels = {**resource_labels, **metric_labels, **user_labels, **policy_labels}
        labels.update({k: v for k, v in (
            ("resource_type", text(resource, "type", (*path, "resource"))),
            ("project", project), ("condition", condition_name),
            ("url", text(incident, "url", path))) if v})
        alert = Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=policy[:200],
            text=join_text(text(incident, "summary", path), condition_name,
                           text(documentation, "subject", (*path, "documentation")))
            or policy,
            service=service_name(service) if service else view.service() or plain_service(display),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=view.environment() or environment_in_name(project)
            or environment_in_name(display),
            severity=SEVERITY.get(raw_severity),
            status=status,
            at=time(incident, "started_at", path, ctx),
            ended_at=time(incident, "ended_at", path, ctx)
            if status is SignalStatus.RESOLVED else None,
            labels=labels,
            fingerprint=text(incident, "incident_id", path) or None,
            raw=dict(doc),
        )
        value = number(incident, "observed_value", path, ctx)
        metric_name = text(metric, "type", (*path, "metric")) or text(
            metric, "displayName", (*path, "metric"))
        if value is None or not metric_name:
            return [alert]
        reading = named_reading(metric_name, value,
                                threshold=number(incident, "threshold_value", path, ctx),
                                latency_unit="ms")
        return [alert, metric_from_alert(alert, reading, metric_name)]
