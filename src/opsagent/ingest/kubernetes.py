"""Kubernetes Events and Pods, as ``kubectl get events -o json`` / ``kubectl get pods -o json``
print them (or as the API returns them), read the way an SRE reads them.

Accepted: a core/v1 ``Event`` (``involvedObject``, ``reason``, ``message``, ``type``,
``count``, ``firstTimestamp``/``lastTimestamp``, or ``eventTime`` and ``series``), an
events.k8s.io/v1 ``Event`` (``regarding``, ``note``, ``series.count``, ``eventTime``,
``deprecatedCount``, ``deprecatedFirstTimestamp`` ...), a ``Pod``, and an
``EventList``/``PodList``/``List`` of them in ``items`` (``kubectl get events,pods -o
json``; items of other kinds are skipped). The items of one list are read together: the
pods of the list explain the events about them, and the events of one rollout are one
change.

**Events**

* ``Warning`` events become ALERT signals (``status`` firing): ``name`` is the
  ``reason`` (BackOff, Unhealthy, FailedScheduling, Evicted, OOMKilling, FailedMount,
  Failed ...), ``text`` the reason, the message, the object and what the event means
  (:func:`_meaning`): a back-off restarting a container is a crash loop, with the last
  termination's reason, exit code and message when the list holds the pod; an image that
  cannot be pulled says whether the registry refused the credentials, lacks the image,
  limits the pulls or cannot be reached; FailedScheduling says which resource is short
  on how many nodes (cpu, memory, ``nvidia.com/gpu``), which nodes are at their pod limit,
  not ready or tainted; an eviction names the node pressure (memory, disk); a full
  ResourceQuota names its use; ``severity`` from :data:`REASON_SEVERITY`, else the event
  type through :data:`TYPE_SEVERITY`;
* ``Normal`` events become LOG signals (``severity`` info, unless the reason is a problem
  that Kubernetes reports as Normal, such as a back-off pulling an image or a node under
  disk pressure), except the pure lifecycle ones in :data:`LIFECYCLE_REASONS` (Scheduled,
  Pulled, Started ...), which are dropped;
* changes: an Argo Rollouts step (:data:`ROLLOUT_STEPS`: RolloutUpdated,
  NewReplicaSetCreated, SetWeight, RolloutStepCompleted, RolloutCompleted ...) or a
  Flagger canary advancing is a ``deploy`` of the workload (version: the image tag of the
  new pods when the list shows it, else the revision); RolloutAborted, DeploymentRollback
  and "rolled back"/"rolling back" are a ``rollback``. In a list, the events of one
  rollout are one change at its first step: a Deployment whose ScalingReplicaSet events
  scale a new replica set up while another scales down is a rolling update (a deploy); the
  events after an abort belong to the rollback; an AnalysisRun that failed a rollout
  which shows no abort of its own also gives the rollback Argo Rollouts makes. Other
  ScalingReplicaSet events and SuccessfulRescale (an HPA) are ``scale`` changes;
* ``at``: ``firstTimestamp``, else ``eventTime``, else ``deprecatedFirstTimestamp``;
  ``count``: ``count``, ``series.count`` or ``deprecatedCount``;
  ``fingerprint``: the event's ``metadata.uid`` (else namespace/name).

**Pods**: a container whose ``lastState.terminated`` (or ``state.terminated``) reason is
``OOMKilled`` or whose exit code is 137 gives an ``OOMKilled`` ALERT; a container waiting
in ``CrashLoopBackOff``, ``ImagePullBackOff``, ``ErrImagePull``,
``CreateContainerConfigError`` ... gives an ALERT named after that reason (with the last
termination's reason, exit code and what it means, and the first line of its message);
other restarted containers give a ``ContainerRestarted`` warning; an evicted, failed or
unschedulable pod gives an ALERT, a running pod whose containers are not ready a
``NotReady`` warning. A container with restarts also gives a ``restarts`` METRIC (its
``restartCount``). A pod with none of these gives an informational STATUS signal.

**Service**: the object's ``app.kubernetes.io/name``/``app``/``k8s-app`` label when the
payload has it (Pods), else the workload behind the name
(:func:`~opsagent.names.workload_name`: pods, ReplicaSets, Jobs and AnalysisRuns lose
their generated suffixes, ``checkout-7d9f8b6c5d-x2x9k`` → ``checkout``); Nodes name no
service (the node is a label). **Environment**: the pod's environment label, else the
namespace, else the cluster of a GKE node name, when its name names one (``shop-prod`` →
production, ``payments-stg`` → staging; :func:`~opsagent.ingest.labels.
environment_in_name`). **Region**: from an EKS node name (``ip-10-0-1-5.eu-west-1.
compute.internal``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..models import ChangeDetails, ChangeType, Signal, SignalKind, SignalStatus, SourceSeverity
from ..names import environment_in_name, region_from_host, service_name, workload_name
from ..values import clip
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
from .labels import LabelView

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
    "NodeHasInsufficientMemory": SourceSeverity.ERROR,
    "NodeHasInsufficientPID": SourceSeverity.ERROR,
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
    "NotReady": SourceSeverity.WARNING,
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
# Argo Rollouts events that are steps of a rollout: each one is (part of) a deploy.
ROLLOUT_STEPS = frozenset(
    {
        "RolloutUpdated",
        "NewReplicaSetCreated",
        "RolloutStepCompleted",
        "RolloutCompleted",
        "RolloutResumed",
        "RolloutPaused",
        "RolloutPromoted",
        "SetWeight",
        "TrafficWeightUpdated",
        "AnalysisRunRunning",
        "AnalysisRunSuccessful",
        "SwitchService",
    }
)
ROLLBACK_REASONS = frozenset({"RolloutAborted", "DeploymentRollback"})
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
# What a container's exit code says (128 + n is "killed by signal n").
EXIT_CODES: dict[int, str] = {
    0: "the process ended on its own",
    1: "the application exited with an error",
    2: "the application exited with an error (bad arguments or configuration)",
    126: "the command cannot be executed",
    127: "the command was not found in the image",
    134: "the process aborted (SIGABRT)",
    137: "killed with SIGKILL, most often for using more memory than its limit",
    139: "the process crashed with a segmentation fault (SIGSEGV)",
    143: "the process was stopped with SIGTERM",
}
_OOM_EXIT_CODE = 137
_LIST_KINDS = {"List", "EventList", "PodList"}
_EVENT_APIS = {"v1", "events.k8s.io/v1", "events.k8s.io/v1beta1"}
_ROLLOUT_OWNERS = {"Deployment", "Rollout", "Canary"}
_CLUSTER_KINDS = {"Node", "Namespace", "PersistentVolume"}
_ROLLED_BY = {"Deployment": "rolling update of Deployment", "Rollout": "Argo rollout of",
              "Canary": "Flagger canary of"}
_ROLLOUT_STARTS = {"RolloutUpdated", "NewReplicaSetCreated"}
_NEVER = datetime.min.replace(tzinfo=timezone.utc)

# Flagger reports its canary steps as "Synced" events in words.
_CANARY_STEP = re.compile(r"new revision detected|starting canary analysis|canary weight \d|"
                          r"advance .{1,80} canary|copying .{1,80} template|"
                          r"routing all traffic to primary|promotion completed", re.I)
_ROLLBACK_WORDS = re.compile(r"\brolled back\b|\brolling back\b|\broll ?back\b|"
                             r"\bcanary failed\b|\babort(?:ed|ing)?\b", re.I)
_REVISION = re.compile(r"\brevision:? #?(\d+)\b", re.I)
# "Scaled up replica set web-7d9f to 3 from 1", "Scaled down ReplicaSet web-7d9f
# (revision 4) from 2 to 0"
_SCALED = re.compile(r"scaled (up|down) replica ?set (\S+)(?: \(revision \d+\))? "
                     r"(?:to (\d+)(?: from (\d+))?|from (\d+) to (\d+))", re.I)
_IMAGE = re.compile(r"image \"([^\"]+)\"", re.I)
_CONTAINER_IN_MESSAGE = re.compile(r"failed container[= ](\S+?)(?: in pod|\s|$)", re.I)
_FIELD_CONTAINER = re.compile(r"containers\{([^}]+)\}")


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
        if kind not in _LIST_KINDS:
            if kind == "Event":
                alone = _event_signals(_read_event(doc, (), ctx), _Together())
            else:
                alone = _pod(doc, (), ctx) if kind == "Pod" else []
            return alone or [_quiet(1, str(kind))]
        default = {"EventList": "Event", "PodList": "Pod"}.get(str(kind), "")
        items = arr(doc, "items")
        noted = len(ctx.notes)
        read: list[tuple[Path, _Event | Mapping[str, Any]]] = []
        for index, raw in enumerate(items):
            with ctx.recover("items", index):  # one broken event costs that event only
                path: Path = ("items", index)
                item = item_obj(raw, path)
                item_kind = _item_kind(item, default)
                if item_kind == "Event":
                    read.append((path, _read_event(item, path, ctx)))
                elif item_kind == "Pod":
                    read.append((path, item))
        together = _Together.of([entry for _, entry in read])
        signals: list[Signal] = []
        for path, entry in read:
            with ctx.recover(*path):
                signals.extend(_event_signals(entry, together) if isinstance(entry, _Event)
                               else _pod(entry, path, ctx))
        if items and not signals and len(ctx.notes) == noted:
            signals.append(_quiet(len(items), default or "object"))
        return signals


def _item_kind(item: Any, default: str) -> str:
    if not isinstance(item, Mapping):
        return default
    kind = item.get("kind")
    if isinstance(kind, str) and kind:
        return kind
    if "involvedObject" in item or "regarding" in item:
        return "Event"
    return default


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
    if not name or not kind or kind in _CLUSTER_KINDS:
        return None
    return service_name(workload_name(name, kind))


# events --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Event:
    """One event, read; the signals come later, once its list has been read too."""

    reason: str
    message: str
    type: str
    count: int
    at: datetime | None
    obj_kind: str
    obj_name: str
    namespace: str
    words: str  # "Reason: message (Kind namespace/name)"
    common: dict[str, Any]  # the signal fields every signal of the event shares

    @property
    def workload(self) -> tuple[str, str, str]:
        return self.namespace, self.obj_kind, self.obj_name


def _read_event(event: Mapping[str, Any], path: Path, ctx: ParseContext) -> _Event:
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
    series = obj(event, "series", path)
    series_path: Path = (*path, "series")
    if new_api:
        count = integer(series, "count", series_path, default=0) or integer(
            event, "deprecatedCount", path, default=1)
        at = (time(event, "eventTime", path, ctx)
              or time(event, "deprecatedFirstTimestamp", path, ctx))
        last = time(series, "lastObservedTime", series_path, ctx) or time(
            event, "deprecatedLastTimestamp", path, ctx)
        source = obj(event, "deprecatedSource", path)
        host = text(source, "host", (*path, "deprecatedSource")) or text(
            event, "reportingInstance", path)
        component = text(event, "reportingController", path)
    else:  # core/v1; events written through the new API carry eventTime and series here too
        count = integer(event, "count", path, default=0, ctx=ctx) or integer(
            series, "count", series_path, default=1)
        at = (time(event, "firstTimestamp", path, ctx)
              or time(event, "eventTime", path, ctx))
        last = time(event, "lastTimestamp", path, ctx) or time(
            series, "lastObservedTime", series_path, ctx)
        source = obj(event, "source", path)
        host = text(source, "host", (*path, "source")) or text(event, "reportingInstance", path)
        component = text(source, "component", (*path, "source")) or text(
            event, "reportingComponent", path)
    at = at or time(metadata, "creationTimestamp", meta_path, ctx)
    node = host or (obj_name if obj_kind == "Node" else "")
    labels = {k: v for k, v in (("namespace", namespace), ("object_kind", obj_kind),
                                ("object", obj_name), ("reason", reason), ("type", event_type),
                                ("component", component), ("node", node),
                                ("last_seen", last.isoformat() if last else ""),
                                ("field_path", text(target, "fieldPath", target_path)))
              if v}
    uid = text(metadata, "uid", meta_path)
    name = text(metadata, "name", meta_path)
    scoped = namespace and obj_kind not in _CLUSTER_KINDS  # a Node has no namespace
    obj_ref = f"{obj_kind} {namespace + '/' if scoped else ''}{obj_name}".strip()
    words = f"{reason}: {message}" if message else reason
    if obj_ref:
        words = f"{words} ({obj_ref})"
    return _Event(
        reason=reason, message=message, type=event_type, count=max(1, count), at=at,
        obj_kind=obj_kind, obj_name=obj_name, namespace=namespace, words=words,
        common={
            "source": "kubernetes",
            "service": _object_service(obj_kind, obj_name),
            "region": region_from_host(node),
            "environment": _environment(namespace, node=node),
            "at": at,
            "labels": labels,
            "fingerprint": uid or (f"{namespace}/{name}" if name else None),
            "raw": dict(event),
        })


def _event_signals(ev: _Event, together: _Together) -> list[Signal]:
    rollout = together.heads.get(id(ev))
    if rollout is not None:
        return [rollout.change(together.images)]
    if id(ev) in together.folded:
        return []
    signals: list[Signal] = []
    derived = together.derived.get(id(ev))
    if derived is not None:  # an AnalysisRun that failed its rollout: the abort it causes
        signals.append(derived.change(together.images))
    role = _rollout_role(ev)
    if role is not None:
        change = ChangeType.ROLLBACK if role == "rollback" else ChangeType.DEPLOY
        return [*signals, _Rollout(ev.workload, change, [ev]).change(together.images)]
    meaning = _meaning(ev, together)
    words = f"{ev.words}; {meaning}" if meaning else ev.words
    if ev.type.lower() == "warning":
        return [*signals, Signal(
            kind=SignalKind.ALERT,
            name=ev.reason[:200],
            text=words,
            severity=REASON_SEVERITY.get(ev.reason) or TYPE_SEVERITY["warning"],
            status=SignalStatus.FIRING,
            count=ev.count,
            **ev.common,
        )]
    if ev.reason in LIFECYCLE_REASONS:
        return signals
    if ev.reason in SCALE_REASONS:
        return [*signals, Signal(
            kind=SignalKind.CHANGE,
            name="scale",
            text=words,
            change=ChangeDetails(type=ChangeType.SCALE, description=ev.message or ev.reason),
            **ev.common,
        )]
    return [*signals, Signal(
        kind=SignalKind.LOG,
        name=ev.reason[:200],
        text=words,
        severity=REASON_SEVERITY.get(ev.reason) or TYPE_SEVERITY.get(ev.type.lower()),
        count=ev.count,
        **ev.common,
    )]


# rollouts ------------------------------------------------------------------------------------
def _rollout_role(ev: _Event) -> str | None:
    """``"rollback"`` or ``"step"`` when the event is part of a rollout of its workload."""
    if ev.reason in ROLLBACK_REASONS:
        return "rollback"
    if ev.obj_kind not in _ROLLOUT_OWNERS or ev.reason in SCALE_REASONS:
        return None
    if _ROLLBACK_WORDS.search(ev.message):
        return "rollback"
    if ev.reason in ROLLOUT_STEPS or (ev.obj_kind == "Canary" and _CANARY_STEP.search(ev.message)):
        return "step"
    return None


@dataclass(frozen=True)
class _Scaled:
    up: bool
    replica_set: str
    to: int


def _scaled(message: str) -> _Scaled | None:
    match = _SCALED.search(message)
    if not match:
        return None
    to = match.group(3) or match.group(6) or "0"
    return _Scaled(match.group(1).lower() == "up", match.group(2).lower(), int(to))


def _image_tag(image: str) -> str | None:
    """``registry.example/app/cart:5.14.2@sha256:…`` → ``5.14.2``."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[1] if ":" in name else None


