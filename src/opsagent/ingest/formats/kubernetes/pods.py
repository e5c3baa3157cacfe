"""The signals of a Pod: OOM kills, crash loops, waiting and restarted containers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ....models import Signal, SignalKind, SignalStatus, SourceSeverity
from ....names import region_from_host, service_name
from ...base import ParseContext
from ...fields import (
    Path,
    arr,
    integer,
    item_obj,
    obj,
    str_map,
    text,
    time,
)
from ...labels import LabelView
from .meaning import _eviction_meaning, _pull_meaning, _scheduling_meaning, termination
from .scope import environment_of, object_service
from .tables import OOM_EXIT_CODE, REASON_SEVERITY, WAITING_PROBLEMS


def pod_signals(pod: Mapping[str, Any], path: Path, ctx: ParseContext) -> list[Signal]:
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
        owner_service = object_service(text(owner, "kind", owner_path),
                                        text(owner, "name", owner_path))
        if owner_service:
            break
    region, zone = view.region_zone()
    base: dict[str, Any] = {
        "source": "kubernetes",
        "service": service_name(service) if service else owner_service or object_service(
            "Pod", name),
        "region": region or region_from_host(node),
        "zone": zone,
        "environment": environment_of(namespace, labels, node),
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
    last = f"; last terminated: {termination(term)}" if term and exit_code >= 0 else ""
    extra = {"container": name, "restarts": str(restarts), "exit_code":
             str(exit_code) if exit_code >= 0 else ""}
    finished = finished or started
    oom = term_reason == "OOMKilled" or exit_code == OOM_EXIT_CODE
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
