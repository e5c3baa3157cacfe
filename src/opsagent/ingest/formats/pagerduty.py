"""PagerDuty: V3 webhooks and Events API v2 events.

**V3 webhook** (``{"event": {"event_type": "incident.triggered", "data": {...}}}``):
``incident.*`` events on an incident become one ALERT signal.

* ``name``/``text``: ``data.title`` (plus ``data.body.details`` when present);
  ``incident.annotated`` and ``incident.status_update_published`` become LOG signals
  with the note or update text;
* ``status``: RESOLVED for ``incident.resolved`` (``ended_at`` = ``occurred_at``) or a
  ``data.status`` of ``resolved``; FIRING otherwise (triggered, acknowledged, reopened,
  escalated, priority_updated ...);
* ``severity``: ``data.priority.summary`` P1–P5 through :data:`PRIORITY_SEVERITY`, else
  ``data.urgency`` through :data:`URGENCY_SEVERITY`;
* ``service``: ``data.service.summary`` ("Checkout API" → ``checkout-api``, which the
  assembly unifies with ``checkout``); ``at``: ``data.created_at`` (else
  ``occurred_at``); ``fingerprint``: ``data.incident_key`` (else the incident id).

``service.*`` and other non-incident events carry nothing to triage (no signal).

**Events API v2** (``routing_key`` + ``event_action`` trigger/acknowledge/resolve):

* ``name``: ``payload.summary``; ``text``: the summary, then the scalar
  ``payload.custom_details`` as ``key: value`` (error messages live there);
* ``severity``: ``payload.severity`` through :data:`EVENT_SEVERITY`;
* ``status``: RESOLVED for ``resolve``; FIRING for ``trigger`` and ``acknowledge``;
* ``service``: ``custom_details.service`` (or ``app``/``service_name``), else
  ``payload.group``, else ``payload.source`` when it is a plain name (not a host name,
  FQDN or path); ``dependency``: ``payload.component`` (``postgres``, ``redis``) when it
  differs from the service; region/environment from custom details by the label rules;
* ``at``: ``payload.timestamp`` (``2015-07-17T08:42:58.315+0000`` style);
  ``fingerprint``: ``dedup_key``;
* numeric custom details whose key maps to a canonical metric (``error_rate``, ``cpu``,
  ``p95_latency_ms``) also give METRIC signals.

A **change event** (``routing_key`` + ``payload.summary`` and no ``event_action``, sent to
``/v2/change/enqueue``) becomes a CHANGE signal whose type comes from its words (deploy,
rollback, config, flag, secret, migration ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...errors import InputError
from ...models import ChangeDetails, ChangeType, Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import canonical_region, service_name
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    choice,
    obj,
    req_obj,
    scalar_text,
    text,
    time,
    user_errors_only,
    where,
)
from ..labels import LabelView
from ..signals import PRIORITY_SEVERITY, detail_metrics, join_text

URGENCY_SEVERITY: dict[str, SourceSeverity] = {
    "high": SourceSeverity.ERROR,
    "low": SourceSeverity.WARNING,
}
EVENT_SEVERITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "error": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "info": SourceSeverity.INFO,
}
EVENT_ACTIONS: dict[str, SignalStatus] = {
    "trigger": SignalStatus.FIRING,
    "acknowledge": SignalStatus.FIRING,
    "resolve": SignalStatus.RESOLVED,
}
# Custom details that only place the event (read as labels, not repeated in the text).
_SCOPE_DETAILS = frozenset({"service", "service_name", "app", "region", "zone", "environment",
                            "env"})
_SHAPES = ('V3 webhooks ({"event": {"event_type": ...}}) and Events API v2 events '
           "(routing_key with event_action, or a change event)")
_LOG_EVENTS = {"incident.annotated", "incident.status_update_published"}
_HOSTLIKE = re.compile(r"[.:/@]|^\d")

# Words in a change event → its type (first match wins).
CHANGE_WORDS: tuple[tuple[re.Pattern[str], ChangeType], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), change_type)
    for pattern, change_type in (
        (r"\brollback|\brolled back|\brevert", ChangeType.ROLLBACK),
        (r"\bmigration|\bmigrate", ChangeType.MIGRATION),
        (r"\bfeature[ -]?flag|\bflag\b|\btoggle", ChangeType.FLAG),
        (r"\bsecret|\bcredential|\brotat|\bapi key", ChangeType.SECRET),
        (r"\bcertificate|\bcert\b|\btls\b", ChangeType.CERTIFICATE),
        (r"\bdns\b|\brecord set|\bcname\b", ChangeType.DNS),
        (r"\bscal(?:e|ed|ing)\b|\breplicas?\b|\bautoscal", ChangeType.SCALE),
        (r"\bterraform|\binfra|\bcloudformation|\bnetwork|\bfirewall|\bsecurity group",
         ChangeType.INFRA),
        (r"\bconfig|\bsetting|\bparameter", ChangeType.CONFIG),
        (r"\bdeploy|\brelease|\brollout|\bship|\bbuild|\bmerged?\b|\bversion", ChangeType.DEPLOY),
    )
)


def change_type_from_words(*texts: str) -> ChangeType:
    """The change type named by a change's words; OTHER when none is."""
    joined = " ".join(texts)
    for pattern, change_type in CHANGE_WORDS:
        if pattern.search(joined):
            return change_type
    return ChangeType.OTHER