@dataclass
class _Rollout:
    """The events of one rollout (or of one rollback) of a workload: one change."""

    workload: tuple[str, str, str]  # namespace, kind, name
    type: ChangeType
    events: list[_Event]
    revision: str | None = None
    derived_from: str = ""  # the AnalysisRun whose failure aborted the rollout

    def change(self, images: Mapping[tuple[str, str], str]) -> Signal:
        head = self.events[0]
        namespace, kind, name = self.workload
        revision = self.revision or next(
            (m.group(1) for e in self.events if (m := _REVISION.search(e.message))), None)
        scaled = [s for e in self.events if e.reason == "ScalingReplicaSet"
                  and (s := _scaled(e.message)) is not None]
        ups = [s.replica_set for s in scaled if s.up]
        downs = {s.replica_set for s in scaled if not s.up}
        created = [m.group(1).lower() for e in self.events if e.reason == "NewReplicaSetCreated"
                   and (m := re.search(r"replica ?set (\S+)", e.message, re.I))]
        new_rs = (created or [rs for rs in ups if rs not in downs] or ups or [""])[-1]
        tag = next((_image_tag(image) for (ns, pod), image in images.items()
                    if ns == namespace and new_rs and pod.startswith(new_rs + "-")), None)
        steps = "; ".join(dict.fromkeys(e.message or e.reason for e in self.events))
        place = f"{namespace}/{name}" if namespace else name
        ref = f"{_ROLLED_BY.get(kind, f'rollout of {kind}')} {place}"
        if self.type is ChangeType.ROLLBACK:
            version = None
            succeeded = None
            what = f"{ref} rolled back"
            if self.derived_from:
                steps = f"AnalysisRun {self.derived_from} failed, which aborts the rollout: {steps}"
        else:
            version = tag or (f"revision {revision}" if revision else None)
            completed = any(e.reason == "RolloutCompleted" or "promotion completed"
                            in e.message.lower() for e in self.events)
            replaced = bool(new_rs) and any(s.to == 0 and s.replica_set != new_rs
                                            for s in scaled if not s.up)
            succeeded = True if completed or replaced else None
            old = sorted(downs - {new_rs})
            what = ref  # "rolling update of Deployment shop/web to 3.8.1"
            if version:
                what += f" to {version}"
            if kind == "Deployment" and new_rs and old:
                what += f" (replica set {new_rs} replaces {', '.join(old)})"
        labels = {**head.common["labels"], "reason": head.reason}
        if new_rs:
            labels["replica_set"] = new_rs
        if revision:
            labels["revision"] = revision
        key = revision or new_rs or head.common["fingerprint"] or ""
        return Signal(
            kind=SignalKind.CHANGE,
            name=self.type.value,
            text=clip(f"{what[0].upper()}{what[1:]}: {steps}", 1000),
            change=ChangeDetails(type=self.type, version=version, succeeded=succeeded,
                                 description=clip(f"{what}: {steps}", 300)),
            **{**head.common, "service": _object_service(kind, name), "labels": labels,
               "fingerprint": f"{self.type.value}:{namespace}/{kind}/{name}@{key}"})


