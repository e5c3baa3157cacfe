"""Azure Monitor alerts in the common alert schema (``"schemaId":
"azureMonitorCommonAlertSchema"``: ``data.essentials``, ``data.alertContext``,
``data.customProperties``).

**Essentials** give the alert: ``name`` ``alertRule``; ``text`` the rule, its
``description`` and the condition in words; ``severity`` ``Sev0``–``Sev4`` through
:data:`SEVERITY`; ``status`` ``monitorCondition`` Fired/Resolved through :data:`CONDITION`
(``at`` ``firedDateTime``, ``ended_at`` ``resolvedDateTime``); ``fingerprint``
``originAlertId`` (else ``alertId``). **Service**: ``customProperties`` by the label rules
(``service``, ``app`` ...), else the affected resource (``configurationItems[0]``, else the
last segment of ``alertTargetIDs[0]``). **Environment**: ``customProperties``, else the
one that the resource or its resource group names (``rg-shop-staging`` → staging).
**Region**: ``customProperties``, a metric dimension, or a Service Health event's region.

The ``alertContext`` variants (``signalType``):

* **Metric** (``condition.allOf[]``: ``metricName``, ``metricValue``, ``operator``,
  ``threshold``, ``dimensions``): one METRIC per criterion, under its canonical name when
  the name says which (``Percentage CPU`` → ``cpu``), else under Azure's own name, read
  as its metric family; a dynamic-threshold criterion the same;
* **Log** (log search alerts: ``condition.allOf[]`` with ``searchQuery``,
  ``metricMeasureColumn``, ``metricValue``; and the older Log Analytics /
  Application Insights context with ``SearchQuery`` and ``ResultCount``): the query is
  kept as a label (a rule, not an observation); a measured column gives a METRIC;
* **Activity Log** (``operationName``, ``status``, ``caller``, ``level``): an
  administrative operation that succeeded and writes, deletes or restarts something is a
  CHANGE (config for ``/config/``, ``/appsettings/`` and secrets, scale for ``/scale``,
  infra otherwise); Service Health (``properties.title``, ``service``, ``region``,
  ``incidentType``) and Resource Health (``currentHealthStatus``, ``cause``) events are
  ALERTs about the platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import ChangeDetails, ChangeType, Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import canonical_region, environment_in_name, service_name
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    choice,
    item_obj,
    number,
    obj,
    req_obj,
    str_map,
    text,
    time,
    user_errors_only,
)
from ..labels import LabelView
from ..signals import join_text, metric_from_alert, named_reading

SCHEMA_ID = "azureMonitorCommonAlertSchema"
SEVERITY: dict[str, SourceSeverity] = {
    "sev0": SourceSeverity.CRITICAL,
    "sev1": SourceSeverity.ERROR,
    "sev2": SourceSeverity.WARNING,
    "sev3": SourceSeverity.INFO,
    "sev4": SourceSeverity.INFO,
}
CONDITION: dict[str, SignalStatus] = {
    "fired": SignalStatus.FIRING,
    "resolved": SignalStatus.RESOLVED,
}
# Activity log ``level`` → severity (Service Health and administrative events).
LEVEL: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "error": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "informational": SourceSeverity.INFO,
    "verbose": SourceSeverity.INFO,
}
# The last action of an administrative operation name → the change it makes.
_CHANGE_ACTIONS = ("/write", "/delete", "/restart/action", "/action")


class AzureMonitorAdapter:
    name = "azure_monitor"
    title = "Azure Monitor alert (common alert schema)"
    detects = 'schemaId "azureMonitorCommonAlertSchema" + data.essentials'

    def detect(self, doc: Mapping[str, Any]) -> bool:
        data = doc.get("data")
        return doc.get("schemaId") == SCHEMA_ID and isinstance(data, Mapping) and isinstance(
            data.get("essentials"), Mapping)

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """Azure's older per-type webhook schemas (metric alerts classic, log alerts)."""
        context = doc.get("context")
        schema = doc.get("schemaId")
        if isinstance(schema, str) and schema != SCHEMA_ID and isinstance(doc.get("data"),
                                                                            Mapping):
            return (f"an Azure Monitor alert with schemaId {schema[:60]!r}; supported: the "
                    f"common alert schema (schemaId {SCHEMA_ID!r})")
        if isinstance(context, Mapping) and "resourceId" in context and doc.get("status") in {
                "Activated", "Resolved"}:
            return ("an Azure Monitor classic metric alert (status + context); supported: "
                    f"the common alert schema (schemaId {SCHEMA_ID!r})")
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        data = req_obj(doc, "data")
        path: Path = ("data",)
        ess_path: Path = (*path, "essentials")
        ess = req_obj(data, "essentials", path)
        context = obj(data, "alertContext", path)
        ctx_path: Path = (*path, "alertContext")
        custom = str_map(data, "customProperties", path)
        view = LabelView(custom)
        signal_type = text(ess, "signalType", ess_path).lower()
        condition = text(ess, "monitorCondition", ess_path).lower()
        status = choice(CONDITION, condition, "data.essentials.monitorCondition", ctx,
                        SignalStatus.FIRING) if condition else SignalStatus.FIRING
        raw_severity = text(ess, "severity", ess_path).lower()
        severity = choice(SEVERITY, raw_severity, "data.essentials.severity", ctx,
                          None) if raw_severity else None
        resource = _resource(ess, ess_path)
        group = text(ess, "targetResourceGroup", ess_path) or _resource_group(ess, ess_path)
        region, zone = view.region_zone()
        environment = view.environment() or environment_in_name(resource) or \
            environment_in_name(group)
        rule = text(ess, "alertRule", ess_path) or "Azure Monitor alert"
        labels = {k: v for k, v in custom.items() if len(v) <= 200}
        labels.update({k: v for k, v in (
            ("signal_type", text(ess, "signalType", ess_path)),
            ("monitoring_service", text(ess, "monitoringService", ess_path)),
            ("resource", resource), ("resource_group", group),
            ("resource_type", text(ess, "targetResourceType", ess_path)),
            ("severity", text(ess, "severity", ess_path))) if v})
        alert = Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=rule[:200],
            text=join_text(rule, text(ess, "description", ess_path)),
            service=view.service() or service_name(resource),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=environment,
            severity=severity,
            status=status,
            at=time(ess, "firedDateTime", ess_path, ctx),
            ended_at=time(ess, "resolvedDateTime", ess_path, ctx)
            if status is SignalStatus.RESOLVED else None,
            labels=labels,
            fingerprint=text(ess, "originAlertId", ess_path) or text(ess, "alertId", ess_path)
            or None,
            raw=dict(doc),
        )
        if signal_type == "metric":
            return _metric(alert, context, ctx_path, ctx)
        if signal_type == "log":
            return _log(alert, context, ctx_path, ctx)
        if signal_type == "activity log":
            return _activity(alert, context, ctx_path, ctx)
        return [alert]