class PagerDutyAdapter:
    name = "pagerduty"
    title = "PagerDuty (V3 webhook or Events API v2)"
    detects = ("V3 webhook event.event_type + event.data; Events API v2 routing_key + "
               "event_action (or a change event's payload)")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        event = doc.get("event")
        if isinstance(event, Mapping) and isinstance(event.get("event_type"), str):
            return "data" in event or "resource_type" in event
        if "routing_key" in doc:
            return "event_action" in doc or isinstance(doc.get("payload"), Mapping)
        return False

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """PagerDuty's older webhooks (v1/v2: ``messages[]``) and Events API v1 events."""
        messages = doc.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
            first = messages[0]
            data = first.get("data")
            kind = str(first.get("event", first.get("type", "")))
            if "incident" in first or kind.startswith("incident.") or (
                    isinstance(data, Mapping) and "incident" in data):
                return f"a PagerDuty v2 (or v1) webhook (messages[]); supported: {_SHAPES}"
        if "service_key" in doc and doc.get("event_type") in {"trigger", "acknowledge",
                                                               "resolve"}:
            return f"a PagerDuty Events API v1 event (service_key); supported: {_SHAPES}"
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        if isinstance(doc.get("event"), Mapping):
            return _parse_webhook(doc, ctx)
        if "event_action" in doc:
            return _parse_event(doc, ctx)
        return _parse_change(doc, ctx)