def _plan_rollouts(events: list[_Event]) -> list[_Rollout]:
    """The rollouts (and rollbacks) in the events of one list, each with its events in
    time order: Argo Rollouts or Flagger steps of a workload, or a Deployment that scales a
    new replica set up while another scales down."""
    by_workload: dict[tuple[str, str, str], list[_Event]] = {}
    for ev in events:
        if ev.obj_kind in _ROLLOUT_OWNERS and (ev.reason == "ScalingReplicaSet"
                                               or _rollout_role(ev)):
            by_workload.setdefault(ev.workload, []).append(ev)
    rollouts: list[_Rollout] = []
    for workload, evs in by_workload.items():
        evs.sort(key=lambda e: e.at or _NEVER)
        scaled = [s for e in evs if (s := _scaled(e.message)) is not None]
        ups = {s.replica_set for s in scaled if s.up}
        downs = {s.replica_set for s in scaled if not s.up}
        replaced = bool(ups and downs) and len(ups | downs) > 1
        if not replaced and not any(_rollout_role(e) == "step" for e in evs):
            continue  # scaling only: each event stays a scale change (or a rollback)
        current: _Rollout | None = None
        for ev in evs:
            role = _rollout_role(ev)
            found = _REVISION.search(ev.message)
            revision = found.group(1) if found else None
            if role == "rollback":
                current = _Rollout(workload, ChangeType.ROLLBACK, [ev],
                                   revision or (current.revision if current else None))
                rollouts.append(current)
            elif current is None or (ev.reason in _ROLLOUT_STARTS and (
                    current.type is ChangeType.ROLLBACK
                    or (revision and current.revision and revision != current.revision))):
                current = _Rollout(workload, ChangeType.DEPLOY, [ev], revision)
                rollouts.append(current)
            else:
                current.events.append(ev)
                current.revision = current.revision or revision
    return rollouts


