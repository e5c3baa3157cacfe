"""Zabbix webhook media-type payloads, as they are commonly configured.

A Zabbix webhook sends the parameters its media type defines, each a macro: there is no
one schema, but teams (and Zabbix's own webhook templates) name them alike. Each field is
looked up under the names in :data:`FIELDS` (``event_id`` or ``eventid``, ``host_name``
or ``host`` ...), case-insensitively.

* ``name``: the trigger (``trigger_name``/``event_name``/``alert_subject``); ``text``:
  the trigger, ``alert_message`` and the trigger's description, and the item's last value;
* ``status``: ``event_status``/``trigger_status`` (``{EVENT.STATUS}``,
  ``{TRIGGER.STATUS}``) PROBLEM/RESOLVED/OK through :data:`STATUS`, else
  ``event_value`` (``{EVENT.VALUE}``: 1 problem, 0 resolved), else a recovery date;
* ``severity``: ``event_severity`` (``{EVENT.SEVERITY}``: Not classified, Information,
  Warning, Average, High, Disaster) through :data:`SEVERITY`, else
  ``event_nseverity`` 0–5;
* ``service``, ``region``, ``environment``: the event tags (``{EVENT.TAGS}``
  ``service:checkout, env:prod``, or ``{EVENT.TAGSJSON}``) by the label rules, else the
  host when it is a plain name; the environment also from the host or host group name;
* ``at``: ``event_date`` + ``event_time`` (``2024.05.14`` ``12:01:30``, the server's
  time, read as UTC), or an epoch ``event_timestamp``/``clock``; ``ended_at``:
  ``event_recovery_date`` + ``event_recovery_time``;
* the item (``item_name``/``item_key`` with ``item_value`` such as ``93.1 %``) also gives
  a METRIC, canonical when its name says which (``CPU utilization`` → ``cpu``), else
  under Zabbix's own name;
* ``fingerprint``: the problem's event id (``event_id``; a recovery carries the
  problem's id too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...errors import UnreadableValue
from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import environment_in_name
from ..base import ParseContext
from ..fields import choice, scalar_text, time, user_errors_only
from ..labels import LabelView, parse_tags, plain_service
from ..signals import join_text, metric_from_alert, named_reading

FIELDS: dict[str, tuple[str, ...]] = {
    "event_id": ("event_id", "eventid", "event.id"),
    "trigger": ("trigger_name", "event_name", "triggername", "trigger", "alert_subject",
                "subject"),
    "trigger_id": ("trigger_id", "triggerid"),
    "host": ("host_name", "hostname", "host", "host_host", "host.name"),
    "status": ("event_status", "trigger_status", "status", "event.status"),
    "value": ("event_value", "event.value"),
    "severity": ("event_severity", "severity", "trigger_severity", "event.severity"),
    "nseverity": ("event_nseverity", "nseverity", "trigger_nseverity"),
    "message": ("alert_message", "message", "event_opdata", "opdata"),
    "description": ("trigger_description", "description"),
    "date": ("event_date",),
    "time": ("event_time",),
    "epoch": ("event_timestamp", "clock", "timestamp"),
    "recovery_date": ("event_recovery_date",),
    "recovery_time": ("event_recovery_time",),
    "tags": ("event_tagsjson", "event_tags", "tags"),
    "item": ("item_name", "item_key", "itemname"),
    "item_value": ("item_value", "item_lastvalue", "itemvalue"),
    "group": ("host_group", "hostgroup", "trigger_hostgroup_name"),
    "url": ("event_url", "zabbix_url", "trigger_url"),
}
STATUS: dict[str, SignalStatus] = {
    "problem": SignalStatus.FIRING,
    "resolved": SignalStatus.RESOLVED,
    "ok": SignalStatus.RESOLVED,
    "recovery": SignalStatus.RESOLVED,
    "update": SignalStatus.FIRING,
}
SEVERITY: dict[str, SourceSeverity | None] = {
    "disaster": SourceSeverity.CRITICAL,
    "high": SourceSeverity.ERROR,
    "average": SourceSeverity.WARNING,
    "warning": SourceSeverity.WARNING,
    "information": SourceSeverity.INFO,
    "not classified": None,
}
NSEVERITY: dict[str, SourceSeverity | None] = {
    "5": SourceSeverity.CRITICAL,
    "4": SourceSeverity.ERROR,
    "3": SourceSeverity.WARNING,
    "2": SourceSeverity.WARNING,
    "1": SourceSeverity.INFO,
    "0": None,
}
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(%|ms|s|[KMG]?B)?\s*$")


class _Fields:
    """The payload's fields under their usual names (case-insensitive)."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self._doc = doc
        self._keys = {str(k).lower(): str(k) for k in doc}

    def key(self, field: str) -> str | None:
        return next((self._keys[n] for n in FIELDS[field] if n in self._keys), None)

    def text(self, field: str) -> str:
        key = self.key(field)
        if key is None:
            return ""
        value = self._doc[key]
        if isinstance(value, (Mapping, list)):
            return ""
        words = scalar_text(value, key)
        return "" if words.startswith("{") and words.endswith("}") and words.isupper() \
            else words  # an unexpanded macro ("{EVENT.RECOVERY.DATE}") is no value


