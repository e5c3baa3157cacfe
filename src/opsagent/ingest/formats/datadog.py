"""Datadog webhooks (the Webhooks integration).

Datadog lets each user write the payload template, so the adapter reads the keys that
its built-in variables are usually given. Keys are matched case-insensitively with a
leading ``$`` ignored, so ``alert_transition``, ``ALERT_TRANSITION`` and
``$ALERT_TRANSITION`` are the same key.

**Detection** (conservative, to leave other JSON alone) requires either

* the default template: ``body``, ``event_type``, ``date`` and ``last_updated`` or an
  ``org`` object with ``id``; or
* ``alert_transition`` together with at least one of ``alert_id``, ``alert_cycle_key``,
  ``aggreg_key``, ``alert_query``, ``alert_metric``, ``alert_type``, ``alert_title``,
  ``event_title`` or ``event_type``.

**Mapping** (one ALERT signal, plus a METRIC one when a value can be named):

* ``name``: ``alert_title``, ``event_title`` or ``title`` (the ``[Triggered]`` prefix
  dropped); ``text``: the title, ``body``/``event_msg``/``text_only_msg``/``message``
  and ``alert_status`` (Datadog's own summary of the condition);
* ``status``: ``alert_transition`` through :data:`TRANSITION` (Recovered → RESOLVED;
  Triggered, Re-Triggered, Warn, No Data, Renotify → FIRING); without it, a
  ``[Recovered]`` title or an ``alert_type`` of ``success`` means RESOLVED;
* ``severity``: ``alert_priority``/``priority`` P1–P5 through :data:`PRIORITY_SEVERITY`,
  else ``alert_type`` through :data:`TYPE_SEVERITY`, else the transition (Warn →
  warning, No Data → info);
* ``at``: ``date`` (epoch milliseconds, often as a string), else ``last_updated``;
* ``tags`` (``"env:prod,service:checkout,region:us-east-1"`` or a list) and
  ``alert_scope`` (``"service:checkout,availability-zone:us-east-1a"``) give the labels;
  ``service``, ``env``, ``region``/``availability-zone`` tags give service, environment
  and region/zone by the label rules (a ``host`` or ``hostname`` is kept as a label);
* ``fingerprint``: ``alert_cycle_key``, else ``aggreg_key``, else ``alert_id`` + scope;
* ``alert_metric`` with a number in ``value``/``alert_value`` (user-added) gives a
  METRIC signal; the threshold at the end of ``alert_query`` (``... > 90``) becomes its
  objective.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...errors import InputError, UnreadableValue
from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ..base import ParseContext
from ..fields import kind_of, number, obj, scalar_text, text, time, user_errors_only
from ..labels import LabelView, parse_tags
from ..metrics import canonical_metric
from ..signals import PRIORITY_SEVERITY, join_text, metric_from_alert

TRANSITION: dict[str, SignalStatus] = {
    "triggered": SignalStatus.FIRING,
    "re-triggered": SignalStatus.FIRING,
    "retriggered": SignalStatus.FIRING,
    "warn": SignalStatus.FIRING,
    "re-warn": SignalStatus.FIRING,
    "no data": SignalStatus.FIRING,
    "re-no data": SignalStatus.FIRING,
    "renotify": SignalStatus.FIRING,
    "recovered": SignalStatus.RESOLVED,
    "null": SignalStatus.FIRING,
}
TRANSITION_SEVERITY: dict[str, SourceSeverity] = {
    "warn": SourceSeverity.WARNING,
    "re-warn": SourceSeverity.WARNING,
    "no data": SourceSeverity.INFO,
    "re-no data": SourceSeverity.INFO,
    "recovered": SourceSeverity.INFO,
}
TYPE_SEVERITY: dict[str, SourceSeverity] = {
    "error": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "info": SourceSeverity.INFO,
    "success": SourceSeverity.INFO,
}

_ALERT_KEYS = frozenset(
    {
        "alert_id",
        "alert_cycle_key",
        "aggreg_key",
        "alert_query",
        "alert_metric",
        "alert_type",
        "alert_title",
        "event_title",
        "event_type",
    }
)
# "[Triggered] ...", "[P1] [Triggered on {service:checkout}] ...", "[Recovered] ..."
_TITLE_PREFIX = re.compile(r"^\s*(?:\[P\d\]\s*)?\[([A-Za-z -]+?)(?: on [^\]]*)?\]\s*")
_THRESHOLD = re.compile(r"(?:>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$")


def _keys(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).lstrip("$").strip().lower(): v for k, v in doc.items()}


class DatadogAdapter:
    name = "datadog"
    title = "Datadog webhook"
    detects = ("alert_transition + an alert field ($ALERT_ID, $EVENT_TITLE ...), or body + "
               "event_type + date with last_updated or org.id (keys case- and $-insensitive)")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        keys = _keys(doc)
        if "alert_transition" in keys and _ALERT_KEYS & keys.keys():
            return True
        org = keys.get("org")
        return {"body", "event_type", "date"} <= keys.keys() and (
            "last_updated" in keys or (isinstance(org, Mapping) and "id" in org)
        )

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        d = _keys(doc)
        original = {str(k).lstrip("$").strip().lower(): str(k) for k in doc}

        def field(key: str) -> str:
            return original.get(key, key)

        def get_text(*keys: str) -> str:
            for key in keys:
                if key in d:
                    value = d[key]
                    if isinstance(value, (Mapping, list)):
                        raise InputError(f"expected text, got {kind_of(value)}",
                                         field=field(key))
                    found = scalar_text(value, field(key))
                    if found:
                        return found
            return ""

        title = get_text("alert_title", "event_title", "title")
        prefix = _TITLE_PREFIX.match(title)
        title_state = prefix.group(1).strip().lower() if prefix else ""
        name = _TITLE_PREFIX.sub("", title).strip() or get_text("alert_metric") or "Datadog alert"
        transition = get_text("alert_transition").lower()
        alert_type = get_text("alert_type").lower()
        if transition and transition not in TRANSITION:
            ctx.note(UnreadableValue("Triggered, Re-Triggered, Recovered, Warn, No Data or "
                                     "Renotify", transition, field=field("alert_transition")))
            transition = ""
        if transition:
            status = TRANSITION[transition]
        elif title_state == "recovered" or alert_type == "success":
            status = SignalStatus.RESOLVED
        else:
            status = SignalStatus.FIRING
        priority = get_text("alert_priority", "priority").lower()
        severity = (
            PRIORITY_SEVERITY.get(priority)
            or TYPE_SEVERITY.get(alert_type)
            or TRANSITION_SEVERITY.get(transition or title_state)
        )
        labels = self._tags(d, field, ctx)
        view = LabelView(labels)
        region, zone = view.region_zone()
        when = None
        for key in ("date", "last_updated"):
            if when is None and key in d:
                when = time({field(key): d[key]}, field(key), (), ctx)
        scope = get_text("alert_scope")
        fingerprint = get_text("alert_cycle_key", "aggreg_key")
        alert_id = get_text("alert_id")
        if not fingerprint and alert_id:
            fingerprint = f"{alert_id}:{scope}" if scope else alert_id
        extra = {
            key: value
            for key, value in (
                ("alert_id", alert_id),
                ("alert_metric", get_text("alert_metric")),
                ("alert_query", get_text("alert_query")),
                ("alert_scope", scope),
                ("alert_transition", transition),
                ("priority", priority),
                ("event_type", get_text("event_type")),
                ("hostname", get_text("hostname", "host")),
                ("link", get_text("link", "url")),
            )
            if value
        }
        body = _clean(get_text("body", "event_msg", "text_only_msg", "message", "text"))
        alert = Signal(
            kind=SignalKind.ALERT,
            source="datadog",
            name=name[:200],
            text=join_text(name, body, get_text("alert_status")) or name,
            service=view.service(),
            dependency=view.dependency(),
            region=region,
            zone=zone,
            environment=view.environment(),
            severity=severity,
            status=status,
            at=when if status is SignalStatus.FIRING else None,
            ended_at=when if status is SignalStatus.RESOLVED else None,
            labels={**labels, **extra},
            fingerprint=fingerprint or None,
            raw=dict(doc),
        )
        signals = [alert]
        value = None
        for key in ("value", "alert_value", "metric_value"):
            if key in d:
                value = number({field(key): d[key]}, field(key), (), ctx)
                if value is not None:
                    break
        if value is not None:
            metric_name = extra.get("alert_metric") or name
            threshold = _threshold(extra.get("alert_query", ""))
            reading = canonical_metric(metric_name, value, threshold=threshold, latency_unit="s")
            if reading is None and _RATIO_QUERY.search(extra.get("alert_query", "")) \
                    and _FAILURES.search(metric_name):
                # "sum:x.errors{…}.as_count() / sum:x.total{…}.as_count() > 0.03": the
                # monitor divides failures by all, so its value is an error share
                reading = canonical_metric("error_rate", value, threshold=threshold)
            if reading is None and metric_name != name:
                reading = canonical_metric(name, value, threshold=threshold, latency_unit="s")
            if reading is not None:
                signals.append(metric_from_alert(alert, reading, metric_name))
        return signals

    @staticmethod
    def _tags(d: Mapping[str, Any], field: Any, ctx: ParseContext) -> dict[str, str]:
        labels: dict[str, str] = {}
        for key in ("tags", "alert_scope"):
            raw = d.get(key)
            if raw is None:
                continue
            if isinstance(raw, str):
                items = raw.split(",")
            elif isinstance(raw, list):
                items = [scalar_text(item, f"{field(key)}[{i}]") for i, item in enumerate(raw)]
            elif isinstance(raw, Mapping):
                items = [f"{k}:{scalar_text(v, f'{field(key)}.{k}')}" for k, v in raw.items()]
            else:
                ctx.note(UnreadableValue('comma-separated tags such as "env:prod,service:'
                                         'checkout"', raw, field=field(key)))
                continue
            for tag_key, tag_value in parse_tags(items).items():
                labels.setdefault(tag_key, tag_value)
        org = obj(d, "org")
        if org:
            org_name = text(org, "name", (field("org"),))
            if org_name:
                labels["org"] = org_name
        return labels


# a monitor query that divides one series by another ("… .as_count() / sum:… ")
_RATIO_QUERY = re.compile(r"(?:\)|\})\s*/\s*(?:\(?\s*)?(?:sum|avg|max|min|count):")
_FAILURES = re.compile(r"(?i)\b(?:errors?|failures?|failed|5xx|exceptions?|timeouts?)\b|"
                       r"(?:errors?|failures?|5xx)$")
_MARKDOWN_FENCE = re.compile(r"%%%|\*\*|`")
_MENTION = re.compile(r"(?<!\S)@[\w.-]+(?:@[\w.-]+)?")


def _clean(body: str) -> str:
    """The words of a monitor message: ``%%%`` fences, bold/code marks, ``@`` mentions removed."""
    text_ = _MENTION.sub("", _MARKDOWN_FENCE.sub("", body))
    return " ".join(text_.split())


def _threshold(query: str) -> float | None:
    match = _THRESHOLD.search(query)
    return float(match.group(1)) if match else None