@dataclass
class _Together:
    """What the items of one list tell about each other."""

    pods: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    images: dict[tuple[str, str], str] = field(default_factory=dict)  # pod → its image
    heads: dict[int, _Rollout] = field(default_factory=dict)  # first event → its rollout
    folded: set[int] = field(default_factory=set)  # the other events of a rollout
    derived: dict[int, _Rollout] = field(default_factory=dict)  # a failed AnalysisRun → abort

    @classmethod
    def of(cls, entries: list[_Event | Mapping[str, Any]]) -> _Together:
        together = cls()
        events = [e for e in entries if isinstance(e, _Event)]
        for entry in entries:
            if isinstance(entry, _Event):
                image = _IMAGE.search(entry.message) if entry.obj_kind == "Pod" and \
                    entry.reason in {"Pulled", "Pulling"} else None
                if image:
                    together.images.setdefault((entry.namespace, entry.obj_name), image.group(1))
                continue
            metadata = entry.get("metadata")
            spec = entry.get("spec")
            if not isinstance(metadata, Mapping):
                continue
            key = (str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))
            together.pods[key] = entry
            containers = spec.get("containers") if isinstance(spec, Mapping) else None
            if isinstance(containers, list) and containers and isinstance(containers[0], Mapping):
                image = containers[0].get("image")
                if isinstance(image, str):
                    together.images.setdefault(key, image)
        rollouts = _plan_rollouts(events)
        for rollout in rollouts:
            together.heads[id(rollout.events[0])] = rollout
            together.folded.update(id(e) for e in rollout.events[1:])
        aborted = {r.workload for r in rollouts if r.type is ChangeType.ROLLBACK}
        deployed = {r.workload: r for r in rollouts if r.type is ChangeType.DEPLOY}
        for ev in events:
            if ev.reason != "AnalysisRunFailed" or ev.obj_kind != "AnalysisRun":
                continue
            workload = (ev.namespace, "Rollout", workload_name(ev.obj_name, "AnalysisRun") or "")
            deploy = deployed.get(workload)
            if deploy is not None and workload not in aborted:
                together.derived[id(ev)] = _Rollout(workload, ChangeType.ROLLBACK, [ev],
                                                    deploy.revision, derived_from=ev.obj_name)
                aborted.add(workload)
        return together