# V3 webhooks ---------------------------------------------------------------------------
def _parse_webhook(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    event = req_obj(doc, "event")
    path: Path = ("event",)
    event_type = text(event, "event_type", path).lower()
    occurred = time(event, "occurred_at", path, ctx)
    data = obj(event, "data", path)
    data_path: Path = (*path, "data")
    if not event_type.startswith("incident."):
        return []
    if event_type in _LOG_EVENTS:
        return _webhook_log(event_type, data, data_path, occurred)
    title = text(data, "title", data_path) or text(data, "summary", data_path)
    service = obj(data, "service", data_path)
    priority = obj(data, "priority", data_path)
    priority_name = text(priority, "summary", (*data_path, "priority"))
    urgency = text(data, "urgency", data_path)
    severity = PRIORITY_SEVERITY.get(priority_name.lower()) or URGENCY_SEVERITY.get(
        urgency.lower()
    )
    state = text(data, "status", data_path).lower()
    resolved = event_type == "incident.resolved" or state == "resolved"
    labels = {"event_type": event_type}
    for key, value in (("priority", priority_name), ("urgency", urgency), ("status", state),
                       ("html_url", text(data, "html_url", data_path)),
                       ("number", text(data, "number", data_path))):
        if value:
            labels[key] = value
    teams = [text(item, "summary", (*data_path, "teams", i))
             for i, item in enumerate(arr(data, "teams", data_path)) if isinstance(item, Mapping)]
    if any(teams):
        labels["teams"] = ", ".join(t for t in teams if t)
    body = obj(data, "body", data_path)
    details = body.get("details")
    details_text = (
        scalar_text(details, where((*data_path, "body"), "details"))
        if not isinstance(details, Mapping)
        else "; ".join(f"{k}: {v}" for k, v in details.items() if isinstance(v, (str, int, float)))
    )
    return [
        Signal(
            kind=SignalKind.ALERT,
            source="pagerduty",
            name=(title or "PagerDuty incident")[:200],
            text=join_text(title, details_text) or event_type,
            service=service_name(text(service, "summary", (*data_path, "service"))),
            severity=severity,
            status=SignalStatus.RESOLVED if resolved else SignalStatus.FIRING,
            at=time(data, "created_at", data_path, ctx) or occurred,
            ended_at=occurred if resolved else None,
            labels=labels,
            fingerprint=text(data, "incident_key", data_path) or text(data, "id", data_path)
            or None,
            raw=dict(doc),
        )
    ]


def _webhook_log(
    event_type: str, data: Mapping[str, Any], path: Path, occurred: datetime | None
) -> list[Signal]:
    words = text(data, "content", path) or text(data, "message", path)
    if not words:
        return []
    incident = obj(data, "incident", path)
    return [
        Signal(
            kind=SignalKind.LOG,
            source="pagerduty",
            name=event_type,
            text=words,
            at=occurred,
            labels={"incident": text(incident, "summary", (*path, "incident"))},
            raw=dict(data),
        )
    ]


# Events API v2 ---------------------------------------------------------------------------
def _parse_event(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    action = text(doc, "event_action").lower()
    status = choice(EVENT_ACTIONS, action, "event_action", ctx, SignalStatus.FIRING)
    dedup_key = text(doc, "dedup_key") or None
    payload = obj(doc, "payload")
    if action == "trigger" and not payload:
        raise InputError("missing; a trigger event needs a payload", field="payload")
    path: Path = ("payload",)
    summary = text(payload, "summary", path)
    raw_severity = text(payload, "severity", path).lower()
    if raw_severity:
        choice(EVENT_SEVERITY, raw_severity, "payload.severity", ctx, None)
    details, detail_text = _custom_details(payload, path)
    view = LabelView(details)
    group = text(payload, "group", path)
    source = text(payload, "source", path)
    component = service_name(text(payload, "component", path))
    group_region = _region_like(group)
    service = view.service() or (None if group_region else _plain_name(group))
    if service is None:
        # a monitoring tool as the source ("aws-health") reports about the component
        service = component if _MONITOR.search(source) and component else _plain_name(source)
    dependency = view.dependency() or (component if component and component != service else None)
    region, zone = view.region_zone()
    if region is None and group_region:
        region = group_region
    labels = {k: v for k, v in details.items() if len(v) <= 200}
    for key in ("source", "component", "group", "class"):
        value = text(payload, key, path)
        if value:
            labels[key] = value
    labels["event_action"] = action
    at = time(payload, "timestamp", path, ctx)
    name = (summary or dedup_key or "PagerDuty event")[:200]
    alert = Signal(
        kind=SignalKind.ALERT,
        source="pagerduty",
        name=name,
        text=join_text(summary, detail_text) or name,
        service=service,
        dependency=dependency,
        region=region,
        zone=zone,
        environment=view.environment(),
        severity=EVENT_SEVERITY.get(raw_severity),
        status=status,
        at=at if status is SignalStatus.FIRING else None,
        ended_at=at if status is SignalStatus.RESOLVED else None,
        labels=labels,
        fingerprint=dedup_key,
        raw=dict(doc),
    )
    return [alert, *detail_metrics(alert, payload.get("custom_details"))]


def _parse_change(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    payload = req_obj(doc, "payload")
    path: Path = ("payload",)
    summary = text(payload, "summary", path)
    if not summary:
        raise InputError("missing; a change event needs a summary", field="payload.summary")
    details, detail_text = _custom_details(payload, path)
    view = LabelView(details)
    source = text(payload, "source", path)
    change_type = change_type_from_words(summary, detail_text)
    state = (details.get("build_state") or details.get("status") or details.get("state") or "")
    succeeded = {"passed": True, "success": True, "succeeded": True, "failed": False,
                 "failure": False, "error": False}.get(state.lower())
    region, zone = view.region_zone()
    return [
        Signal(
            kind=SignalKind.CHANGE,
            source="pagerduty",
            name=change_type.value,
            text=join_text(summary, detail_text),
            service=view.service() or _plain_name(source),
            region=region,
            zone=zone,
            environment=view.environment(),
            at=time(payload, "timestamp", path, ctx),
            change=ChangeDetails(
                type=change_type,
                version=details.get("version") or details.get("build_number") or None,
                description=summary,
                succeeded=succeeded,
            ),
            labels={**{k: v for k, v in details.items() if len(v) <= 200},
                    **({"source": source} if source else {})},
            raw=dict(doc),
        )
    ]


def _custom_details(payload: Mapping[str, Any], path: Path) -> tuple[dict[str, str], str]:
    raw = payload.get("custom_details")
    if raw is None:
        return {}, ""
    field = where(path, "custom_details")
    if isinstance(raw, str):
        return {}, raw.strip()[:2000]
    if not isinstance(raw, Mapping):
        raise InputError("expected an object or text", field=field)
    details: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, (str, int, float, bool)) and value is not None:
            details[str(key)] = scalar_text(value, f"{field}.{key}")
    detail_text = "; ".join(
        f"{k}: {v}" for k, v in details.items() if v and k.lower() not in _SCOPE_DETAILS
    )[:2000]
    return details, detail_text


_MONITOR = re.compile(r"(?i)\b(aws-?health|health|cloudwatch|datadog|prometheus|alertmanager|"
                      r"nagios|icinga|zabbix|pingdom|uptime\w*|monitor\w*|synthetic\w*|"
                      r"new ?relic|grafana|sentry|statuspage|checkly)\b")


def _region_like(value: str) -> str | None:
    """The region when a field holds a cloud region id (``eu-west-1``), else None."""
    region, zone = canonical_region(value)
    if region and (region != value.strip().lower().replace(" ", "-") or zone
                   or re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d$|^[a-z]+-[a-z]+\d$", region)):
        return region
    return None


def _plain_name(value: str) -> str | None:
    """A service-like name; host names, FQDNs, paths and URLs are not services."""
    if not value or _HOSTLIKE.search(value):
        return None
    return service_name(value)
