"""AWS CloudWatch alarms: through SNS, a Lambda SNS event, EventBridge, a Lambda alarm
action, or bare.

Accepted envelopes:

* an SNS notification (``"Type": "Notification"``) whose ``Message`` is the alarm as a
  JSON **string** (as an HTTP/S or e-mail JSON subscription delivers it);
* a Lambda SNS event, ``{"Records": [{"EventSource": "aws:sns", "Sns": {...}}]}``: one
  alarm per record (a broken record costs that record only);
* an EventBridge ``CloudWatch Alarm State Change`` event (``detail.alarmName``,
  ``detail.state``, ``detail.configuration.metrics``);
* the event an alarm sends when its action invokes a Lambda function directly
  (``"source": "aws.cloudwatch"``, ``alarmArn``, ``alarmData`` with ``alarmName``,
  ``state``, ``previousState`` and ``configuration.metrics``: the same alarm data as the
  EventBridge ``detail``);
* the alarm message itself (``AlarmName`` + ``NewStateValue``).

Other AWS documents are named when refused: SNS subscription confirmations, SNS
notifications that carry no alarm, Lambda events of other sources, EventBridge events of
other kinds.

Each alarm becomes one ALERT signal:

* ``name``: ``AlarmName``; ``text``: ``AlarmDescription``, the metric and resource
  (``AWS/RDS CPUUtilization of DBInstanceIdentifier=orders-db``) and ``NewStateReason``;
* ``status``/``severity``: ``NewStateValue`` through :data:`STATE` (ALARM → firing,
  error; OK → resolved; INSUFFICIENT_DATA → firing, info: missing data is a hint, not a
  failure). CloudWatch has no severity of its own; ``at`` (or ``ended_at`` for OK) is
  ``StateChangeTime``;
* ``region``: the ``Region`` display name through ``canonical_region``
  ("US East (N. Virginia)" and the older "US - N. Virginia" → ``us-east-1``), else the
  region in ``AlarmArn``; ``zone``: an ``AvailabilityZone`` dimension;
* ``service``: the first of the dimensions in :data:`SERVICE_DIMENSIONS`
  (``ServiceName``, ``FunctionName``, ``ApiName``, ``LoadBalancer`` ``app/checkout-alb/…``
  → ``checkout-alb``, ``TargetGroup``, ``AutoScalingGroupName`` ...); ``dependency``:
  the first of :data:`DEPENDENCY_DIMENSIONS` (``DBInstanceIdentifier``,
  ``DBClusterIdentifier``, ``CacheClusterId``, ``ReplicationGroupId``, ``TableName``,
  ``QueueName`` ...). An alarm on a database, cache or queue alone names it as both the
  service (the affected component) and the dependency;
* ``fingerprint``: ``AlarmArn`` (else the alarm name).

The datapoints in ``NewStateReason`` (``[95.2 (12/03/24 10:00:00), ...]``, or
EventBridge's ``reasonData``) give a METRIC signal: the worst datapoint in the alarm's
direction, with ``Trigger.Threshold`` as its objective, as a canonical metric when the
metric name and unit say which (``CPUUtilization`` → ``cpu`` 0.95;
``TargetResponseTime`` seconds → ``latency_ms``), else under its CloudWatch name.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...errors import InputError, UnreadableValue
from ...models import Signal, SignalKind, SignalStatus, SourceSeverity
from ...names import canonical_region, service_name
from ..base import ParseContext
from ..fields import (
    Path,
    arr,
    embedded_json,
    item_obj,
    kind_of,
    number,
    obj,
    req_obj,
    req_text,
    scalar_text,
    text,
    time,
    user_errors_only,
    where,
)
from ..metrics import Reading, canonical_metric
from ..signals import join_text, metric_from_alert

STATE: dict[str, tuple[SignalStatus, SourceSeverity | None]] = {
    "ALARM": (SignalStatus.FIRING, SourceSeverity.ERROR),
    "INSUFFICIENT_DATA": (SignalStatus.FIRING, SourceSeverity.INFO),
    "OK": (SignalStatus.RESOLVED, None),
}

# Dimension → how to name the service it identifies (first present wins).
SERVICE_DIMENSIONS: tuple[str, ...] = (
    "ServiceName",
    "FunctionName",
    "ApiName",
    "ApiId",
    "LoadBalancer",
    "TargetGroup",
    "AutoScalingGroupName",
    "Service",
    "ClusterName",
)
# Dimension → the kind of downstream component it identifies.
DEPENDENCY_DIMENSIONS: dict[str, str] = {
    "DBInstanceIdentifier": "database",
    "DBClusterIdentifier": "database",
    "TableName": "database",
    "CacheClusterId": "cache",
    "ReplicationGroupId": "cache",
    "QueueName": "queue",
    "StreamName": "stream",
    "BrokerName": "message broker",
    "DomainName": "search cluster",
}
_ARN_REGION = re.compile(r"^arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):")
_REGION_ID = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")
_BRACKETS = re.compile(r"\[([^\]]*)\]")
_LISTED = re.compile(r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\(")
_SINGLE = re.compile(r"datapoints? \((-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\)")
_PERCENTILE = re.compile(r"^p\d")
# CloudWatch metrics of latency measured in seconds (most others are in milliseconds), for
# alarm payloads that give no unit (EventBridge and Lambda actions)
_SECONDS_METRICS = frozenset({
    ("AWS/ApplicationELB", "TargetResponseTime"), ("AWS/ELB", "Latency"),
    ("AWS/RDS", "ReadLatency"), ("AWS/RDS", "WriteLatency"), ("AWS/RDS", "ReplicaLag"),
})
_SHAPES = ("SNS notifications whose Message is a CloudWatch alarm (also in a Lambda event's "
           "Records), EventBridge 'CloudWatch Alarm State Change' events, the event of an "
           "alarm's Lambda action (source aws.cloudwatch with alarmData), and the alarm "
           "message alone")
_REASON_THRESHOLD = re.compile(r"threshold \((-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\)"
                               # an anomaly band's edge, one per datapoint, the latest first:
                               # "less than the lower thresholds [188.4, 191.2]"
                               r"|(?:lower|upper) thresholds? \[(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")


@dataclass
class _Alarm:
    """An alarm in one shape, whatever envelope carried it."""

    path: Path
    name: str
    description: str
    state: str
    reason: str
    changed_at: datetime | None
    region: str | None
    arn: str
    namespace: str = ""
    metric: str = ""
    unit: str = ""
    threshold: float | None = None
    comparison: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    datapoints: list[float] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


class CloudWatchAdapter:
    name = "cloudwatch"
    title = "AWS CloudWatch alarm (SNS, Lambda or EventBridge)"
    detects = ("SNS Notification whose Message is an alarm; Lambda Records[].Sns; EventBridge "
               "\"CloudWatch Alarm State Change\"; an alarm's Lambda action (source aws.cloudwatch"
               " + alarmData); a bare alarm (AlarmName + NewStateValue)")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        if doc.get("Type") == "Notification" and _carries_alarm(doc.get("Message")):
            return True
        records = doc.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], Mapping):
            sns = records[0].get("Sns")
            return isinstance(sns, Mapping) and _carries_alarm(sns.get("Message"))
        if doc.get("source") == "aws.cloudwatch" and (
            doc.get("detail-type") == "CloudWatch Alarm State Change"
            or isinstance(doc.get("alarmData"), Mapping)
        ):
            return True
        return "AlarmName" in doc and "NewStateValue" in doc

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """AWS documents that carry no CloudWatch alarm (named, with the shapes read)."""
        kind = doc.get("Type")
        if isinstance(kind, str) and "TopicArn" in doc:
            what = ("an Amazon SNS subscription confirmation (confirm it by opening its "
                    "SubscribeURL)" if kind.endswith("Confirmation")
                    else f"an Amazon SNS {kind[:40]} whose Message is not a CloudWatch alarm")
            return f"{what}; supported: {_SHAPES}"
        records = doc.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], Mapping):
            first = records[0]
            origin = first.get("EventSource", first.get("eventSource", "an unknown source"))
            return (f"a Lambda event of {str(origin)[:40]} records with no CloudWatch alarm; "
                    f"supported: {_SHAPES}")
        source = doc.get("source")
        if isinstance(source, str) and source.startswith("aws.") and (
                "detail-type" in doc or "alarmData" in doc or "detail" in doc):
            kind_text = str(doc.get("detail-type", "of unknown type"))[:60]
            return (f"an Amazon EventBridge event {kind_text!r} from {source[:40]}; "
                    f"supported: {_SHAPES}")
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        alarms: list[_Alarm] = []
        if doc.get("Type") == "Notification":
            alarms.append(_from_sns(doc, (), ctx))
        elif "Records" in doc:
            for index, raw in enumerate(arr(doc, "Records")):
                with ctx.recover("Records", index):
                    record = item_obj(raw, ("Records", index))
                    sns = req_obj(record, "Sns", ("Records", index))
                    alarms.append(_from_sns(sns, ("Records", index, "Sns"), ctx))
        elif "alarmData" in doc:
            alarms.append(_from_state_change(
                req_obj(doc, "alarmData"), ("alarmData",), ctx, arn=text(doc, "alarmArn"),
                region=text(doc, "region"), account=text(doc, "accountId"),
                sent=time(doc, "time", (), ctx)))
        elif doc.get("source") == "aws.cloudwatch":
            resources = [r for r in arr(doc, "resources") if isinstance(r, str)]
            alarms.append(_from_state_change(
                req_obj(doc, "detail"), ("detail",), ctx,
                arn=resources[0] if resources else "", region=text(doc, "region"),
                account=text(doc, "account"), sent=time(doc, "time", (), ctx)))
        else:
            alarms.append(_from_message(doc, (), ctx, fallback_time=None))
        signals: list[Signal] = []
        for alarm in alarms:
            signals.extend(_signals(alarm, raw=doc))
        return signals


def _carries_alarm(message: Any) -> bool:
    if isinstance(message, Mapping):
        return "AlarmName" in message
    return isinstance(message, str) and '"AlarmName"' in message


# envelopes ---------------------------------------------------------------------------------
def _from_sns(sns: Mapping[str, Any], path: Path, ctx: ParseContext) -> _Alarm:
    message = embedded_json(sns, "Message", path)
    message_path: Path = (*path, "Message")
    if not isinstance(message, Mapping):
        raise InputError(f"expected a CloudWatch alarm object, got {kind_of(message)}",
                         field=where(message_path))
    sent = time(sns, "Timestamp", path, ctx)
    alarm = _from_message(message, message_path, ctx, fallback_time=sent)
    topic_region = _arn_region(text(sns, "TopicArn", path))
    if alarm.region is None:
        alarm.region = topic_region
    return alarm


def _from_message(
    msg: Mapping[str, Any], path: Path, ctx: ParseContext, fallback_time: datetime | None
) -> _Alarm:
    state = _state(req_text(msg, "NewStateValue", path), where(path, "NewStateValue"), ctx)
    arn = text(msg, "AlarmArn", path)
    alarm = _Alarm(
        path=path,
        name=req_text(msg, "AlarmName", path),
        description=text(msg, "AlarmDescription", path),
        state=state,
        reason=text(msg, "NewStateReason", path),
        changed_at=time(msg, "StateChangeTime", path, ctx) or fallback_time,
        region=_region(text(msg, "Region", path), arn),
        arn=arn,
    )
    for key, label in (("OldStateValue", "previous_state"), ("AWSAccountId", "account")):
        value = text(msg, key, path)
        if value:
            alarm.labels[label] = value
    trigger = obj(msg, "Trigger", path)
    trigger_path: Path = (*path, "Trigger")
    alarm.namespace = text(trigger, "Namespace", trigger_path)
    alarm.metric = text(trigger, "MetricName", trigger_path)
    alarm.unit = text(trigger, "Unit", trigger_path)
    alarm.threshold = number(trigger, "Threshold", trigger_path, ctx)
    alarm.comparison = text(trigger, "ComparisonOperator", trigger_path)
    extended = text(trigger, "ExtendedStatistic", trigger_path)
    if extended:
        alarm.labels["statistic"] = extended.lower()
    alarm.dimensions = _dimension_list(trigger, "Dimensions", trigger_path)
    for index, raw in enumerate(arr(trigger, "Metrics", trigger_path)):
        item_path: Path = (*trigger_path, "Metrics", index)
        item = item_obj(raw, item_path)
        stat = obj(item, "MetricStat", item_path)
        metric = obj(stat, "Metric", (*item_path, "MetricStat"))
        metric_path: Path = (*item_path, "MetricStat", "Metric")
        for key, value in _dimension_list(metric, "Dimensions", metric_path).items():
            alarm.dimensions.setdefault(key, value)
        if not alarm.metric:
            alarm.metric = text(metric, "MetricName", metric_path)
            alarm.namespace = alarm.namespace or text(metric, "Namespace", metric_path)
            alarm.unit = alarm.unit or text(stat, "Unit", (*item_path, "MetricStat"))
    alarm.datapoints = _reason_datapoints(alarm.reason)
    if alarm.threshold is None:
        match = _REASON_THRESHOLD.search(alarm.reason)
        alarm.threshold = float(match.group(1) or match.group(2)) if match else None
    return alarm


def _from_state_change(
    detail: Mapping[str, Any], path: Path, ctx: ParseContext, *, arn: str, region: str,
    account: str, sent: datetime | None,
) -> _Alarm:
    """The alarm data of an EventBridge ``detail`` or a Lambda action's ``alarmData``."""
    state = obj(detail, "state", path)
    state_path: Path = (*path, "state")
    value = _state(req_text(state, "value", state_path), where(state_path, "value"), ctx)
    config = obj(detail, "configuration", path)
    config_path: Path = (*path, "configuration")
    alarm = _Alarm(
        path=path,
        name=req_text(detail, "alarmName", path),
        description=text(config, "description", config_path),
        state=value,
        reason=text(state, "reason", state_path),
        changed_at=time(state, "timestamp", state_path, ctx) or sent,
        region=_region(region, arn),
        arn=arn,
    )
    previous = obj(detail, "previousState", path)
    if text(previous, "value", (*path, "previousState")):
        alarm.labels["previous_state"] = text(previous, "value", (*path, "previousState"))
    if account:
        alarm.labels["account"] = account
    rule = text(config, "alarmRule", config_path)
    if rule:  # a composite alarm
        alarm.labels["alarm_rule"] = rule
    for index, raw in enumerate(arr(config, "metrics", config_path)):
        item_path: Path = (*config_path, "metrics", index)
        item = item_obj(raw, item_path)
        stat = obj(item, "metricStat", item_path)
        metric = obj(stat, "metric", (*item_path, "metricStat"))
        metric_path: Path = (*item_path, "metricStat", "metric")
        dims = obj(metric, "dimensions", metric_path)
        for key, dim in dims.items():
            alarm.dimensions.setdefault(
                str(key), scalar_text(dim, where((*metric_path, "dimensions"), str(key)))
            )
        if not alarm.metric:
            alarm.metric = text(metric, "name", metric_path)
            alarm.namespace = text(metric, "namespace", metric_path)
            alarm.unit = text(stat, "unit", (*item_path, "metricStat"))
            statistic = text(stat, "stat", (*item_path, "metricStat")).lower()
            if _PERCENTILE.match(statistic):
                alarm.labels["statistic"] = statistic
    _reason_data(alarm, state, state_path, ctx)
    if not alarm.datapoints:
        alarm.datapoints = _reason_datapoints(alarm.reason)
    if alarm.threshold is None:
        match = _REASON_THRESHOLD.search(alarm.reason)
        alarm.threshold = float(match.group(1) or match.group(2)) if match else None
    return alarm


