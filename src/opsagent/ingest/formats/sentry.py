"""Sentry webhooks: issue alerts, metric alerts, issue and error events.

Accepted (integration platform payloads: ``action`` + ``data``, plus the legacy
WebHooks plugin):

* **issue alert** (``Sentry-Hook-Resource: event_alert``): ``action: triggered``,
  ``data.event``, ``data.triggered_rule``;
* **error** (``error``): ``data.error`` is an event as above;
* **issue** (``issue``): ``action`` created/unresolved/resolved/archived/ignored/
  assigned, ``data.issue``;
* **metric alert** (``metric_alert``): ``action`` critical/warning/resolved,
  ``data.metric_alert`` (``alert_rule``, ``date_started``/``date_closed``),
  ``data.description_title``/``description_text``;
* the legacy WebHooks plugin (``project_slug``, ``culprit``, ``level``, ``event``).

Mapping:

* an event or issue becomes one ALERT signal: ``name`` is the triggered rule (issue
  alerts) or the issue title; ``text`` the title, each ``exception.values[]`` as
  ``Type: value``, the culprit and the message;
* ``severity``: the event/issue ``level`` through :data:`LEVEL_SEVERITY`; metric alerts:
  ``action`` through :data:`ACTION`;
* ``status``: FIRING, except issue ``resolved``/``archived``/``ignored`` and metric
  alert ``resolved`` (RESOLVED);
* ``at``: the event ``timestamp`` (float epoch seconds), else ``datetime``; issues:
  ``firstSeen``; ``count``: the issue's ``count``;
* ``tags`` as a list of ``[key, value]`` pairs (or ``{"key", "value"}`` objects) are
  the labels; ``service`` from a ``service``/``app`` tag by the label rules, else the
  project slug (from the event ``url``, the issue's ``project.slug``, the metric alert's
  ``projects[0]`` or the plugin's ``project_slug``); ``environment`` from the event or
  its tag; ``region`` from a ``region`` tag;
* ``fingerprint``: the issue id (every event of one issue is one alert);
* ``release`` (event field or tag; an issue's ``firstRelease``) becomes a CHANGE signal
  of type deploy with that version: the release the failing events came from. Its time
  is the release's date when the payload has it (``firstRelease.dateReleased``), else
  unknown;
* a metric alert's number, read from ``description_text`` ("1000 events in the last 10
  minutes", "12.5% ..."), gives a METRIC signal named from ``aggregate``
  (``failure_rate()`` → ``error_rate``, ``p95(transaction.duration)`` → ``latency_ms``,
  ``count()`` → ``event_count``) with the trigger's ``alert_threshold`` as objective.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...errors import InputError, UnreadableValue
from ...models import ChangeDetails, ChangeType, Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import service_name
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    choice,
    integer,
    item_obj,
    kind_of,
    number,
    obj,
    req_obj,
    scalar_text,
    text,
    time,
    user_errors_only,
    where,
)
from ..labels import LabelView
from ..metrics import Reading, ratio_from_percent_text
from ..signals import join_text, metric_from_alert

LEVEL_SEVERITY: dict[str, SourceSeverity] = {
    "fatal": SourceSeverity.CRITICAL,
    "error": SourceSeverity.ERROR,
    "warning": SourceSeverity.WARNING,
    "info": SourceSeverity.INFO,
    "debug": SourceSeverity.INFO,
    "sample": SourceSeverity.INFO,
}
ACTION: dict[str, tuple[SignalStatus, SourceSeverity | None]] = {
    "critical": (SignalStatus.FIRING, SourceSeverity.CRITICAL),
    "warning": (SignalStatus.FIRING, SourceSeverity.WARNING),
    "resolved": (SignalStatus.RESOLVED, None),
}
ISSUE_STATUS: dict[str, SignalStatus] = {
    "created": SignalStatus.FIRING,
    "unresolved": SignalStatus.FIRING,
    "assigned": SignalStatus.FIRING,
    "triggered": SignalStatus.FIRING,
    "resolved": SignalStatus.RESOLVED,
    "archived": SignalStatus.RESOLVED,
    "ignored": SignalStatus.RESOLVED,
}
# Metric alert ``aggregate`` → (canonical name, unit).
AGGREGATES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^failure_rate\(\)$"), "error_rate", "ratio"),
    (re.compile(r"^(?:p\d+|avg|percentile)\(transaction\.duration"), "latency_ms", "ms"),
    (re.compile(r"^(?:p\d+|avg)\(measurements\.\w+"), "latency_ms", "ms"),
    (re.compile(r"^count\(\)$"), "event_count", "count"),
    (re.compile(r"^count_unique\(user\)$"), "users_affected", "count"),
)
_PROJECT_IN_URL = re.compile(r"/projects/[^/]+/([^/]+)/")
_LEADING_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)*)\s*(%)?")


class SentryAdapter:
    name = "sentry"
    title = "Sentry webhook (issue, error or metric alert)"
    detects = ("action + data.event/data.issue/data.metric_alert/data.error; legacy plugin "
               "(project_slug, culprit, event)")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        data = doc.get("data")
        if isinstance(doc.get("action"), str) and isinstance(data, Mapping):
            return any(key in data for key in ("event", "issue", "metric_alert", "error"))
        return (
            isinstance(doc.get("event"), Mapping)
            and "culprit" in doc
            and ("project_slug" in doc or "project_name" in doc)
        )

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        if "data" not in doc:
            return _legacy(doc, ctx)
        action = text(doc, "action").lower()
        data = req_obj(doc, "data")
        if "metric_alert" in data:
            return _metric_alert(doc, data, action, ctx)
        if "issue" in data:
            return _issue(doc, data, action, ctx)
        key = "event" if "event" in data else "error"
        event = req_obj(data, key, ("data",))
        rule = text(data, "triggered_rule", ("data",))
        return _event(doc, event, ("data", key), ctx, rule=rule, project="")


def _tags(container: Mapping[str, Any], path: Path, ctx: ParseContext) -> dict[str, str]:
    raw = container.get("tags")
    out: dict[str, str] = {}
    if raw is None:
        return out
    field = where(path, "tags")
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            out[str(key)] = scalar_text(value, f"{field}.{key}")
        return out
    if not isinstance(raw, list):
        ctx.note(UnreadableValue("a list of [key, value] pairs", raw, field=field))
        return out
    for index, pair in enumerate(raw):
        item = f"{field}[{index}]"
        if isinstance(pair, list) and len(pair) == 2:
            key, value = scalar_text(pair[0], item), scalar_text(pair[1], item)
        elif isinstance(pair, Mapping):
            key = scalar_text(pair.get("key"), f"{item}.key")
            value = scalar_text(pair.get("value"), f"{item}.value")
        else:
            raise InputError(f"expected a [key, value] pair, got {kind_of(pair)}", field=item)
        if key and key not in out:
            out[key] = value
    return out


def _exceptions(event: Mapping[str, Any], path: Path) -> list[str]:
    exception = obj(event, "exception", path)
    out: list[str] = []
    for index, raw in enumerate(arr(exception, "values", (*path, "exception"))):
        item_path: Path = (*path, "exception", "values", index)
        item = item_obj(raw, item_path)
        kind = text(item, "type", item_path)
        value = text(item, "value", item_path)
        words = f"{kind}: {value}" if kind and value else kind or value
        if words:
            out.append(words)
    return out


def _event(
    doc: Mapping[str, Any],
    event: Mapping[str, Any],
    path: Path,
    ctx: ParseContext,
    *,
    rule: str,
    project: str,
) -> list[Signal]:
    tags = _tags(event, path, ctx)
    view = LabelView(tags)
    metadata = obj(event, "metadata", path)
    title = text(event, "title", path) or join_text(
        text(metadata, "type", (*path, "metadata")), text(metadata, "value", (*path, "metadata"))
    )
    exceptions = _exceptions(event, path)
    message = text(event, "message", path)
    logentry = obj(event, "logentry", path)
    message = message or text(logentry, "formatted", (*path, "logentry"))
    culprit = text(event, "culprit", path)
    level = (text(event, "level", path) or tags.get("level", "")).lower()
    at = time(event, "timestamp", path, ctx) or time(event, "datetime", path, ctx) \
        or time(event, "received", path, ctx)
    project = project or _project_from_url(text(event, "url", path)) or text(
        event, "project", path)
    if project.isdigit():  # a numeric project id names nothing
        project = ""
    service = view.service() or service_name(project)
    environment = (text(event, "environment", path) or tags.get("environment", "")).lower()
    region, zone = view.region_zone()
    issue_id = text(event, "issue_id", path) or text(event, "groupID", path)
    labels = dict(tags)
    if rule:
        labels["rule"] = rule
    for key in ("web_url", "culprit"):
        value = text(event, key, path)
        if value:
            labels[key] = value
    name = rule or title or "Sentry event"
    alert = Signal(
        kind=SignalKind.ALERT,
        source="sentry",
        name=name[:200],
        text=join_text(title, *exceptions, f"in {culprit}" if culprit else "", message)
        or name,
        service=service,
        dependency=view.dependency(),
        region=region,
        zone=zone,
        environment=environment or None,
        severity=LEVEL_SEVERITY.get(level),
        status=SignalStatus.FIRING,
        at=at,
        labels=labels,
        fingerprint=f"issue:{issue_id}" if issue_id else text(event, "event_id", path) or None,
        raw=dict(doc),
    )
    signals = [alert]
    release = text(event, "release", path) or tags.get("release", "") or tags.get(
        "sentry:release", "")
    if release:
        signals.append(_release(alert, release, None))
    return signals


def _release(alert: Signal, version: str, at: Any) -> Signal:
    return Signal(
        kind=SignalKind.CHANGE,
        source="sentry",
        name="release",
        text=f"release {version} of {alert.service or 'the project'} "
        "(the release the failing events came from)",
        service=alert.service,
        region=alert.region,
        environment=alert.environment,
        at=at,
        change=ChangeDetails(type=ChangeType.DEPLOY, version=version,
                             description=f"Sentry release {version}"),
        labels={"evidence": "sentry release"},
    )


def _issue(
    doc: Mapping[str, Any], data: Mapping[str, Any], action: str, ctx: ParseContext
) -> list[Signal]:
    path: Path = ("data", "issue")
    issue = req_obj(data, "issue", ("data",))
    state = text(issue, "status", path).lower()
    status = ISSUE_STATUS.get(action) or ISSUE_STATUS.get(state) or SignalStatus.FIRING
    project = obj(issue, "project", path)
    metadata = obj(issue, "metadata", path)
    meta_path: Path = (*path, "metadata")
    title = text(issue, "title", path)
    exception = join_text(
        ": ".join(p for p in (text(metadata, "type", meta_path),
                              text(metadata, "value", meta_path)) if p)
    )
    culprit = text(issue, "culprit", path)
    tags = _tags(issue, path, ctx)
    view = LabelView(tags)
    service = view.service() or service_name(
        text(project, "slug", (*path, "project")) or text(project, "name", (*path, "project"))
    )
    labels = dict(tags)
    for key in ("substatus", "shortId", "permalink", "userCount"):
        value = text(issue, key, path)
        if value:
            labels[key] = value
    labels["action"] = action
    count = max(1, integer(issue, "count", path, default=1, ctx=ctx))
    first_seen = time(issue, "firstSeen", path, ctx)
    last_seen = time(issue, "lastSeen", path, ctx)
    substatus = labels.get("substatus", "")
    alert = Signal(
        kind=SignalKind.ALERT,
        source="sentry",
        name=(title or "Sentry issue")[:200],
        text=join_text(title, exception, f"in {culprit}" if culprit else "",
                       f"issue {substatus}" if substatus else "") or title or "Sentry issue",
        service=service,
        region=view.region_zone()[0],
        environment=view.environment(),
        severity=LEVEL_SEVERITY.get(text(issue, "level", path).lower()),
        status=status,
        at=first_seen,
        ended_at=last_seen if status is SignalStatus.RESOLVED else None,
        count=count,
        labels=labels,
        fingerprint=f"issue:{text(issue, 'id', path)}" if text(issue, "id", path) else None,
        raw=dict(doc),
    )
    signals = [alert]
    first_release = issue.get("firstRelease")
    if isinstance(first_release, Mapping):
        release_path: Path = (*path, "firstRelease")
        version = text(first_release, "version", release_path)
        if version:
            when = time(first_release, "dateReleased", release_path, ctx) or time(
                first_release, "dateCreated", release_path, ctx)
            signals.append(_release(alert, version, when))
    elif first_release is not None and not isinstance(first_release, str):
        raise InputError(f"expected an object, got {kind_of(first_release)}",
                         field=where(path, "firstRelease"))
    elif isinstance(first_release, str) and first_release:
        signals.append(_release(alert, first_release, None))
    return signals


def _metric_alert(
    doc: Mapping[str, Any], data: Mapping[str, Any], action: str, ctx: ParseContext
) -> list[Signal]:
    status, severity = choice(ACTION, action, "action", ctx, (SignalStatus.FIRING, None))
    path: Path = ("data", "metric_alert")
    incident = req_obj(data, "metric_alert", ("data",))
    rule = obj(incident, "alert_rule", path)
    rule_path: Path = (*path, "alert_rule")
    title = text(data, "description_title", ("data",))
    description = text(data, "description_text", ("data",)).replace("\\n", "\n")
    description = " ".join(description.split())
    name = text(rule, "name", rule_path) or text(incident, "title", path) or "Sentry metric alert"
    projects = [p for p in arr(rule, "projects", rule_path) if isinstance(p, str)] or [
        p for p in arr(incident, "projects", path) if isinstance(p, str)
    ]
    aggregate = text(rule, "aggregate", rule_path)
    labels = {"aggregate": aggregate, "action": action}
    for key in ("query", "dataset", "time_window"):
        value = text(rule, key, rule_path)
        if value:
            labels[key] = value
    web_url = text(data, "web_url", ("data",))
    if web_url:
        labels["web_url"] = web_url
    started = time(incident, "date_started", path, ctx) or time(
        incident, "date_detected", path, ctx)
    alert = Signal(
        kind=SignalKind.ALERT,
        source="sentry",
        name=name[:200],
        text=join_text(title, description) or name,
        service=service_name(projects[0]) if projects else None,
        environment=text(rule, "environment", rule_path).lower() or None,
        severity=severity,
        status=status,
        at=started,
        ended_at=time(incident, "date_closed", path, ctx)
        if status is SignalStatus.RESOLVED else None,
        labels=labels,
        fingerprint=f"metric_alert:{text(incident, 'id', path) or name}",
        raw=dict(doc),
    )
    signals = [alert]
    reading = _aggregate_reading(aggregate, description, _threshold(rule, rule_path, action))
    if reading is not None:
        signals.append(metric_from_alert(alert, reading, aggregate))
    return signals


def _threshold(rule: Mapping[str, Any], path: Path, action: str) -> float | None:
    wanted = "warning" if action == "warning" else "critical"
    for index, raw in enumerate(arr(rule, "triggers", path)):
        trigger_path: Path = (*path, "triggers", index)
        trigger = item_obj(raw, trigger_path)
        if text(trigger, "label", trigger_path).lower() == wanted:
            return number(trigger, "alert_threshold", trigger_path)
    return None


def _aggregate_reading(aggregate: str, description: str, threshold: float | None) -> Reading | None:
    for pattern, name, unit in AGGREGATES:
        if not pattern.search(aggregate):
            continue
        if unit == "ratio":
            value = ratio_from_percent_text(description)
            objective = threshold / 100.0 if threshold is not None and threshold > 1 else threshold
            return Reading(name, value, unit, objective) if value is not None else None
        match = _LEADING_NUMBER.match(description)
        if not match:
            return None
        value_ = float(match.group(1).replace(",", ""))
        return Reading(name, value_, unit, threshold)
    return None


def _project_from_url(url: str) -> str:
    match = _PROJECT_IN_URL.search(url or "")
    return match.group(1) if match else ""


def _legacy(doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
    event = req_obj(doc, "event")
    rules = [r for r in arr(doc, "triggering_rules") if isinstance(r, str)]
    project = text(doc, "project_slug") or text(doc, "project_name")
    signals = _event(doc, event, ("event",), ctx, rule=rules[0] if rules else "",
                     project=project)
    alert = signals[0]
    level = text(doc, "level").lower()
    update: dict[str, Any] = {}
    if alert.severity is None and level in LEVEL_SEVERITY:
        update["severity"] = LEVEL_SEVERITY[level]
    message = text(doc, "message")
    culprit = text(doc, "culprit")
    if message and message not in alert.text:
        update["text"] = join_text(alert.text, message)
    if culprit and culprit not in alert.text:
        update["text"] = join_text(update.get("text", alert.text), f"in {culprit}")
    if update:
        signals[0] = alert.model_copy(update=update)
    return signals
