"""New Relic alert notifications: the workflow webhook's default payload, and the legacy
alert-policy (channel) webhook.

**Workflow** (``issueUrl``, ``priority``, ``state``, ``alertConditionNames`` ...: the
fields of the default payload template; a team's template may add more):

* ``name``: ``title``; ``text``: the title and the condition and policy names;
* ``severity``: ``priority`` CRITICAL/HIGH/MEDIUM/LOW through :data:`PRIORITY`;
* ``status``: ``state`` through :data:`ISSUE_STATE` (CREATED, ACTIVATED, ACKNOWLEDGED
  fire; CLOSED is resolved, ``ended_at`` ``updatedAt``); ``at``: ``createdAt`` (epoch
  milliseconds, or ISO);
* ``service``: labels a template adds (``service``, ``appName``, ``tags``), else the
  first of ``impactedEntities`` (or ``entitiesData.names``) when it is a plain name;
  ``environment``: the same labels, else an entity name that names one;
  ``count``: ``totalIncidents``; ``fingerprint``: ``id`` (the issue id).

**Legacy alert policy** (``incident_id``, ``current_state``, ``policy_name``,
``condition_name``, ``details``, ``severity``, ``targets[]``, ``timestamp``):
``current_state`` open/acknowledged/closed through :data:`LEGACY_STATE`; ``severity``
CRITICAL/WARNING/INFO through :data:`LEGACY_SEVERITY`; ``service`` the first target's
``name`` (its ``labels`` by the label rules first); ``text`` the ``details`` (which state
the breached condition and its value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import environment_in_name
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    choice,
    integer,
    item_obj,
    obj,
    scalar_text,
    str_map,
    text,
    time,
    user_errors_only,
)
from ..labels import LabelView, parse_tags, plain_service
from ..signals import join_text

PRIORITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "high": SourceSeverity.ERROR,
    "medium": SourceSeverity.WARNING,
    "low": SourceSeverity.INFO,
}
ISSUE_STATE: dict[str, SignalStatus] = {
    "created": SignalStatus.FIRING,
    "activated": SignalStatus.FIRING,
    "acknowledged": SignalStatus.FIRING,
    "closed": SignalStatus.RESOLVED,
}
LEGACY_STATE: dict[str, SignalStatus] = {
    "open": SignalStatus.FIRING,
    "acknowledged": SignalStatus.FIRING,
    "closed": SignalStatus.RESOLVED,
}
LEGACY_SEVERITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "warning": SourceSeverity.WARNING,
    "info": SourceSeverity.INFO,
}
_WORKFLOW_KEYS = ("alertConditionNames", "alertPolicyNames", "totalIncidents",
                  "impactedEntities")


class NewRelicAdapter:
    name = "newrelic"
    title = "New Relic alert webhook (workflow or legacy alert policy)"
    detects = ("workflow: issueUrl + state/priority (or state + priority + "
               "alertConditionNames/alertPolicyNames/totalIncidents/impactedEntities); legacy: "
               "incident_id + current_state + policy_name/condition_name")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        if "issueUrl" in doc and ("state" in doc or "priority" in doc):
            return True
        if "state" in doc and "priority" in doc and any(k in doc for k in _WORKFLOW_KEYS):
            return True
        return "incident_id" in doc and "current_state" in doc and (
            "policy_name" in doc or "condition_name" in doc)

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        if "current_state" in doc:
            return _legacy(doc, ctx)
        return _workflow(doc, ctx)


def _names(doc: Mapping[str, Any], key: str, path: Path = ()) -> list[str]:
    value = doc.get(key)
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [scalar_text(v, f"{key}[{i}]") for i, v in enumerate(arr(doc, key, path))
            if isinstance(v, (str, int, float)) and not isinstance(v, bool)]


def _workflow(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    state = text(doc, "state").lower()
    status = choice(ISSUE_STATE, state, "state", ctx, SignalStatus.FIRING) if state \
        else SignalStatus.FIRING
    priority = text(doc, "priority").lower()
    severity = choice(PRIORITY, priority, "priority", ctx, None) if priority else None
    entities = _names(doc, "impactedEntities") or _names(
        obj(doc, "entitiesData"), "names", ("entitiesData",))
    conditions = _names(doc, "alertConditionNames")
    policies = _names(doc, "alertPolicyNames")
    tags = doc.get("tags")
    tag_map = parse_tags([t for t in tags if isinstance(t, str)]) if isinstance(tags, list) \
        else str_map(doc, "tags") if isinstance(tags, Mapping) else {}
    scalars = {str(k): scalar_text(v, str(k)) for k, v in doc.items()
               if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    view = LabelView(scalars, tag_map, {"app": text(doc, "appName")})
    entity = entities[0] if entities else ""
    title = text(doc, "title") or (conditions[0] if conditions else "New Relic issue")
    region, zone = view.region_zone()
    updated = time(doc, "updatedAt", (), ctx)
    labels = {k: v for k, v in tag_map.items() if len(v) <= 200}
    labels.update({k: v for k, v in (
        ("priority", text(doc, "priority")), ("state", text(doc, "state")),
        ("conditions", ", ".join(conditions)), ("policies", ", ".join(policies)),
        ("entities", ", ".join(entities)[:200]), ("trigger", text(doc, "trigger")),
        ("issue_url", text(doc, "issueUrl")), ("workflow", text(doc, "workflowName")))
        if v})
    return [Signal(
        kind=SignalKind.ALERT,
        source="newrelic",
        name=title[:200],
        text=join_text(title, *conditions, *(f"on {e}" for e in entities[:3])),
        service=view.service() or plain_service(entity),
        dependency=view.dependency(),
        region=region,
        zone=zone,
        environment=view.environment() or next(
            (env for env in map(environment_in_name, entities) if env), None),
        severity=severity,
        status=status,
        at=time(doc, "createdAt", (), ctx) or updated,
        ended_at=updated if status is SignalStatus.RESOLVED else None,
        count=max(1, integer(doc, "totalIncidents", ctx=ctx, default=1)),
        labels=labels,
        fingerprint=text(doc, "id") or text(doc, "issueId") or None,
        raw=dict(doc),
    )]


def _legacy(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    state = text(doc, "current_state").lower()
    status = choice(LEGACY_STATE, state, "current_state", ctx, SignalStatus.FIRING) \
        if state else SignalStatus.FIRING
    raw_severity = text(doc, "severity").lower()
    severity = choice(LEGACY_SEVERITY, raw_severity, "severity", ctx, None) \
        if raw_severity else None
    target: Mapping[str, Any] = {}
    targets = arr(doc, "targets")
    if targets:
        target = item_obj(targets[0], ("targets", 0))
    target_path: Path = ("targets", 0)
    target_labels = str_map(target, "labels", target_path)
    view = LabelView(target_labels)
    target_name = text(target, "name", target_path)
    condition = text(doc, "condition_name")
    policy = text(doc, "policy_name")
    at = time(doc, "timestamp", (), ctx)
    region, zone = view.region_zone()
    labels = {k: v for k, v in target_labels.items() if len(v) <= 200}
    labels.update({k: v for k, v in (
        ("policy", policy), ("condition", condition), ("state", state),
        ("severity", text(doc, "severity")), ("target", target_name),
        ("product", text(target, "product", target_path)),
        ("incident_url", text(doc, "incident_url")),
        ("runbook_url", text(doc, "runbook_url"))) if v})
    return [Signal(
        kind=SignalKind.ALERT,
        source="newrelic",
        name=(condition or policy or "New Relic incident")[:200],
        text=join_text(text(doc, "details"), condition, f"on {target_name}"
                       if target_name else "") or condition,
        service=view.service() or plain_service(target_name),
        dependency=view.dependency(),
        region=region,
        zone=zone,
        environment=view.environment() or environment_in_name(target_name),
        severity=severity,
        status=status,
        at=at if status is SignalStatus.FIRING else None,
        ended_at=at if status is SignalStatus.RESOLVED else None,
        labels=labels,
        fingerprint=f"newrelic:{text(doc, 'incident_id')}" if text(doc, "incident_id") else None,
        raw=dict(doc),
    )]
