"""Opsgenie outgoing webhooks (the Webhook integration's alert action data).

One POST per alert action: ``{"action": "Create", "alert": {...}, "source": {...},
"integrationName": ...}``. The action is an alert's lifecycle step:

* ``status``: :data:`ACTIONS` (Create, Acknowledge, AddNote, Escalate ... are FIRING;
  Close and Delete are RESOLVED, with ``ended_at`` the alert's ``updatedAt``);
* ``name``: ``alert.message``; ``text``: the message, ``alert.description`` and the
  scalar ``alert.details`` as ``key: value``; an AddNote action adds ``alert.note``
  (a LOG signal with the note's words, beside the alert);
* ``severity``: ``alert.priority`` P1–P5 through :data:`PRIORITY_SEVERITY`;
* ``service``, ``region``, ``environment``: from ``alert.details`` and the
  ``key:value`` tags (``service:checkout``, ``env:staging``) by the label rules, else
  the ``alert.entity`` when it is a plain name; a bare tag that names an environment
  (``staging``, ``prod``) is the environment;
* ``at``: ``alert.createdAt`` (epoch milliseconds); ``updatedAt`` is epoch
  nanoseconds in Opsgenie's payloads (seconds and milliseconds are read too);
* ``fingerprint``: ``alert.alias`` (Opsgenie's de-duplication key), else ``alertId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...models import Signal, SignalKind, SignalStatus
from ...names import environment_in_name
from ..base import ParseContext
from ..fields import Path, arr, choice, obj, req_obj, scalar_text, text, time, user_errors_only
from ..labels import LabelView, parse_tags, plain_service
from ..signals import PRIORITY_SEVERITY, detail_metrics, join_text

ACTIONS: dict[str, SignalStatus] = {
    "create": SignalStatus.FIRING,
    "acknowledge": SignalStatus.FIRING,
    "unacknowledge": SignalStatus.FIRING,
    "addnote": SignalStatus.FIRING,
    "escalate": SignalStatus.FIRING,
    "escalatetonext": SignalStatus.FIRING,
    "assignownership": SignalStatus.FIRING,
    "takeownership": SignalStatus.FIRING,
    "addrecipient": SignalStatus.FIRING,
    "addteam": SignalStatus.FIRING,
    "addtags": SignalStatus.FIRING,
    "removetags": SignalStatus.FIRING,
    "adddetails": SignalStatus.FIRING,
    "removedetails": SignalStatus.FIRING,
    "updatepriority": SignalStatus.FIRING,
    "updatemessage": SignalStatus.FIRING,
    "updatedescription": SignalStatus.FIRING,
    "snooze": SignalStatus.FIRING,
    "snoozeended": SignalStatus.FIRING,
    "customaction": SignalStatus.FIRING,
    "close": SignalStatus.RESOLVED,
    "delete": SignalStatus.RESOLVED,
}
_NANOS = 10**17  # an epoch number above this is in nanoseconds (Opsgenie's updatedAt)


class OpsgenieAdapter:
    name = "opsgenie"
    title = "Opsgenie outgoing webhook"
    detects = 'action + alert.alertId/alert.tinyId'

    def detect(self, doc: Mapping[str, Any]) -> bool:
        alert = doc.get("alert")
        return (
            isinstance(doc.get("action"), str)
            and isinstance(alert, Mapping)
            and ("alertId" in alert or "tinyId" in alert)
        )

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        action = text(doc, "action")
        status = choice(ACTIONS, action.lower().replace("_", ""), "action", ctx,
                        SignalStatus.FIRING)
        alert = req_obj(doc, "alert")
        path: Path = ("alert",)
        tags = [scalar_text(t, f"alert.tags[{i}]") for i, t in enumerate(arr(alert, "tags", path))]
        tag_map = parse_tags(tags)
        details = {str(k): scalar_text(v, f"alert.details.{k}")
                   for k, v in obj(alert, "details", path).items()
                   if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
        view = LabelView(details, tag_map)
        entity = text(alert, "entity", path)
        message = text(alert, "message", path)
        priority = text(alert, "priority", path)
        region, zone = view.region_zone()
        environment = view.environment() or next(
            (env for env in map(environment_in_name, (t for t in tags if ":" not in t)) if env),
            None)
        updated = _epoch(alert, "updatedAt", path, ctx)
        created = _epoch(alert, "createdAt", path, ctx)
        detail_text = "; ".join(f"{k}: {v}" for k, v in details.items() if v)
        labels = {k: v for k, v in {**tag_map, **details}.items() if len(v) <= 200}
        labels.update({k: v for k, v in (
            ("action", action), ("priority", priority), ("entity", entity),
            ("tiny_id", text(alert, "tinyId", path)),
            ("integration", text(doc, "integrationName")),
            ("source", text(alert, "source", path))) if v})
        signal = Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=(message or entity or "Opsgenie alert")[:200],
            text=join_text(message, text(alert, "description", path), detail_text)
            or message or action,
            service=view.service() or plain_service(entity),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=environment,
            severity=PRIORITY_SEVERITY.get(priority.lower()),
            status=status,
            at=created or updated,
            ended_at=updated if status is SignalStatus.RESOLVED else None,
            labels=labels,
            fingerprint=text(alert, "alias", path) or text(alert, "alertId", path) or None,
            raw=dict(doc),
        )
        signals = [signal, *detail_metrics(signal, details)]
        note = text(alert, "note", path)
        if note and action.lower() == "addnote":
            signals.append(Signal(kind=SignalKind.LOG, source=self.name, name="note",
                                  text=note, service=signal.service,
                                  environment=signal.environment, at=updated,
                                  labels={"alert": signal.name}))
        return signals


def _epoch(alert: Mapping[str, Any], key: str, path: Path, ctx: ParseContext) -> datetime | None:
    value = alert.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value > _NANOS:
        return time({key: value // 1_000_000}, key, path, ctx)
    return time(alert, key, path, ctx)
