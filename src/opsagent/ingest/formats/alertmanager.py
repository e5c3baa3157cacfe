"""Prometheus Alertmanager: the webhook (``"version": "4"``) and the API's alerts.

One notification is one alert group: ``alerts[]`` (each with ``status`` firing/resolved,
``labels``, ``annotations``, ``startsAt``, ``endsAt``, ``fingerprint``), the group's
``commonLabels``/``commonAnnotations``/``groupLabels``, ``groupKey`` and
``truncatedAlerts`` (alerts left out of a large group by ``max_alerts``).

Each alert becomes one ALERT signal:

* ``name``: ``labels.alertname``; ``text``: annotations ``summary``, ``description``,
  ``message`` (the human words the engine reads);
* ``status``: the alert's own ``status`` (else the group's). ``ended_at`` is ``endsAt``
  for resolved alerts only: while an alert fires, ``endsAt`` is the zero time
  ``0001-01-01T00:00:00Z`` or a projected expiry, not a resolution;
* ``severity``: ``labels.severity`` through :data:`SEVERITY`;
* ``service``, ``region``/``zone``, ``environment``, ``dependency``: from the labels by
  the rules of :mod:`opsagent.ingest.labels` (``service``, ``app``,
  ``app.kubernetes.io/name``, the pod name without its generated suffix, ``job`` unless
  it is an exporter such as kube-state-metrics ...); the alert's labels win over
  ``commonLabels``;
* ``fingerprint``: the alert's fingerprint, so the same alert delivered twice (repeat
  notifications, several payloads) is counted once.

An annotation ``value`` (a common templating convention, ``{{ $value }}``) with a name
that maps to a canonical metric also gives a METRIC signal. A positive
``truncatedAlerts`` gives one more ALERT signal with ``count`` set to the number left out,
so a storm keeps its size.

The alerts that ``GET /api/v2/alerts`` lists (``curl .../api/v2/alerts``, ``amtool alert
query -o json``: a JSON array, one alert per document, with ``status.state`` active,
suppressed or unprocessed) are read the same way, each as a firing alert; a suppressed
(silenced or inhibited) one is labelled ``suppressed``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import InputError
from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    choice,
    integer,
    item_obj,
    obj,
    str_map,
    text,
    time,
    user_errors_only,
    where,
)
from ..labels import LabelView
from ..metrics import canonical_metric
from ..signals import join_text, metric_from_alert

SEVERITY: dict[str, SourceSeverity] = {
    "critical": SourceSeverity.CRITICAL,
    "crit": SourceSeverity.CRITICAL,
    "page": SourceSeverity.CRITICAL,
    "emergency": SourceSeverity.CRITICAL,
    "fatal": SourceSeverity.CRITICAL,
    "disaster": SourceSeverity.CRITICAL,
    "p1": SourceSeverity.CRITICAL,
    "sev1": SourceSeverity.CRITICAL,
    "error": SourceSeverity.ERROR,
    "high": SourceSeverity.ERROR,
    "major": SourceSeverity.ERROR,
    "p2": SourceSeverity.ERROR,
    "sev2": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "warn": SourceSeverity.WARNING,
    "medium": SourceSeverity.WARNING,
    "minor": SourceSeverity.WARNING,
    "average": SourceSeverity.WARNING,
    "p3": SourceSeverity.WARNING,
    "sev3": SourceSeverity.WARNING,
    "info": SourceSeverity.INFO,
    "informational": SourceSeverity.INFO,
    "notice": SourceSeverity.INFO,
    "low": SourceSeverity.INFO,
    "none": SourceSeverity.INFO,
    "p4": SourceSeverity.INFO,
    "p5": SourceSeverity.INFO,
    "sev4": SourceSeverity.INFO,
}

STATUS: dict[str, SignalStatus] = {
    "firing": SignalStatus.FIRING,
    "resolved": SignalStatus.RESOLVED,
}

_SHAPES = ('webhook notifications of version "4" and the alerts that GET /api/v2/alerts '
           "lists (one object each)")
_TEXT_ANNOTATIONS = ("summary", "description", "message", "title")
_URL_ANNOTATIONS = ("runbook_url", "runbook", "dashboard_url")

# A vendor hook for one alert (Grafana's values and URLs): given the alert object, its
# path and its signal, it returns the signal to keep and any extra signals.
AlertHook = Callable[[Mapping[str, Any], Path, Signal], tuple[Signal, list[Signal]]]


class AlertmanagerAdapter:
    name = "alertmanager"
    title = "Prometheus Alertmanager webhook or API alert list"
    detects = ("version \"4\" + alerts[] + groupKey/receiver (no orgId); or one alert of GET "
               "/api/v2/alerts (labels, startsAt, fingerprint, status.state)")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        if _is_api_alert(doc):
            return True
        return (
            str(doc.get("version")) == "4"
            and isinstance(doc.get("alerts"), list)
            and ("groupKey" in doc or "receiver" in doc)
            and "orgId" not in doc
        )

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """An Alertmanager webhook of another version, or an ``/api/v1/alerts`` response."""
        alerts = doc.get("alerts")
        if isinstance(doc.get("receiver"), Mapping):  # a group of /api/v2/alerts/groups
            return None
        if isinstance(alerts, list) and "orgId" not in doc and (
            "groupKey" in doc
            or ("receiver" in doc and any(isinstance(a, Mapping) and "labels" in a
                                          for a in alerts[:5]))
        ):
            version = doc.get("version")
            what = f"version {str(version)[:20]!r}" if version is not None else "no version"
            return f"a Prometheus Alertmanager webhook with {what}; supported: {_SHAPES}"
        data = doc.get("data")
        if doc.get("status") == "success" and isinstance(data, list) and any(
                isinstance(a, Mapping) and "labels" in a and "startsAt" in a for a in data[:5]):
            return f"an Alertmanager API v1 response (status + data); supported: {_SHAPES}"
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        if _is_api_alert(doc):
            return parse_api_alert(doc, ctx)
        return parse_alert_group(doc, ctx, source=self.name, severity=SEVERITY, status=STATUS)


def _is_api_alert(doc: Mapping[str, Any]) -> bool:
    """An alert of ``GET /api/v2/alerts`` (``curl`` or ``amtool -o json``): one per document."""
    status = doc.get("status")
    return (
        isinstance(doc.get("labels"), Mapping)
        and "startsAt" in doc
        and "fingerprint" in doc
        and isinstance(status, Mapping)
        and "state" in status
    )


# API v2 alert ``status.state`` → status. Every listed alert is active in some way; a
# suppressed (silenced or inhibited) alert still describes a live problem.
API_STATE: dict[str, SignalStatus] = {
    "active": SignalStatus.FIRING,
    "suppressed": SignalStatus.FIRING,
    "unprocessed": SignalStatus.FIRING,
}


def parse_api_alert(doc: Mapping[str, Any], ctx: ParseContext, path: Path = (),
                    group_labels: Mapping[str, str] | None = None,
                    source: str = "alertmanager") -> list[Signal]:
    """An alert as the API lists it (``GET /api/v2/alerts``, or one of a group's)."""
    status_path: Path = (*path, "status")
    state = text(obj(doc, "status", path), "state", status_path).lower()
    alert_status = choice(API_STATE, state, where(status_path, "state"), ctx,
                          SignalStatus.FIRING)
    labels = {**(group_labels or {}), **str_map(doc, "labels", path)}
    annotations = str_map(doc, "annotations", path)
    receivers = [text(r, "name", (*path, "receivers", i))
                 for i, r in enumerate(arr(doc, "receivers", path)) if isinstance(r, Mapping)]
    signal = _alert_signal(
        doc, path, labels, annotations, ctx,
        source=source,
        severity=SEVERITY,
        status=alert_status,
        receiver=", ".join(r for r in receivers if r),
    )
    if state == "suppressed":
        signal = signal.model_copy(update={"labels": {**signal.labels, "suppressed": "true"}})
    return _with_value_metric(signal, annotations, "s")


def parse_alert_group(
    doc: Mapping[str, Any],
    ctx: ParseContext,
    *,
    source: str,
    severity: Mapping[str, SourceSeverity],
    status: Mapping[str, SignalStatus],
    hook: AlertHook | None = None,
    latency_unit: str = "s",
) -> list[Signal]:
    """The signals of an Alertmanager-shaped notification (Alertmanager and Grafana)."""
    if not isinstance(doc.get("alerts"), list):
        raise InputError("expected an array of alerts", field="alerts")
    group_status = _status(text(doc, "status"), status, "status", None, ctx)
    common_labels = str_map(doc, "commonLabels")
    common_annotations = str_map(doc, "commonAnnotations")
    group_key = text(doc, "groupKey")
    receiver = text(doc, "receiver")
    signals: list[Signal] = []
    for index, raw in enumerate(arr(doc, "alerts")):
        with ctx.recover("alerts", index):  # one broken alert costs that alert only
            signals.extend(_group_alert(raw, ("alerts", index), ctx, common_labels,
                                        common_annotations, group_status, receiver,
                                        source=source, severity=severity, status=status,
                                        hook=hook, latency_unit=latency_unit))
    truncated = integer(doc, "truncatedAlerts", ctx=ctx)
    if truncated < 0:
        raise InputError("expected a count of 0 or more", field="truncatedAlerts")
    if truncated > 0:
        signals.append(
            _truncated_signal(truncated, common_labels, common_annotations, group_key,
                              group_status, signals, source, severity)
        )
    return signals


def _group_alert(
    raw: Any,
    path: Path,
    ctx: ParseContext,
    common_labels: dict[str, str],
    common_annotations: dict[str, str],
    group_status: SignalStatus | None,
    receiver: str,
    *,
    source: str,
    severity: Mapping[str, SourceSeverity],
    status: Mapping[str, SignalStatus],
    hook: AlertHook | None,
    latency_unit: str,
) -> list[Signal]:
    """The signals of one alert of a group: the alert, and the metric its value names."""
    alert = item_obj(raw, path)
    labels = {**common_labels, **str_map(alert, "labels", path)}
    annotations = {**common_annotations, **str_map(alert, "annotations", path)}
    signal = _alert_signal(
        alert, path, labels, annotations, ctx,
        source=source,
        severity=severity,
        status=_status(text(alert, "status", path), status, where(path, "status"),
                       group_status, ctx),
        receiver=receiver,
    )
    extra: list[Signal] = []
    if hook is not None:
        signal, extra = hook(alert, path, signal)
    return [*_with_value_metric(signal, annotations, latency_unit), *extra]


def _with_value_metric(signal: Signal, annotations: Mapping[str, str],
                       latency_unit: str) -> list[Signal]:
    """The alert, and the metric its ``value`` annotation gives when its name says which."""
    value = _annotation_value(annotations)
    reading = canonical_metric(signal.name, value, latency_unit=latency_unit) \
        if value is not None else None
    return [signal, metric_from_alert(signal, reading, signal.name)] if reading else [signal]


def _alert_signal(
    alert: Mapping[str, Any],
    path: Path,
    labels: dict[str, str],
    annotations: dict[str, str],
    ctx: ParseContext,
    *,
    source: str,
    severity: Mapping[str, SourceSeverity],
    status: SignalStatus,
    receiver: str,
) -> Signal:
    view = LabelView(labels)
    name = labels.get("alertname") or annotations.get("summary") or "alert"
    body = join_text(*(annotations.get(k, "") for k in _TEXT_ANNOTATIONS))
    region, zone = view.region_zone()
    started = time(alert, "startsAt", path, ctx)
    ended = time(alert, "endsAt", path, ctx) if status is SignalStatus.RESOLVED else None
    extra = {k: annotations[k] for k in _URL_ANNOTATIONS if annotations.get(k)}
    if receiver:
        extra["receiver"] = receiver
    fingerprint = text(alert, "fingerprint", path) or _label_fingerprint(labels)
    return Signal(
        kind=SignalKind.ALERT,
        source=source,
        name=name[:200],
        text=body or name,
        service=view.service(),
        dependency=view.dependency(),
        region=region,
        zone=zone,
        environment=view.environment(),
        severity=severity.get(labels.get("severity", labels.get("priority", "")).lower()),
        status=status,
        at=started,
        ended_at=ended,
        labels={**labels, **extra},
        fingerprint=fingerprint,
        raw=dict(alert),
    )


def _status(
    value: str,
    table: Mapping[str, SignalStatus],
    field: str,
    default: SignalStatus | None,
    ctx: ParseContext,
) -> SignalStatus:
    """The alert's status; an unknown one is noted and read as the group's (or firing)."""
    fallback = default or SignalStatus.FIRING
    return choice(table, value.lower(), field, ctx, fallback) if value else fallback


def _annotation_value(annotations: Mapping[str, str]) -> float | None:
    raw = annotations.get("value") or annotations.get("current_value")
    if not raw:
        return None
    try:
        number = float(raw.strip().rstrip("%"))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _label_fingerprint(labels: Mapping[str, str]) -> str | None:
    if not labels:
        return None
    canonical = ",".join(f"{k}={labels[k]}" for k in sorted(labels))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _truncated_signal(
    count: int,
    common_labels: dict[str, str],
    common_annotations: dict[str, str],
    group_key: str,
    group_status: SignalStatus,
    signals: list[Signal],
    source: str,
    severity: Mapping[str, SourceSeverity],
) -> Signal:
    alerts = [s for s in signals if s.kind is SignalKind.ALERT]
    services = {s.service for s in alerts}
    view = LabelView(common_labels)
    name = common_labels.get("alertname") or (alerts[0].name if alerts else "alerts")
    region, zone = view.region_zone()
    summary = join_text(*(common_annotations.get(k, "") for k in _TEXT_ANNOTATIONS))
    return Signal(
        kind=SignalKind.ALERT,
        source=source,
        name=name[:200],
        text=join_text(
            f"{count} more alerts of this group were left out of the notification "
            "(truncatedAlerts)",
            summary,
        ),
        service=view.service() or (services.pop() if len(services) == 1 else None),
        region=region,
        zone=zone,
        environment=view.environment(),
        severity=severity.get(common_labels.get("severity", "").lower()),
        status=group_status,
        at=min((s.at for s in alerts if s.at is not None), default=None),
        count=count,
        labels={**common_labels, "truncated": str(count)},
        fingerprint=f"{group_key or name}:truncated",
    )