def _resource(ess: Mapping[str, Any], path: Path) -> str:
    items = [v.strip() for v in arr(ess, "configurationItems", path) if isinstance(v, str)]
    if items and items[0]:
        return items[0][:200]
    targets = [t for t in arr(ess, "alertTargetIDs", path) if isinstance(t, str)]
    return targets[0].rstrip("/").rsplit("/", 1)[-1] if targets else ""


def _resource_group(ess: Mapping[str, Any], path: Path) -> str:
    for target in arr(ess, "alertTargetIDs", path):
        if isinstance(target, str):
            parts = target.strip("/").split("/")
            lowered = [p.lower() for p in parts]
            if "resourcegroups" in lowered:
                index = lowered.index("resourcegroups")
                if index + 1 < len(parts):
                    return parts[index + 1]
    return ""


def _metric(alert: Signal, context: Mapping[str, Any], path: Path,
            ctx: ParseContext) -> list[Signal]:
    condition = obj(context, "condition", path)
    cond_path: Path = (*path, "condition")
    signals = [alert]
    words: list[str] = []
    for index, raw in enumerate(arr(condition, "allOf", cond_path)):
        item_path: Path = (*cond_path, "allOf", index)
        with ctx.recover(*item_path):
            criterion = item_obj(raw, item_path)
            metric = text(criterion, "metricName", item_path)
            value = number(criterion, "metricValue", item_path, ctx)
            threshold = number(criterion, "threshold", item_path, ctx)
            operator = text(criterion, "operator", item_path)
            dims = _dimensions(criterion, item_path)
            words.append(" ".join(p for p in (
                metric, f"{value:g}" if value is not None else "", _OPERATORS.get(operator, ""),
                f"{threshold:g}" if threshold is not None else "") if p))
            if not metric or value is None:
                continue
            reading = named_reading(metric, value, threshold=threshold, latency_unit="ms")
            scoped = LabelView(dims)
            region, zone = scoped.region_zone()
            signals.append(metric_from_alert(alert, reading, metric).model_copy(update={
                "labels": {"alert": alert.name, **({"raw_name": metric}
                                                   if metric != reading.name else {}), **dims},
                "service": scoped.service() or alert.service,
                "region": region or alert.region,
                "zone": zone or alert.zone,
                "fingerprint": f"{alert.fingerprint}:{index}" if alert.fingerprint else None,
            }))
    if words:
        signals[0] = alert.model_copy(update={"text": join_text(alert.text, "; ".join(words))})
    return signals


_OPERATORS = {"GreaterThan": "above", "GreaterThanOrEqual": "at or above",
              "LessThan": "below", "LessThanOrEqual": "at or below",
              "GreaterOrLessThan": "away from", "Equal": "at"}