# what warning events mean --------------------------------------------------------------------
def _meaning(ev: _Event, together: _Together) -> str:
    """What an SRE reads in the event, in words (empty when there is nothing to add)."""
    reason, message = ev.reason, ev.message
    lowered = message.lower()
    if reason in {"ErrImagePull", "ImagePullBackOff", "InvalidImageName"} or (
            reason in {"Failed", "BackOff"} and (("pull" in lowered and "image" in lowered)
                                                 or "imagepull" in lowered
                                                 or "invalidimagename" in lowered)):
        return _pull_meaning(lowered)
    if reason == "CrashLoopBackOff" or (reason == "BackOff" and "restarting" in lowered):
        return _crash_meaning(ev, together)
    if reason == "FailedScheduling":
        return _scheduling_meaning(message)
    if reason in {"Evicted", "Evicting"}:
        return _eviction_meaning(message)
    if reason == "EvictionThresholdMet":
        short = re.search(r"reclaim (\S+)", message)
        resource = short.group(1).rstrip(".") if short else "the resource"
        return (f"the kubelet reached its eviction threshold and evicts pods to reclaim "
                f"{resource}" + _PRESSURE_OF.get(resource, ""))
    if reason == "FailedCreate" and "exceeded quota" in lowered:
        return _quota_meaning(message)
    if reason == "NotTriggerScaleUp":
        return "the cluster autoscaler adds no node for the pending pod" + (
            ": its node group is at its maximum size" if "max node group size" in lowered
            else "")
    pressure = _NODE_PRESSURE.search(f"{reason} {message}")
    if pressure:
        return f"the node is under {(pressure.group(1) or pressure.group(2)).lower()} pressure"
    if reason == "NodeNotReady" or "NodeNotReady" in message:
        return ("the node is not ready (its kubelet stopped reporting)" if ev.obj_kind == "Node"
                else "the pod's node is not ready")
    return ""