def _reason_data(alarm: _Alarm, state: Mapping[str, Any], state_path: Path,
                 ctx: ParseContext) -> None:
    """The threshold and recent datapoints of ``state.reasonData`` (a JSON string)."""
    reason_data = state.get("reasonData")
    if not isinstance(reason_data, str) or not reason_data.strip():
        return
    try:
        parsed = json.loads(reason_data)
    except (ValueError, RecursionError):
        ctx.note(UnreadableValue("JSON in this string", reason_data,
                                 field=where(state_path, "reasonData")))
        return
    if isinstance(parsed, Mapping):
        alarm.threshold = number(parsed, "threshold", (*state_path, "reasonData"), ctx)
        points = parsed.get("recentDatapoints")
        if isinstance(points, list):
            alarm.datapoints = [
                float(p) for p in points
                if isinstance(p, (int, float)) and not isinstance(p, bool) and math.isfinite(p)
            ]


def _state(value: str, field: str, ctx: ParseContext) -> str:
    """The alarm state; an unknown one is noted and read as ALARM (the alarm did notify)."""
    state = value.upper()
    if state not in STATE:
        ctx.note(UnreadableValue("ALARM, OK or INSUFFICIENT_DATA", value, field=field))
        return "ALARM"
    return state


# pieces ------------------------------------------------------------------------------------
def _dimension_list(container: Mapping[str, Any], key: str, path: Path) -> dict[str, str]:
    raw = container.get(key)
    out: dict[str, str] = {}
    if raw is None:
        return out
    if isinstance(raw, Mapping):  # some tools send {"name": "value"}
        for name, value in raw.items():
            out[str(name)] = scalar_text(value, where((*path, key), str(name)))
        return out
    for index, item in enumerate(arr(container, key, path)):
        dim_path: Path = (*path, key, index)
        dim = item_obj(item, dim_path)
        name = text(dim, "name", dim_path) or text(dim, "Name", dim_path)
        value = text(dim, "value", dim_path) or text(dim, "Value", dim_path)
        if name and value:
            out[name] = value
    return out