def _dimensions(criterion: Mapping[str, Any], path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for index, raw in enumerate(arr(criterion, "dimensions", path)):
        dim = item_obj(raw, (*path, "dimensions", index))
        key = text(dim, "name", (*path, "dimensions", index))
        value = text(dim, "value", (*path, "dimensions", index))
        if key and value:
            out[key] = value
    return out


def _log(alert: Signal, context: Mapping[str, Any], path: Path,
         ctx: ParseContext) -> list[Signal]:
    condition = obj(context, "condition", path)
    cond_path: Path = (*path, "condition")
    signals = [alert]
    queries: list[str] = []
    for index, raw in enumerate(arr(condition, "allOf", cond_path)):
        item_path: Path = (*cond_path, "allOf", index)
        with ctx.recover(*item_path):
            criterion = item_obj(raw, item_path)
            queries.append(text(criterion, "searchQuery", item_path))
            column = text(criterion, "metricMeasureColumn", item_path)
            value = number(criterion, "metricValue", item_path, ctx)
            if column and value is not None:
                reading = named_reading(column, value,
                                        threshold=number(criterion, "threshold", item_path, ctx),
                                        latency_unit="ms")
                signals.append(metric_from_alert(alert, reading, column))
    legacy = text(context, "SearchQuery", path)
    if legacy:
        queries.append(legacy)
        count = number(context, "ResultCount", path, ctx)
        if count is not None:
            signals[0] = alert.model_copy(update={
                "text": join_text(alert.text, f"{count:g} matching log records"),
                "count": max(1, int(count)) if count < 10**6 else alert.count})
    query = " | ".join(q for q in queries if q)
    if query:
        signals[0] = signals[0].model_copy(
            update={"labels": {**signals[0].labels, "query": query[:500]}})
    return signals


def _activity(alert: Signal, context: Mapping[str, Any], path: Path,
              ctx: ParseContext) -> list[Signal]:
    activity = obj(context, "activityLog", path) or context
    act_path: Path = (*path, "activityLog") if "activityLog" in context else path
    source = text(activity, "eventSource", act_path)
    properties = obj(activity, "properties", act_path)
    prop_path: Path = (*act_path, "properties")
    level = text(activity, "level", act_path).lower()
    severity = alert.severity or LEVEL.get(level)
    if source in {"ServiceHealth", "ResourceHealth"} or "communication" in properties:
        title = text(properties, "title", prop_path) or text(properties, "cause", prop_path)
        region, zone = canonical_region(text(properties, "region", prop_path))
        words = join_text(title, text(properties, "communication", prop_path),
                          text(properties, "details", prop_path),
                          text(properties, "currentHealthStatus", prop_path))
        return [alert.model_copy(update={
            "text": join_text(f"Azure platform incident ({source or 'ServiceHealth'}) "
                              f"affecting {text(properties, 'service', prop_path) or 'a service'}",
                              alert.text, words),
            "severity": severity,
            "region": region or alert.region,
            "zone": zone or alert.zone,
            "service": None,  # the platform's incident, not one of ours by name
            "labels": {**alert.labels, "event_source": source or "ServiceHealth",
                       **{k: v for k, v in (
                           ("incident_type", text(properties, "incidentType", prop_path)),
                           ("tracking_id", text(properties, "trackingId", prop_path))) if v}},
        })]
    operation = text(activity, "operationName", act_path)
    status = text(activity, "status", act_path)
    caller = text(activity, "caller", act_path)
    words = join_text(alert.text, " ".join(p for p in (operation, status, "by " + caller
                                                       if caller else "") if p))
    lowered = operation.lower()
    if status.lower() == "succeeded" and lowered.endswith(_CHANGE_ACTIONS):
        change_type = (ChangeType.CONFIG if any(w in lowered for w in (
            "/config", "appsettings", "/settings")) else ChangeType.SECRET
            if "secret" in lowered or "/keys/" in lowered else ChangeType.SCALE
            if "/scale" in lowered else ChangeType.INFRA)
        return [Signal(
            kind=SignalKind.CHANGE,
            source=alert.source,
            name=change_type.value,
            text=words,
            service=alert.service,
            region=alert.region,
            environment=alert.environment,
            at=time(activity, "eventTimestamp", act_path, ctx) or alert.at,
            change=ChangeDetails(type=change_type, description=operation, succeeded=True,
                                 author=caller or None),
            labels={**alert.labels, "operation": operation},
            fingerprint=text(activity, "eventDataId", act_path) or alert.fingerprint,
            raw=alert.raw,
        )]
    return [alert.model_copy(update={"text": words, "severity": severity,
                                     "labels": {**alert.labels, "operation": operation}})]