# a node condition turning bad: NodeHasDiskPressure, NodeHasInsufficientMemory … (not
# NodeHasNoDiskPressure or NodeHasSufficientMemory, which report the recovery)
_NODE_PRESSURE = re.compile(r"NodeHas(?:(Disk)Pressure|Insufficient(Memory|PID))\b")
_PRESSURE_OF = {"ephemeral-storage": " (the node is under disk pressure)",
                "nodefs": " (the node is under disk pressure)",
                "imagefs": " (the node is under disk pressure)",
                "memory": " (the node is under memory pressure)",
                "pids": " (the node is under PID pressure)"}


def _pull_meaning(lowered: str) -> str:
    if re.search(r"\b429\b|toomanyrequests|too many requests|rate limit", lowered):
        cause = "the registry limits the rate of pulls"
    elif re.search(r"\b40[13]\b|unauthori[sz]ed|forbidden|denied|authentication required|"
                   r"failed to authorize|no basic auth credentials|invalid username", lowered):
        cause = "the registry refused the pull credentials (the pull secret or token)"
    elif re.search(r"invalid reference format|invalidimagename", lowered):
        cause = "the image reference is not a valid image name"
    elif re.search(r"not found|manifest unknown|name unknown|does not exist|no such image",
                   lowered):
        cause = "the image reference does not exist in the registry (its name or tag)"
    elif re.search(r"no such host|i/o timeout|connection refused|dial tcp|network is unreachable",
                   lowered):
        cause = "the node cannot reach the registry"
    else:
        return "the image cannot be pulled"
    return f"the image cannot be pulled: {cause}"


def _container_status(pod: Mapping[str, Any] | None, container: str) -> Mapping[str, Any]:
    status = pod.get("status") if pod else None
    if not isinstance(status, Mapping):
        return {}
    found: list[Mapping[str, Any]] = []
    for key in ("containerStatuses", "initContainerStatuses"):
        items = status.get(key)
        found += [c for c in items if isinstance(c, Mapping)] if isinstance(items, list) else []
    return next((c for c in found if c.get("name") == container),
                next((c for c in found if c.get("restartCount")), {}))


