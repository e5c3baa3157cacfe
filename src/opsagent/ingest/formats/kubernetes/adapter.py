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
  (:func:`.meaning.event_meaning`): a back-off restarting a container is a crash loop, with the last
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

from collections.abc import Mapping
from typing import Any

from ....models import Signal, SignalKind, SourceSeverity
from ...base import ParseContext
from ...fields import (
    Path,
    arr,
    item_obj,
    text,
    user_errors_only,
)
from .event_signals import event_signals
from .events import Event, read_event
from .pods import pod_signals
from .tables import EVENT_APIS, LIST_KINDS
from .together import Together


class KubernetesAdapter:
    name = "kubernetes"
    title = "Kubernetes Events or Pods (kubectl get -o json)"
    detects = ("kind Event (involvedObject/regarding), kind Pod, or an EventList/PodList/List of"
               " them")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        kind = doc.get("kind")
        if not isinstance(kind, str):
            return False
        if kind == "Event":
            return "involvedObject" in doc or "regarding" in doc
        if kind == "Pod":
            return isinstance(doc.get("metadata"), Mapping)
        if kind in LIST_KINDS and isinstance(doc.get("items"), list):
            items = doc["items"]
            if kind != "List" or not items:
                return str(doc.get("apiVersion", "v1")) in EVENT_APIS
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
        if kind not in LIST_KINDS:
            if kind == "Event":
                alone = event_signals(read_event(doc, (), ctx), Together())
            else:
                alone = pod_signals(doc, (), ctx) if kind == "Pod" else []
            return alone or [_quiet(1, str(kind))]
        default = {"EventList": "Event", "PodList": "Pod"}.get(str(kind), "")
        items = arr(doc, "items")
        noted = len(ctx.notes)
        read: list[tuple[Path, Event | Mapping[str, Any]]] = []
        for index, raw in enumerate(items):
            with ctx.recover("items", index):  # one broken event costs that event only
                path: Path = ("items", index)
                item = item_obj(raw, path)
                item_kind = _item_kind(item, default)
                if item_kind == "Event":
                    read.append((path, read_event(item, path, ctx)))
                elif item_kind == "Pod":
                    read.append((path, item))
        together = Together.of([entry for _, entry in read])
        signals: list[Signal] = []
        for path, entry in read:
            with ctx.recover(*path):
                signals.extend(event_signals(entry, together) if isinstance(entry, Event)
                               else pod_signals(entry, path, ctx))
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