def _region(display: str, arn: str) -> str | None:
    region, _ = canonical_region(display) if display else (None, None)
    if region and _REGION_ID.match(region):
        return region
    return _arn_region(arn) or region


def _arn_region(arn: str) -> str | None:
    match = _ARN_REGION.match(arn or "")
    return match.group(1) if match else None


def _reason_datapoints(reason: str) -> list[float]:
    bracket = _BRACKETS.search(reason)
    if bracket:
        return [float(m.group(1)) for m in _LISTED.finditer(bracket.group(1))]
    single = _SINGLE.search(reason)
    return [float(single.group(1))] if single else []


def _resource_name(dimension: str, value: str) -> str | None:
    """``app/checkout-alb/50dc6c495c0c9188`` → ``checkout-alb``; others as they are."""
    if dimension in {"LoadBalancer", "TargetGroup"}:
        parts = value.split("/")
        value = parts[-2] if len(parts) >= 3 else parts[-1]
    elif dimension == "FunctionName":
        value = value.split(":")[0]
    return service_name(value)


def _signals(alarm: _Alarm, raw: Any) -> list[Signal]:
    status, severity = STATE[alarm.state]
    service = next(
        (_resource_name(d, alarm.dimensions[d]) for d in SERVICE_DIMENSIONS
         if alarm.dimensions.get(d)),
        None,
    )
    dependency_dim = next((d for d in DEPENDENCY_DIMENSIONS if alarm.dimensions.get(d)), None)
    dependency = _resource_name(dependency_dim, alarm.dimensions[dependency_dim]) \
        if dependency_dim else None
    zone = alarm.dimensions.get("AvailabilityZone")
    zone_region, zone_name = canonical_region(zone) if zone else (None, None)
    resource = ", ".join(f"{k}={v}" for k, v in alarm.dimensions.items())
    kind = DEPENDENCY_DIMENSIONS.get(dependency_dim or "", "")
    what = " ".join(part for part in (alarm.namespace, alarm.metric) if part)
    about = f"{what} of {kind + ' ' if kind else ''}{resource}" if resource else what
    state_words = {"ALARM": "in ALARM", "OK": "back to OK",
                   "INSUFFICIENT_DATA": "has insufficient data (the metric stopped reporting)"}
    labels = {**alarm.labels, **alarm.dimensions, "state": alarm.state}
    if alarm.namespace:
        labels["namespace"] = alarm.namespace
    if alarm.metric:
        labels["metric"] = alarm.metric
    if kind:
        labels["dependency_type"] = kind
    alert = Signal(
        kind=SignalKind.ALERT,
        source="cloudwatch",
        name=alarm.name[:200],
        text=join_text(alarm.description, f"{about}: alarm {state_words[alarm.state]}"
                       if about else "", alarm.reason) or alarm.name,
        service=service or dependency,
        dependency=dependency,
        region=alarm.region or zone_region,
        zone=zone_name,
        severity=severity,
        status=status,
        at=alarm.changed_at if status is SignalStatus.FIRING else None,
        ended_at=alarm.changed_at if status is SignalStatus.RESOLVED else None,
        labels=labels,
        fingerprint=alarm.arn or f"alarm:{alarm.name}",
        raw=raw,
    )
    signals = [alert]
    if alarm.datapoints and alarm.metric:
        less = "LessThan" in alarm.comparison or (
            not alarm.comparison and "less than" in alarm.reason
        )
        value = min(alarm.datapoints) if less else max(alarm.datapoints)
        latency_unit = "s" if (alarm.namespace, alarm.metric) in _SECONDS_METRICS else "ms"
        reading = canonical_metric(alarm.metric, value, unit=alarm.unit or None,
                                   threshold=alarm.threshold, latency_unit=latency_unit)
        if reading is None:
            reading = Reading(alarm.metric, value, (alarm.unit or "").lower() or "count",
                              alarm.threshold)
        signals.append(metric_from_alert(alert, reading, alarm.metric,
                                         stat=alarm.labels.get("statistic")))
    return signals