def _crash_meaning(ev: _Event, together: _Together) -> str:
    named = _CONTAINER_IN_MESSAGE.search(ev.message) or _FIELD_CONTAINER.search(
        ev.common["labels"].get("field_path", ""))
    container = named.group(1) if named else ""
    status = _container_status(together.pods.get((ev.namespace, ev.obj_name)), container)
    words = "the container keeps exiting and is restarted with back-off (CrashLoopBackOff)"
    last = status.get("lastState")
    term = last.get("terminated") if isinstance(last, Mapping) else None
    if isinstance(term, Mapping) and term:
        words += f"; last terminated: {_termination(term)}"
    restarts = status.get("restartCount")
    if isinstance(restarts, int) and restarts > 0:
        words += f"; restarted {restarts} times"
    return words


def _termination(term: Mapping[str, Any]) -> str:
    """``OOMKilled (exit code 137: …)``, ``Error (exit code 1: …): TypeError: …``."""
    reason = str(term.get("reason") or "terminated")
    code = term.get("exitCode")
    words = reason
    if isinstance(code, int) and not isinstance(code, bool):
        meaning = ("out of memory, the container reached its memory limit"
                   if reason == "OOMKilled" else EXIT_CODES.get(code) or (
                       f"killed by signal {code - 128}" if code > 128
                       else "the application exited with an error"))
        words += f" (exit code {code}: {meaning})"
    message = term.get("message")
    if isinstance(message, str) and message.strip():
        lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
        # the error is the first line of most stack traces, the last of Python's
        line = lines[-1] if lines[0].startswith("Traceback") else lines[0]
        words += f": {clip(line, 200)}"
    return words


_NODES_AVAILABLE = re.compile(r"(\d+)/(\d+) nodes are available:?\s*", re.I)


def _scheduling_meaning(message: str) -> str:
    """``0/14 nodes are available: 4 Insufficient nvidia.com/gpu, 4 Too many pods, 6
    node(s) had untolerated taint {dedicated: ingest}.`` in words, node group by group."""
    head = "unschedulable: the pod stays pending"
    found = _NODES_AVAILABLE.search(message)
    if not found:
        return head
    body = re.split(r"\.?\s*preemption:", message[found.end():], maxsplit=1)[0]
    reasons = []
    for part in re.split(r",\s*(?=\d+\s)", body.strip().rstrip(".")):
        counted = re.match(r"(\d+)\s+(.+)", part.strip())
        if counted:
            reasons.append(_node_reason(int(counted.group(1)), counted.group(2)))
    nodes = f"{found.group(1)} of {found.group(2)} nodes can run it"
    return f"{head}, {nodes}" + (": " + "; ".join(reasons) if reasons else "")


def _node_reason(count: int, what: str) -> str:
    nodes = f"{count} node{'s' if count != 1 else ''}"
    lowered = what.lower()
    short = re.match(r"insufficient (\S+)", lowered)
    if short:
        resource = short.group(1)
        if "gpu" in resource:
            return f"{nodes} without a free GPU ({resource})"
        return f"{nodes} without enough free {resource} for the pod's requests"
    if "too many pods" in lowered:
        return f"{nodes} at their pod limit (max pods per node)"
    taint = re.search(r"\{([^}]*)\}", what)
    if "taint" in lowered and taint:
        key = taint.group(1)
        for word, state in (("not-ready", "not ready"), ("unreachable", "unreachable"),
                            ("disk-pressure", "under disk pressure"),
                            ("memory-pressure", "under memory pressure"),
                            ("unschedulable", "cordoned")):
            if f"node.kubernetes.io/{word}" in key:
                return f"{nodes} {state}"
        return f"{nodes} with a taint the pod does not tolerate ({{{key}}})"
    if "unschedulable" in lowered:
        return f"{nodes} cordoned"
    if "affinity/selector" in lowered or "node selector" in lowered or (
            "affinity" in lowered and "volume" not in lowered and "anti" not in lowered):
        return f"{nodes} outside the pod's node selector or affinity"
    if "anti-affinity" in lowered:
        return f"{nodes} excluded by pod anti-affinity"
    if "volume" in lowered:
        return f"{nodes} unable to attach the pod's volume (zone or binding)"
    if "free ports" in lowered:
        return f"{nodes} with the pod's host port taken"
    return f"{nodes}: {what.strip()}"


