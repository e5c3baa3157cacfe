"""Grafana alerting webhook (``"version": "1"``, with ``orgId``).

Grafana's unified alerting sends an Alertmanager-shaped group, so the fields are read as
in :mod:`opsagent.ingest.alertmanager` (labels, annotations, ``startsAt`` with any
offset, the zero time as ``endsAt`` while firing, fingerprints, ``truncatedAlerts``),
plus Grafana's own:

* ``values`` (``{"B": 44.2, "C": 1}``: the query/expression results by ref id) or, from
  older versions, ``valueString`` (``[ var='B' labels={...} value=44.2 ]``). The first
  value that is not a 0/1 condition result, with an alert name that maps to a canonical
  metric (``High CPU usage`` → ``cpu``; ratios above 1 read as percent; latency without a
  unit read as seconds, Prometheus' base unit), also gives a METRIC signal;
* ``dashboardURL``/``panelURL`` are kept as labels (``dashboard_url``, ``panel_url``);
  ``silenceURL`` and ``generatorURL`` are dropped (links to act on, not facts).

``severity``: ``labels.severity`` through :data:`SEVERITY`; ``status``: the alert's
``status`` (firing/resolved), else the group's.

Legacy Grafana alerting (before Grafana 8: ``ruleName``, ``state`` alerting/ok/no_data,
``evalMatches``, ``tags``) is read too: one ALERT signal, and one METRIC per eval match
whose metric name maps to a canonical metric.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    choice,
    item_obj,
    number,
    obj,
    str_map,
    text,
    user_errors_only,
    where,
)
from ..labels import LabelView
from ..metrics import canonical_metric
from ..signals import join_text, metric_from_alert
from .alertmanager import parse_alert_group

SEVERITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "crit": SourceSeverity.CRITICAL,
    "page": SourceSeverity.CRITICAL,
    "emergency": SourceSeverity.CRITICAL,
    "p1": SourceSeverity.CRITICAL,
    "error": SourceSeverity.ERROR,
    "high": SourceSeverity.ERROR,
    "major": SourceSeverity.ERROR,
    "p2": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "warn": SourceSeverity.WARNING,
    "medium": SourceSeverity.WARNING,
    "minor": SourceSeverity.WARNING,
    "p3": SourceSeverity.WARNING,
    "info": SourceSeverity.INFO,
    "informational": SourceSeverity.INFO,
    "low": SourceSeverity.INFO,
    "none": SourceSeverity.INFO,
    "p4": SourceSeverity.INFO,
    "p5": SourceSeverity.INFO,
}

STATUS: dict[str, SignalStatus] = {
    "firing": SignalStatus.FIRING,
    "resolved": SignalStatus.RESOLVED,
}

# Legacy alerting ``state`` → (status, severity); no_data is a warning that the metric
# stopped reporting, not an outage by itself.
LEGACY_STATE: dict[str, tuple[SignalStatus, SourceSeverity | None]] = {
    "alerting": (SignalStatus.FIRING, None),
    "no_data": (SignalStatus.FIRING, SourceSeverity.WARNING),
    "pending": (SignalStatus.FIRING, SourceSeverity.INFO),
    "ok": (SignalStatus.RESOLVED, None),
    "paused": (SignalStatus.RESOLVED, SourceSeverity.INFO),
}

_VALUE_STRING = re.compile(
    r"(?:var|metric)='([^']*)'[^\]]*?value=([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
)


class GrafanaAdapter:
    name = "grafana"
    title = "Grafana alerting webhook"
    detects = ("version \"1\" + alerts[] + orgId/groupKey; legacy: ruleName + state + "
               "evalMatches/ruleId")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        if "ruleName" in doc and "state" in doc and ("evalMatches" in doc or "ruleId" in doc):
            return True
        return (
            isinstance(doc.get("alerts"), list)
            and str(doc.get("version")) == "1"
            and ("orgId" in doc or "groupKey" in doc)
        )

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """A Grafana alerting webhook of another version."""
        if isinstance(doc.get("alerts"), list) and "orgId" in doc:
            version = doc.get("version")
            what = f"version {str(version)[:20]!r}" if version is not None else "no version"
            return (f"a Grafana alerting webhook with {what}; supported: version \"1\" "
                    "webhooks and legacy alerting (ruleName, state, evalMatches)")
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        if "ruleName" in doc and "alerts" not in doc:
            return _parse_legacy(doc, ctx)
        return parse_alert_group(
            doc, ctx, source=self.name, severity=SEVERITY, status=STATUS, hook=_values_hook
        )


def _values_hook(
    alert: Mapping[str, Any], path: Path, signal: Signal
) -> tuple[Signal, list[Signal]]:
    urls: dict[str, str] = {}
    for key, label in (("dashboardURL", "dashboard_url"), ("panelURL", "panel_url")):
        url = text(alert, key, path)
        if url:
            urls[label] = url
    if urls:
        signal = signal.model_copy(update={"labels": {**signal.labels, **urls}})
    extra: list[Signal] = []
    value = _chosen_value(alert, path)
    if value is not None:
        ref, number_ = value
        reading = canonical_metric(signal.name, number_, latency_unit="s")
        if reading is not None:
            metric = metric_from_alert(signal, reading, signal.name)
            extra.append(metric.model_copy(update={"labels": {**metric.labels, "ref_id": ref}}))
    return signal, extra


def _chosen_value(alert: Mapping[str, Any], path: Path) -> tuple[str, float] | None:
    candidates: list[tuple[str, float]] = []
    values = obj(alert, "values", path)
    for ref in sorted(values, key=str):
        number_ = number(values, str(ref), (*path, "values"))
        if number_ is not None:
            candidates.append((str(ref), number_))
    if not candidates:
        value_string = text(alert, "valueString", path)
        for match in _VALUE_STRING.finditer(value_string):
            try:
                candidates.append((match.group(1), float(match.group(2))))
            except ValueError:  # pragma: no cover - the pattern only matches numbers
                continue
    informative = [c for c in candidates if c[1] not in (0.0, 1.0)]
    return informative[0] if informative else None


def _parse_legacy(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    status, severity = choice(LEGACY_STATE, text(doc, "state").lower(), "state", ctx,
                              LEGACY_STATE["alerting"])
    tags = str_map(doc, "tags")
    view = LabelView(tags)
    name = text(doc, "ruleName") or "grafana alert"
    region, zone = view.region_zone()
    severity = severity or SEVERITY.get(tags.get("severity", "").lower())
    alert = Signal(
        kind=SignalKind.ALERT,
        source="grafana",
        name=name[:200],
        text=join_text(text(doc, "title"), text(doc, "message")) or name,
        service=view.service(),
        dependency=view.dependency(),
        region=region,
        zone=zone,
        environment=view.environment(),
        severity=severity,
        status=status,
        labels={**tags, **({"rule_url": text(doc, "ruleUrl")} if text(doc, "ruleUrl") else {})},
        fingerprint=f"rule:{text(doc, 'ruleId') or name}",
        raw=dict(doc),
    )
    signals = [alert]
    for index, raw in enumerate(arr(doc, "evalMatches")):
        path: Path = ("evalMatches", index)
        match = item_obj(raw, path)
        value = number(match, "value", path)
        metric_name = text(match, "metric", path)
        if value is None:
            continue
        reading = canonical_metric(metric_name, value) or canonical_metric(name, value)
        if reading is None:
            continue
        metric = metric_from_alert(alert, reading, metric_name or name)
        match_tags = str_map(match, "tags", path)
        service = LabelView(match_tags).service() or alert.service
        signals.append(
            metric.model_copy(
                update={
                    "service": service,
                    "fingerprint": f"{alert.fingerprint}:{where(path)}",
                }
            )
        )
    return signals
