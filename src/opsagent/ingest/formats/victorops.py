"""Splunk On-Call (VictorOps) REST endpoint alerts.

A REST alert is a flat object: ``message_type``, ``entity_id`` (the incident key),
``entity_display_name``, ``state_message``, ``state_start_time``, ``monitoring_tool``,
``timestamp``, and any fields the sender adds (``service``, ``env``, ``host``,
``region`` ...), which are read as labels.

* ``status`` and ``severity``: ``message_type`` through :data:`MESSAGE_TYPE` (CRITICAL,
  WARNING and INFO fire; ACKNOWLEDGEMENT fires; RECOVERY is resolved);
* ``name``: ``entity_display_name``, else ``entity_id``; ``text``: the display name and
  ``state_message``;
* ``service``, ``region``, ``environment``, ``dependency``: the added fields by the label
  rules, else the first segment of an ``entity_id`` written as ``service/check``;
* ``at``: ``state_start_time``, else ``timestamp`` (epoch seconds, or ISO);
  ``fingerprint``: ``entity_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ..base import ParseContext
from ..fields import choice, scalar_text, text, time, user_errors_only
from ..labels import LabelView, plain_service
from ..signals import detail_metrics, join_text

MESSAGE_TYPE: dict[str, tuple[SignalStatus, SourceSeverity | None]] = {
    "critical": (SignalStatus.FIRING, SourceSeverity.CRITICAL),
    "warning": (SignalStatus.FIRING, SourceSeverity.WARNING),
    "info": (SignalStatus.FIRING, SourceSeverity.INFO),
    "acknowledgement": (SignalStatus.FIRING, None),
    "recovery": (SignalStatus.RESOLVED, None),
}
_OWN_FIELDS = frozenset({"message_type", "entity_id", "entity_display_name", "state_message",
                         "state_start_time", "timestamp", "monitoring_tool", "routing_key",
                         "api_key"})


class VictorOpsAdapter:
    name = "victorops"
    title = "Splunk On-Call (VictorOps) REST alert"
    detects = 'message_type CRITICAL/WARNING/INFO/ACKNOWLEDGEMENT/RECOVERY + entity_id'

    def detect(self, doc: Mapping[str, Any]) -> bool:
        kind = doc.get("message_type")
        return isinstance(kind, str) and kind.lower() in MESSAGE_TYPE and "entity_id" in doc

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        kind = doc.get("message_type")
        if isinstance(kind, str) and ("entity_id" in doc or "state_message" in doc):
            return (f"a Splunk On-Call (VictorOps) alert with message_type {kind[:30]!r}; "
                    "supported: REST alerts with message_type CRITICAL, WARNING, INFO, "
                    "ACKNOWLEDGEMENT or RECOVERY and an entity_id")
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        kind = text(doc, "message_type")
        status, severity = choice(MESSAGE_TYPE, kind.lower(), "message_type", ctx,
                                  MESSAGE_TYPE["critical"])
        entity = text(doc, "entity_id")
        display = text(doc, "entity_display_name")
        extra = {str(k): scalar_text(v, str(k)) for k, v in doc.items()
                 if k not in _OWN_FIELDS and isinstance(v, (str, int, float))
                 and not isinstance(v, bool)}
        view = LabelView(extra)
        head = entity.split("/", 1)[0] if "/" in entity else ""
        region, zone = view.region_zone()
        at = time(doc, "state_start_time", (), ctx) or time(doc, "timestamp", (), ctx)
        labels = {k: v for k, v in extra.items() if len(v) <= 200}
        labels.update({k: v for k, v in (("message_type", kind), ("entity_id", entity),
                                         ("monitoring_tool", text(doc, "monitoring_tool")))
                       if v})
        name = display or entity or "Splunk On-Call alert"
        alert = Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=name[:200],
            text=join_text(display, text(doc, "state_message")) or name,
            service=view.service() or plain_service(head),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=view.environment(),
            severity=severity,
            status=status,
            at=at if status is SignalStatus.FIRING else None,
            ended_at=at if status is SignalStatus.RESOLVED else None,
            labels=labels,
            fingerprint=entity or None,
            raw=dict(doc),
        )
        return [alert, *detail_metrics(alert, extra)]