def _eviction_meaning(message: str) -> str:
    lowered = message.lower()
    short = re.search(r"low on resource:?\s*([\w.-]+)", lowered)
    resource = short.group(1).rstrip(".") if short else ""
    if resource == "memory" or "memorypressure" in lowered:
        return "the kubelet evicted the pod: the node is under memory pressure"
    if resource in {"ephemeral-storage", "nodefs", "imagefs"} or "diskpressure" in lowered:
        return "the kubelet evicted the pod: the node is under disk pressure (ephemeral-storage)"
    if resource == "pids":
        return "the kubelet evicted the pod: the node is under PID pressure"
    if "ephemeral local storage usage exceeds" in lowered or "exceeds the total limit" in lowered:
        return "the kubelet evicted the pod: it used more ephemeral storage than its limit"
    return "the kubelet evicted the pod"


def _quota_meaning(message: str) -> str:
    quota = re.search(r"exceeded quota:\s*([\w.-]+)", message)
    used = re.search(r"used:\s*([\w./]+)=(\S+?),", message)
    limited = re.search(r"limited:\s*([\w./]+)=(\S+)", message)
    requested = re.search(r"requested:\s*([\w./]+)=(\S+?),", message)
    words = f"the namespace's ResourceQuota {quota.group(1) if quota else ''}".rstrip()
    words += " has no room left for the pod"
    if used and limited:
        words += f" ({used.group(1)} {used.group(2)} of {limited.group(2).rstrip('.')} used"
        words += f", {requested.group(2)} more requested)" if requested else ")"
    return words


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
        alert("Evicted", f"Evicted: {pod_message or 'the pod was evicted'} ({pod_ref}); "
              f"{_eviction_meaning(pod_message)}", None, "evicted")
    elif phase == "Failed":
        rejected = re.match(r"OutOf(\w+)", pod_reason)
        meaning = (f"; the kubelet rejected the pod: its node has no room left for its "
                   f"{rejected.group(1)} requests" if rejected else "")
        alert("PodFailed", f"Pod failed: {pod_reason} {pod_message}".strip() + f" ({pod_ref})"
              + meaning, None, "failed")
    ready_false = ""
    for index, raw in enumerate(arr(status, "conditions", status_path)):
        cond_path: Path = (*status_path, "conditions", index)
        cond = item_obj(raw, cond_path)
        cond_type = text(cond, "type", cond_path)
        if cond_type == "PodScheduled" and text(cond, "status", cond_path) == "False":
            cond_message = text(cond, "message", cond_path)
            alert("FailedScheduling",
                  f"FailedScheduling: {cond_message or 'unschedulable'} ({pod_ref}); "
                  f"{_scheduling_meaning(cond_message)}",
                  time(cond, "lastTransitionTime", cond_path, ctx), "unschedulable")
        elif cond_type == "Ready" and text(cond, "status", cond_path) == "False":
            ready_false = text(cond, "message", cond_path) or "not ready"
    for key in ("initContainerStatuses", "containerStatuses"):
        for index, raw in enumerate(arr(status, key, status_path)):
            c_path: Path = (*status_path, key, index)
            signals.extend(_container(item_obj(raw, c_path), c_path, ctx, pod_ref, alert, base,
                                      common_labels, started))
    if ready_false and phase == "Running" and not signals:
        alert("NotReady", f"NotReady: {pod_ref} is running but not ready: {ready_false}",
              None, "not-ready")
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
    last = f"; last terminated: {_termination(term)}" if term and exit_code >= 0 else ""
    extra = {"container": name, "restarts": str(restarts), "exit_code":
             str(exit_code) if exit_code >= 0 else ""}
    finished = finished or started
    oom = term_reason == "OOMKilled" or exit_code == _OOM_EXIT_CODE
    if oom:
        killed = ("was OOMKilled: it reached its memory limit and was killed (exit code "
                  f"{exit_code}, out of memory)" if term_reason == "OOMKilled" else
                  f"was killed with exit code {exit_code} (SIGKILL, most often out of memory)")
        alert("OOMKilled", f"OOMKilled: {who} {killed}{restarted}"
              + (f"; now {waiting_reason}" if waiting_reason else ""),
              finished, f"{name}:oom", **extra)
    if waiting_reason in WAITING_PROBLEMS:
        meaning = ""
        if "ImagePull" in waiting_reason or waiting_reason in {"ErrImagePull",
                                                               "InvalidImageName"}:
            meaning = f"; {_pull_meaning(f'{waiting_reason} {waiting_message}'.lower())}"
        elif waiting_reason == "CrashLoopBackOff":
            meaning = "; the container keeps exiting and is restarted with back-off"
        alert(waiting_reason,
              f"{waiting_reason}: {who}"
              + (f": {waiting_message}" if waiting_message else "") + meaning + restarted + last,
              finished, f"{name}:{waiting_reason}", **extra)
    elif restarts and not oom:
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
