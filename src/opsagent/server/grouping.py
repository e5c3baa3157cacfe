"""Which incident a delivery belongs to, and whether an incident has resolved.

A delivery joins the open incident with the same group key (the vendor's own grouping:
Alertmanager and Grafana ``groupKey``, the PagerDuty incident, the Datadog aggregation
key, the CloudWatch alarm, the Sentry issue), else an open incident of the same service
updated within the group window.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..models import Incident, SignalKind, SignalStatus


def group_key(adapter: str, doc: Any) -> str | None:
    """The vendor's grouping of one document, prefixed by its format; None without one."""
    if not isinstance(doc, dict):
        return None
    found = _KEYS.get(adapter, _none)(doc)
    return f"{adapter}:{found}" if found else None


def _path(doc: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int)) and str(value).strip() else None


def _none(doc: dict[str, Any]) -> str | None:
    return None


def _alertmanager(doc: dict[str, Any]) -> str | None:
    return _text(doc.get("groupKey"))


def _pagerduty(doc: dict[str, Any]) -> str | None:
    event = doc.get("event")
    if isinstance(event, dict):  # V3 webhook: the incident, or the incident it is about
        data = event.get("data") or {}
        if str(event.get("event_type", "")).startswith("incident.") and "id" in data:
            return _text(data.get("id"))
        return _text(_path(data, "incident", "id"))
    return _text(doc.get("dedup_key"))  # Events API v2


def _datadog(doc: dict[str, Any]) -> str | None:
    for key in ("aggregation_key", "aggreg_key", "AGGREG_KEY", "aggregate"):
        if _text(doc.get(key)):
            return _text(doc.get(key))
    return None


def _cloudwatch(doc: dict[str, Any]) -> str | None:
    message = doc.get("Message")
    if isinstance(message, str):  # SNS: the alarm is a JSON string inside
        try:
            message = json.loads(message)
        except ValueError:
            return None
    alarm = message if isinstance(message, dict) else doc
    return _text(alarm.get("AlarmArn")) or _text(alarm.get("AlarmName")) or \
        _text(_path(doc, "detail", "alarmName"))


def _sentry(doc: dict[str, Any]) -> str | None:
    return _text(_path(doc, "data", "issue", "id")) or \
        _text(_path(doc, "data", "event", "issue_id")) or \
        _text(_path(doc, "data", "metric_alert", "id"))


_KEYS = {
    "alertmanager": _alertmanager,
    "grafana": _alertmanager,
    "pagerduty": _pagerduty,
    "datadog": _datadog,
    "cloudwatch": _cloudwatch,
    "sentry": _sentry,
}


def first_key(pairs: Iterable[tuple[str, Any]]) -> str | None:
    """The first group key among (adapter, document) pairs."""
    for adapter, doc in pairs:
        key = group_key(adapter, doc)
        if key is not None:
            return key
    return None


def resolved(incident: Incident) -> bool:
    """True when the incident has alerts and every one has resolved: a resolved signal
    about it at or after its latest firing one."""
    firing: dict[object, datetime] = {}
    ended: dict[object, datetime] = {}
    for signal in incident.signals:
        if signal.kind is not SignalKind.ALERT:
            continue
        identity = signal.fingerprint or (signal.source, signal.name, signal.service)
        when = signal.ended_at or signal.at or _EPOCH
        table = ended if signal.status is SignalStatus.RESOLVED else firing
        table[identity] = max(when, table.get(identity, _EPOCH))
    alerts = firing.keys() | ended.keys()
    return bool(alerts) and all(a in ended and ended[a] >= firing.get(a, _EPOCH)
                                for a in alerts)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