def _looks_like(doc: Mapping[str, Any]) -> bool:
    fields = _Fields(doc)
    return bool(fields.key("event_id") and fields.key("host")
                and (fields.key("trigger") or fields.key("trigger_id")))


class ZabbixAdapter:
    name = "zabbix"
    title = "Zabbix webhook (media type parameters)"
    detects = ("an event id (event_id/eventid) + a host (host_name/hostname/host) + a trigger "
               "(trigger_name/event_name/trigger_id ...) + a status, value or severity")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        fields = _Fields(doc)
        return _looks_like(doc) and bool(
            fields.key("status") or fields.key("value") or fields.key("severity")
            or fields.key("nseverity"))

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        fields = _Fields(doc)
        status = _status(fields, ctx)
        severity = _severity(fields, ctx)
        tags = _tags(doc, fields, ctx)
        view = LabelView(tags)
        host = fields.text("host")
        group = fields.text("group")
        trigger = fields.text("trigger") or "Zabbix problem"
        item = fields.text("item")
        item_value = fields.text("item_value")
        region, zone = view.region_zone()
        at = _when(fields, "date", "time", ctx) or time(
            doc, fields.key("epoch") or "clock", (), ctx)
        ended = _when(fields, "recovery_date", "recovery_time", ctx)
        if ended is not None and fields.key("status") is None and fields.key("value") is None:
            status = SignalStatus.RESOLVED
        labels = {k: v for k, v in tags.items() if len(v) <= 200}
        labels.update({k: v for k, v in (
            ("host", host), ("host_group", group), ("event_id", fields.text("event_id")),
            ("trigger_id", fields.text("trigger_id")), ("item", item),
            ("severity", fields.text("severity")), ("url", fields.text("url"))) if v})
        alert = Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=trigger[:200],
            text=join_text(trigger, fields.text("message"), fields.text("description"),
                           f"{item}: {item_value}" if item and item_value else ""),
            service=view.service() or plain_service(host),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=view.environment() or environment_in_name(host)
            or environment_in_name(group),
            severity=severity,
            status=status,
            at=at,
            ended_at=ended if status is SignalStatus.RESOLVED else None,
            labels=labels,
            fingerprint=f"zabbix:{fields.text('event_id')}",
            raw=dict(doc),
        )
        match = _NUMBER.match(item_value)
        if not item or match is None:
            return [alert]
        unit = {"%": "percent", "ms": "ms", "s": "s"}.get(match.group(2) or "")
        reading = named_reading(item, float(match.group(1)), unit=unit, latency_unit="s")
        return [alert, metric_from_alert(alert, reading, item)]


def _status(fields: _Fields, ctx: ParseContext) -> SignalStatus:
    raw = fields.text("status").lower()
    if raw:
        return choice(STATUS, raw, fields.key("status") or "status", ctx, SignalStatus.FIRING)
    value = fields.text("value")
    if value in {"0", "1"}:
        return SignalStatus.RESOLVED if value == "0" else SignalStatus.FIRING
    return SignalStatus.FIRING


def _severity(fields: _Fields, ctx: ParseContext) -> SourceSeverity | None:
    raw = fields.text("severity").lower()
    if raw:
        return choice(SEVERITY, raw, fields.key("severity") or "severity", ctx, None)
    number = fields.text("nseverity")
    return NSEVERITY.get(number) if number else None


def _tags(doc: Mapping[str, Any], fields: _Fields, ctx: ParseContext) -> dict[str, str]:
    key = fields.key("tags")
    if key is None:
        return {}
    value = doc[key]
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            ctx.note(UnreadableValue("a JSON list of tags", value, field=key))
            return {}
    if isinstance(value, list):
        out: dict[str, str] = {}
        for item in value:
            if isinstance(item, Mapping) and isinstance(item.get("tag"), str):
                out.setdefault(item["tag"], str(item.get("value") or ""))
            elif isinstance(item, str):
                out.update({k: v for k, v in parse_tags([item]).items() if k not in out})
        return out
    if isinstance(value, str):
        return parse_tags(value.split(","))
    return {}


def _when(fields: _Fields, date_field: str, time_field: str,
          ctx: ParseContext) -> datetime | None:
    day = fields.text(date_field)
    if not day:
        return None
    moment = fields.text(time_field) or "00:00:00"
    stamp = f"{day.replace('.', '-').replace('/', '-')}T{moment}Z"
    return time({date_field: stamp}, date_field, (), ctx)
