"""Elastic / Kibana alerting: the Webhook connector's body, as teams write it from the
action variables (``{"rule": {{rule}}, "context": {{context}}, "alert": {{alert}},
"alerts": {{alerts}}, "date": "{{date}}"}``, or the same fields one by one).

* ``name``: ``rule.name``; ``text``: ``context.reason``, ``context.message``,
  ``context.title`` (the words Kibana writes of what was observed);
* ``status``: ``alert.actionGroup`` through :data:`ACTION_GROUPS` (``recovered`` is
  resolved); for a summary of alerts (``alerts.new``/``ongoing``/``recovered`` with
  ``count``), recovered when only recovered alerts remain;
* ``severity``: the action group (a ``warning`` group is a warning), else a rule tag
  ``severity:high`` through :data:`SEVERITY`;
* ``service``: ``context.serviceName`` (APM rules), else the rule tags
  (``service:checkout``), else ``context.group`` when it is a plain name;
  ``environment``: ``context.environment`` (APM), else the tags, else a name that names
  one; ``region``: the tags;
* the value: ``context.triggerValue`` (APM, ``"12.5%"``/``"2,400 ms"``) or
  ``context.value`` with ``context.threshold``, named by ``context.metric``, else by an
  APM rule's type (``apm.transaction_error_rate`` → ``error_rate``), gives a METRIC (the
  value of another rule, a document count or an aggregation, stays in the words);
* ``at``: ``context.date``, else ``date``; ``fingerprint``: the rule id and
  ``alert.id``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import environment_in_name, service_name
from ..base import ParseContext
from ..fields import Path, arr, integer, obj, req_obj, scalar_text, text, time, user_errors_only
from ..labels import LabelView, parse_tags, plain_service
from ..signals import join_text, metric_from_alert, named_reading

# Action group id → (status, severity); an unknown group fires with no severity of its own.
ACTION_GROUPS: dict[str, tuple[SignalStatus, SourceSeverity | None]] = {
    "recovered": (SignalStatus.RESOLVED, None),
    "threshold met": (SignalStatus.FIRING, None),
    "query matched": (SignalStatus.FIRING, None),
    "metrics.threshold.fired": (SignalStatus.FIRING, SourceSeverity.ERROR),
    "metrics.threshold.warning": (SignalStatus.FIRING, SourceSeverity.WARNING),
    "metrics.inventory_threshold.fired": (SignalStatus.FIRING, SourceSeverity.ERROR),
    "metrics.inventory_threshold.warning": (SignalStatus.FIRING, SourceSeverity.WARNING),
    "custom_threshold.fired": (SignalStatus.FIRING, SourceSeverity.ERROR),
    "logs.threshold.fired": (SignalStatus.FIRING, SourceSeverity.ERROR),
    "threshold_met": (SignalStatus.FIRING, SourceSeverity.ERROR),
    "warning": (SignalStatus.FIRING, SourceSeverity.WARNING),
    "critical": (SignalStatus.FIRING, SourceSeverity.CRITICAL),
}
SEVERITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "high": SourceSeverity.ERROR,
    "error": SourceSeverity.ERROR,
    "medium": SourceSeverity.WARNING,
    "warning": SourceSeverity.WARNING,
    "low": SourceSeverity.INFO,
    "info": SourceSeverity.INFO,
}
_NUMBER = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*(%|ms|s\b|µs|us\b)?")


class KibanaAdapter:
    name = "kibana"
    title = "Elastic / Kibana alerting webhook"
    detects = 'rule.name/rule.id + context, alert or alerts objects'

    def detect(self, doc: Mapping[str, Any]) -> bool:
        rule = doc.get("rule")
        return (
            isinstance(rule, Mapping)
            and ("name" in rule or "id" in rule)
            and any(isinstance(doc.get(k), Mapping) for k in ("context", "alert", "alerts"))
        )

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        rule = req_obj(doc, "rule")
        context = obj(doc, "context")
        alert = obj(doc, "alert")
        rule_path: Path = ("rule",)
        ctx_path: Path = ("context",)
        tags = _tags(rule, rule_path) | _tags(doc, ())
        view = LabelView(tags)
        status, severity = _state(doc, alert)
        severity = severity or SEVERITY.get(tags.get("severity", "").lower())
        rule_name = text(rule, "name", rule_path) or "Kibana rule"
        group = text(context, "group", ctx_path)
        apm_service = text(context, "serviceName", ctx_path)
        region, zone = view.region_zone()
        labels = {k: v for k, v in tags.items() if len(v) <= 200}
        labels.update({k: v for k, v in (
            ("rule_type", text(rule, "type", rule_path) or text(rule, "ruleTypeId", rule_path)),
            ("action_group", text(alert, "actionGroup", ("alert",))),
            ("group", group), ("rule_url", text(rule, "url", rule_path)),
            ("transaction_type", text(context, "transactionType", ctx_path))) if v})
        at = time(context, "date", ctx_path, ctx) or time(doc, "date", (), ctx)
        signal = Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=rule_name[:200],
            text=join_text(text(context, "reason", ctx_path), text(context, "message", ctx_path),
                           text(context, "title", ctx_path)) or rule_name,
            service=service_name(apm_service) if apm_service else view.service()
            or plain_service(group),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=_environment(text(context, "environment", ctx_path), view, group,
                                     rule_name),
            severity=severity,
            status=status,
            at=at if status is SignalStatus.FIRING else None,
            ended_at=at if status is SignalStatus.RESOLVED else None,
            labels=labels,
            fingerprint=":".join(p for p in ("kibana", text(rule, "id", rule_path) or rule_name,
                                             text(alert, "id", ("alert",)) or group) if p),
            raw=dict(doc),
        )
        metric = _metric(signal, rule, context, ctx_path)
        return [signal, metric] if metric is not None else [signal]


def _tags(container: Mapping[str, Any], path: Path) -> dict[str, str]:
    raw = container.get("tags")
    if isinstance(raw, str):
        return parse_tags(raw.split(","))
    return parse_tags([scalar_text(t, f"{'.'.join(map(str, path)) or 'tags'}[{i}]")
                       for i, t in enumerate(arr(container, "tags", path))
                       if isinstance(t, (str, int, float))])


def _state(doc: Mapping[str, Any], alert: Mapping[str, Any]) -> tuple[SignalStatus,
                                                                      SourceSeverity | None]:
    group = text(alert, "actionGroup", ("alert",)).lower()
    if group:
        return ACTION_GROUPS.get(group, (SignalStatus.FIRING, None))
    summary = obj(doc, "alerts")
    counts = {k: integer(obj(summary, k, ("alerts",)), "count", ("alerts", k))
              for k in ("new", "ongoing", "recovered")}
    if counts["recovered"] and not counts["new"] and not counts["ongoing"]:
        return SignalStatus.RESOLVED, None
    return SignalStatus.FIRING, None


def _environment(apm: str, view: LabelView, *names: str) -> str | None:
    if apm and apm.upper() != "ENVIRONMENT_ALL":
        return environment_in_name(apm) or apm.lower()
    return view.environment() or next(
        (env for env in map(environment_in_name, names) if env), None)


def _metric(signal: Signal, rule: Mapping[str, Any], context: Mapping[str, Any],
            path: Path) -> Signal | None:
    raw = context.get("triggerValue", context.get("value"))
    if isinstance(raw, bool) or raw is None or isinstance(raw, (Mapping, list)):
        return None
    words = scalar_text(raw, "context.triggerValue" if "triggerValue" in context
                        else "context.value")
    match = _NUMBER.search(words)
    if match is None:
        return None
    value = float(match.group(1).replace(",", ""))
    unit = {"%": "percent", "ms": "ms", "s": "s", "µs": "us", "us": "us"}.get(
        match.group(2) or "")
    if unit == "us":
        value, unit = value / 1000.0, "ms"
    threshold_text = text(context, "threshold", path)
    threshold_match = _NUMBER.search(threshold_text) if threshold_text else None
    threshold = float(threshold_match.group(1).replace(",", "")) if threshold_match else None
    rule_type = text(rule, "type", ("rule",)) or text(rule, "ruleTypeId", ("rule",))
    # the value is named by the context, or by an APM rule's type; the value of another
    # rule (a document count, an aggregation) stays in the alert's words
    name = text(context, "metric", path) or (rule_type if rule_type.startswith("apm.") else "")
    if not name:
        return None
    reading = named_reading(name, value, unit=unit, threshold=threshold, latency_unit="ms")
    return metric_from_alert(signal, reading, name)
