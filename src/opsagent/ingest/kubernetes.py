"""Kubernetes Events and Pods, as ``kubectl get events -o json`` / ``kubectl get pods -o json``
print them (or as the API returns them).

Accepted: a core/v1 ``Event`` (``involvedObject``, ``reason``, ``message``, ``type``,
``count``, ``firstTimestamp``/``lastTimestamp``), an events.k8s.io/v1 ``Event``
(``regarding``, ``note``, ``series.count``, ``eventTime``, ``deprecatedCount``,
``deprecatedFirstTimestamp`` ...), a ``Pod``, and an ``EventList``/``PodList``/``List``
of them in ``items`` (items of other kinds are skipped).

**Events**

* ``Warning`` events become ALERT signals (``status`` firing): ``name`` is the
  ``reason`` (BackOff, Unhealthy, FailedScheduling, Evicted, OOMKilling, FailedMount,
  Failed ...), ``text`` the reason, the message and the object;
  ``severity`` from :data:`REASON_SEVERITY`, else the event type through
  :data:`TYPE_SEVERITY`;
* ``Normal`` events become LOG signals (``severity`` info), except the pure lifecycle
  ones in :data:`LIFECYCLE_REASONS` (Scheduled, Pulled, Started ...), which are dropped,
  and ``ScalingReplicaSet``/``SuccessfulRescale``, which become CHANGE signals (scale);
* ``at``: ``firstTimestamp``, else ``eventTime``, else ``deprecatedFirstTimestamp``;
  ``count``: ``count``, ``series.count`` or ``deprecatedCount``;
  ``fingerprint``: the event's ``metadata.uid`` (else namespace/name).

**Pods**: a container whose ``lastState.terminated`` (or ``state.terminated``) reason is
``OOMKilled`` or whose exit code is 137 gives an ``OOMKilled`` ALERT; a container waiting
in ``CrashLoopBackOff``, ``ImagePullBackOff``, ``ErrImagePull``,
``CreateContainerConfigError`` ... gives an ALERT named after that reason (with the last
termination's reason and exit code in the text); other restarted containers give a
``ContainerRestarted`` warning; an evicted, failed or unschedulable pod gives an ALERT.
A container with restarts also gives a ``restarts`` METRIC (its ``restartCount``). A pod
with none of these gives an informational STATUS signal.

**Service**: the object's ``app.kubernetes.io/name``/``app``/``k8s-app`` label when the
payload has it (Pods), else the workload behind the name: pod and ReplicaSet names lose
their generated suffixes (``checkout-7d9f8b6c5d-x2x9k`` → ``checkout``), Deployments,
StatefulSets, DaemonSets, Jobs and Services keep theirs; Nodes name no service (the node
is a label). **Environment**: the pod's environment label, else the namespace, else the
cluster of a GKE node name, when its name names one (``shop-prod`` → production,
``payments-stg`` → staging; :func:`~opsagent.ingest.labels.environment_in_name`).
**Region**: from an EKS node name (``ip-10-0-1-5.eu-west-1.compute.
internal``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..models import ChangeDetails, ChangeType, Signal, SignalKind, SignalStatus, SourceSeverity
from ..names import region_from_host, service_name, workload_name
from .base import ParseContext
from .fields import (
    Path,
    arr,
    integer,
    item_obj,
    obj,
    str_map,
    text,
    time,
    user_errors_only,
)
from .labels import LabelView, environment_in_name

TYPE_SEVERITY: dict[str, SourceSeverity] = {
    "warning": SourceSeverity.WARNING,
    "normal": SourceSeverity.INFO,
}
REASON_SEVERITY: dict[str, SourceSeverity] = {
    "OOMKilling": SourceSeverity.ERROR,
    "OOMKilled": SourceSeverity.ERROR,
    "SystemOOM": SourceSeverity.ERROR,
    "Evicted": SourceSeverity.ERROR,
    "Evicting": SourceSeverity.ERROR,
    "BackOff": SourceSeverity.ERROR,
    "CrashLoopBackOff": SourceSeverity.ERROR,
    "Failed": SourceSeverity.ERROR,
    "ErrImagePull": SourceSeverity.ERROR,
    "ImagePullBackOff": SourceSeverity.ERROR,
    "InvalidImageName": SourceSeverity.ERROR,
    "CreateContainerConfigError": SourceSeverity.ERROR,
    "CreateContainerError": SourceSeverity.ERROR,
    "RunContainerError": SourceSeverity.ERROR,
    "FailedCreatePodSandBox": SourceSeverity.ERROR,
    "NodeNotReady": SourceSeverity.ERROR,
    "NetworkNotReady": SourceSeverity.ERROR,
    "FreeDiskSpaceFailed": SourceSeverity.ERROR,
    "NodeHasDiskPressure": SourceSeverity.ERROR,
    "EvictionThresholdMet": SourceSeverity.WARNING,
    "Unhealthy": SourceSeverity.WARNING,
    "ProbeWarning": SourceSeverity.WARNING,
    "FailedScheduling": SourceSeverity.WARNING,
    "FailedMount": SourceSeverity.WARNING,
    "FailedAttachVolume": SourceSeverity.WARNING,
    "FailedCreate": SourceSeverity.WARNING,
    "FailedGetResourceMetric": SourceSeverity.WARNING,
    "FailedComputeMetricsReplicas": SourceSeverity.WARNING,
    "ContainerRestarted": SourceSeverity.WARNING,
    "PodFailed": SourceSeverity.ERROR,
}
# Normal events that only narrate a pod's start; they carry nothing to triage.
LIFECYCLE_REASONS = frozenset(
    {
        "Scheduled",
        "Pulling",
        "Pulled",
        "Created",
        "Started",
        "SuccessfulCreate",
        "SuccessfulDelete",
        "SuccessfulAttachVolume",
        "NoPods",
        "RegisteredNode",
        "Starting",
        "AddedInterface",
        "LeaderElection",
    }
)
SCALE_REASONS = frozenset({"ScalingReplicaSet", "SuccessfulRescale"})
WAITING_PROBLEMS = frozenset(
    {
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "ContainerCannotRun",
    }
)
_OOM_EXIT_CODE = 137
_LIST_KINDS = {"List", "EventList", "PodList"}
_EVENT_APIS = {"v1", "events.k8s.io/v1", "events.k8s.io/v1beta1"}


class KubernetesAdapter:
    name = "kubernetes"
    title = "Kubernetes Events or Pods (kubectl get -o json)"

    def detect(self, doc: Mapping[str, Any]) -> bool:
        kind = doc.get("kind")
        if not isinstance(kind, str):
            return False
        if kind == "Event":
            return "involvedObject" in doc or "regarding" in doc
        if kind == "Pod":
            return isinstance(doc.get("metadata"), Mapping)
        if kind in _LIST_KINDS and isinstance(doc.get("items"), list):
            items = doc["items"]
            if kind != "List" or not items:
                return str(doc.get("apiVersion", "v1")) in _EVENT_APIS
            return any(_item_kind(item, "") in {"Event", "Pod"} for item in items[:20])
        return False

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """A Kubernetes object of another kind (a Deployment, a Node, a List of them)."""
        kind = doc.get("kind")
        if isinstance(kind, str) and isinstance(doc.get("apiVersion"), str) and (
                isinstance(doc.get("metadata"), Mapping) or isinstance(doc.get("items"), list)):
            return (f"a Kubernetes {kind[:40]} object; supported: Event (core/v1 and "
                    "events.k8s.io/v1), Pod, and EventList, PodList or List of them "
                    "(kubectl get events/pods -o json)")
        return None

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        kind = text(doc, "kind")
        if kind in _LIST_KINDS:
            default = {"EventList": "Event", "PodList": "Pod"}.get(str(kind), "")
            signals: list[Signal] = []
            items = arr(doc, "items")
            noted = len(ctx.notes)
            for index, raw in enumerate(items):
                with ctx.recover("items", index):  # one broken event costs that event only
                    item = item_obj(raw, ("items", index))
                    signals.extend(_item(item, _item_kind(item, default), ("items", index),
                                         ctx))
            if items and not signals and len(ctx.notes) == noted:
                signals.append(_quiet(len(items), default or "object"))
            return signals
        signals = _item(doc, str(kind), (), ctx)
        return signals or [_quiet(1, str(kind))]


def _item_kind(item: Any, default: str) -> str:
    if not isinstance(item, Mapping):
        return default
    kind = item.get("kind")
    if isinstance(kind, str) and kind:
        return kind
    if "involvedObject" in item or "regarding" in item:
        return "Event"
    return default


def _item(item: Mapping[str, Any], kind: str, path: Path, ctx: ParseContext) -> list[Signal]:
    if kind == "Event":
        return _event(item, path, ctx)
    if kind == "Pod":
        return _pod(item, path, ctx)
    return []


def _quiet(count: int, kind: str) -> Signal:
    noun = "events" if kind == "Event" else "objects" if kind != "Pod" else "pods"
    return Signal(
        kind=SignalKind.STATUS,
        source="kubernetes",
        name="kubernetes",
        text=f"{count} Kubernetes {noun}, none of them a warning or a failing container",
        severity=SourceSeverity.INFO,
    )


_GKE_NODE = re.compile(r"^gke-(.+)-[0-9a-f]{8}-[a-z0-9]{4}$")  # gke-<cluster>-<pool>-…


def _environment(namespace: str, labels: Mapping[str, str] | None = None,
                 node: str = "") -> str | None:
    """The environment label, else the one the namespace names, else the one the cluster
    in a GKE node name names."""
    env = LabelView(labels or {}, {"namespace": namespace}).environment()
    if env:
        return env
    gke = _GKE_NODE.match(node.lower())
    return environment_in_name(gke.group(1)) if gke else None


def _object_service(kind: str, name: str) -> str | None:
    if not name or kind in {"Node", "Namespace", "PersistentVolume", ""}:
        return None
    return service_name(workload_name(name, kind))


# events --------------------------------------------------------------------------------------
def _event(event: Mapping[str, Any], path: Path, ctx: ParseContext) -> list[Signal]:
    new_api = "regarding" in event or "note" in event
    target_key = "regarding" if new_api else "involvedObject"
    target = obj(event, target_key, path)
    target_path: Path = (*path, target_key)
    metadata = obj(event, "metadata", path)
    meta_path: Path = (*path, "metadata")
    obj_kind = text(target, "kind", target_path)
    obj_name = text(target, "name", target_path)
    namespace = text(target, "namespace", target_path) or text(metadata, "namespace", meta_path)
    reason = text(event, "reason", path) or "Event"
    message = text(event, "note" if new_api else "message", path)
    if not message:
        message = text(event, "message", path)
    event_type = text(event, "type", path) or "Normal"
    if new_api:
        series = obj(event, "series", path)
        count = integer(series, "count", (*path, "series"), default=0) or integer(
            event, "deprecatedCount", path, default=1)
        at = (time(event, "eventTime", path, ctx)
              or time(event, "deprecatedFirstTimestamp", path, ctx))
        last = time(series, "lastObservedTime", (*path, "series"), ctx) or time(
            event, "deprecatedLastTimestamp", path, ctx)
        source = obj(event, "deprecatedSource", path)
        host = text(source, "host", (*path, "deprecatedSource")) or text(
            event, "reportingInstance", path)
        component = text(event, "reportingController", path)
    else:
        count = integer(event, "count", path, default=1, ctx=ctx)
        at = (time(event, "firstTimestamp", path, ctx)
              or time(event, "eventTime", path, ctx))
        last = time(event, "lastTimestamp", path, ctx)
        source = obj(event, "source", path)
        host = text(source, "host", (*path, "source")) or text(event, "reportingInstance", path)
        component = text(source, "component", (*path, "source")) or text(
            event, "reportingComponent", path)
    at = at or time(metadata, "creationTimestamp", meta_path, ctx)
    obj_ref = f"{obj_kind} {namespace + '/' if namespace else ''}{obj_name}".strip()
    service = _object_service(obj_kind, obj_name)
    labels = {k: v for k, v in (("namespace", namespace), ("object_kind", obj_kind),
                                ("object", obj_name), ("reason", reason), ("type", event_type),
                                ("component", component),
                                ("node", host or (obj_name if obj_kind == "Node" else "")),
                                ("last_seen", last.isoformat() if last else ""),
                                ("field_path", text(target, "fieldPath", target_path)))
              if v}
    uid = text(metadata, "uid", meta_path)
    name = text(metadata, "name", meta_path)
    fingerprint = uid or (f"{namespace}/{name}" if name else None)
    common: dict[str, Any] = {
        "source": "kubernetes",
        "service": service,
        "region": region_from_host(host or (obj_name if obj_kind == "Node" else "")),
        "environment": _environment(namespace, node=host or (
            obj_name if obj_kind == "Node" else "")),
        "at": at,
        "labels": labels,
        "fingerprint": fingerprint,
        "raw": dict(event),
    }
    words = f"{reason}: {message}" if message else reason
    if obj_ref:
        words = f"{words} ({obj_ref})"
    if event_type.lower() == "warning":
        return [
            Signal(
                kind=SignalKind.ALERT,
                name=reason[:200],
                text=words,
                severity=REASON_SEVERITY.get(reason) or TYPE_SEVERITY["warning"],
                status=SignalStatus.FIRING,
                count=max(1, count),
                **common,
            )
        ]
    if reason in LIFECYCLE_REASONS:
        return []
    if reason in SCALE_REASONS:
        return [
            Signal(
                kind=SignalKind.CHANGE,
                name="scale",
                text=words,
                change=ChangeDetails(type=ChangeType.SCALE, description=message or reason),
                **common,
            )
        ]
    return [
        Signal(
            kind=SignalKind.LOG,
            name=reason[:200],
            text=words,
            severity=REASON_SEVERITY.get(reason) or TYPE_SEVERITY.get(event_type.lower()),
            count=max(1, count),
            **common,
        )
    ]


# pods ----------------------------------------------------------------------------------------
def _pod(pod: Mapping[str, Any], path: Path, ctx: ParseContext) -> list[Signal]:
    metadata = obj(pod, "metadata", path)
    meta_path: Path = (*path, "metadata")
    name = text(metadata, "name", meta_path)
    namespace = text(metadata, "namespace", meta_path)
    labels = str_map(metadata, "labels", meta_path)
    spec = obj(pod, "spec", path)
    status = obj(pod, "status", path)
    status_path: Path = (*path, "status")
    node = text(spec, "nodeName", (*path, "spec"))
    view = LabelView(labels)
    service = view.get("app.kubernetes.io/name", "app", "k8s-app", "app.kubernetes.io/instance")
    owner_service = None
    for index, raw in enumerate(arr(metadata, "ownerReferences", meta_path)):
        owner = item_obj(raw, (*meta_path, "ownerReferences", index))
        owner_path: Path = (*meta_path, "ownerReferences", index)
        owner_service = _object_service(text(owner, "kind", owner_path),
                                        text(owner, "name", owner_path))
        if owner_service:
            break
    region, zone = view.region_zone()
    base: dict[str, Any] = {
        "source": "kubernetes",
        "service": service_name(service) if service else owner_service or _object_service(
            "Pod", name),
        "region": region or region_from_host(node),
        "zone": zone,
        "environment": _environment(namespace, labels, node),
        "raw": dict(pod),
    }
    pod_ref = f"pod {namespace + '/' if namespace else ''}{name}"
    common_labels = {k: v for k, v in (("namespace", namespace), ("pod", name), ("node", node))
                     if v}
    started = time(status, "startTime", status_path, ctx) or time(
        metadata, "creationTimestamp", meta_path, ctx)
    signals: list[Signal] = []

    def alert(reason: str, words: str, at: datetime | None, key: str, **labels: str) -> None:
        signals.append(Signal(
            kind=SignalKind.ALERT, name=reason, text=words,
            severity=REASON_SEVERITY.get(reason, SourceSeverity.WARNING),
            status=SignalStatus.FIRING, at=at,
            labels={**common_labels, **{k: v for k, v in labels.items() if v}, "reason": reason},
            fingerprint=f"{namespace}/{name}:{key}", **base))

    phase = text(status, "phase", status_path)
    pod_reason = text(status, "reason", status_path)
    pod_message = text(status, "message", status_path)
    # An evicted or failed pod does not say when; the time stays unknown.
    if pod_reason == "Evicted":
        alert("Evicted", f"Evicted: {pod_message or 'the pod was evicted'} ({pod_ref})",
              None, "evicted")
    elif phase == "Failed":
        alert("PodFailed", f"Pod failed: {pod_reason} {pod_message}".strip() + f" ({pod_ref})",
              None, "failed")
    for index, raw in enumerate(arr(status, "conditions", status_path)):
        cond_path: Path = (*status_path, "conditions", index)
        cond = item_obj(raw, cond_path)
        if (text(cond, "type", cond_path) == "PodScheduled"
                and text(cond, "status", cond_path) == "False"):
            alert("FailedScheduling",
                  f"FailedScheduling: {text(cond, 'message', cond_path) or 'unschedulable'} "
                  f"({pod_ref})",
                  time(cond, "lastTransitionTime", cond_path, ctx), "unschedulable")
    for key in ("initContainerStatuses", "containerStatuses"):
        for index, raw in enumerate(arr(status, key, status_path)):
            c_path: Path = (*status_path, key, index)
            signals.extend(_container(item_obj(raw, c_path), c_path, ctx, pod_ref, alert, base,
                                      common_labels, started))
    if not signals:
        signals.append(Signal(
            kind=SignalKind.STATUS, name="pod", severity=SourceSeverity.INFO,
            text=f"{pod_ref} is {phase.lower() or 'present'}; no container restarts or failures",
            at=started, labels=common_labels, **base))
    return signals


def _container(
    container: Mapping[str, Any],
    path: Path,
    ctx: ParseContext,
    pod_ref: str,
    alert: Callable[..., None],
    base: dict[str, Any],
    common_labels: dict[str, str],
    started: datetime | None,
) -> list[Signal]:
    name = text(container, "name", path)
    restarts = integer(container, "restartCount", path, ctx=ctx)
    state = obj(container, "state", path)
    last_state = obj(container, "lastState", path)
    waiting = obj(state, "waiting", (*path, "state"))
    current_term = obj(state, "terminated", (*path, "state"))
    last_term = obj(last_state, "terminated", (*path, "lastState"))
    term, term_path = (current_term, (*path, "state", "terminated")) if current_term else (
        last_term, (*path, "lastState", "terminated"))
    term_reason = text(term, "reason", term_path)
    exit_code = integer(term, "exitCode", term_path, default=-1) if term else -1
    finished = time(term, "finishedAt", term_path, ctx) if term else None
    waiting_reason = text(waiting, "reason", (*path, "state", "waiting"))
    waiting_message = text(waiting, "message", (*path, "state", "waiting"))
    who = f"container {name} of {pod_ref}"
    restarted = f"; restarted {restarts} times" if restarts else ""
    last = (f"; last terminated: {term_reason or 'exit'} (exit code {exit_code})"
            if term and exit_code >= 0 else "")
    extra = {"container": name, "restarts": str(restarts), "exit_code":
             str(exit_code) if exit_code >= 0 else ""}
    finished = finished or started
    if term_reason == "OOMKilled" or exit_code == _OOM_EXIT_CODE:
        alert("OOMKilled",
              f"OOMKilled: {who} was OOMKilled (exit code {exit_code}, out of memory)"
              f"{restarted}" + (f"; now {waiting_reason}" if waiting_reason else ""),
              finished, f"{name}:oom", **extra)
    if waiting_reason in WAITING_PROBLEMS:
        alert(waiting_reason,
              f"{waiting_reason}: {who}"
              + (f": {waiting_message}" if waiting_message else "") + restarted + last,
              finished, f"{name}:{waiting_reason}", **extra)
    elif restarts and term_reason != "OOMKilled" and exit_code != _OOM_EXIT_CODE:
        alert("ContainerRestarted", f"ContainerRestarted: {who}{restarted}{last}",
              finished, f"{name}:restarts", **extra)
    if restarts:
        return [Signal(
            kind=SignalKind.METRIC, name="restarts", value=float(restarts), unit="count",
            text=f"{who} restarted {restarts} times", at=finished,
            status=SignalStatus.FIRING,
            labels={**common_labels, "container": name},
            fingerprint=f"{common_labels.get('namespace', '')}/{common_labels.get('pod', '')}:"
            f"{name}:restarts-metric",
            **base)]
    return []
