"""What an SRE reads in a warning event, in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ....values import clip
from .events import Event
from .tables import CONTAINER_IN_MESSAGE, EXIT_CODES, FIELD_CONTAINER
from .together import Together


# what warning events mean --------------------------------------------------------------------
def event_meaning(ev: Event, together: Together) -> str:
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


def container_status(pod: Mapping[str, Any] | None, container: str) -> Mapping[str, Any]:
    status = pod.get("status") if pod else None
    if not isinstance(status, Mapping):
        return {}
    found: list[Mapping[str, Any]] = []
    for key in ("containerStatuses", "initContainerStatuses"):
        items = status.get(key)
        found += [c for c in items if isinstance(c, Mapping)] if isinstance(items, list) else []
    return next((c for c in found if c.get("name") == container),
                next((c for c in found if c.get("restartCount")), {}))


def _crash_meaning(ev: Event, together: Together) -> str:
    named = CONTAINER_IN_MESSAGE.search(ev.message) or FIELD_CONTAINER.search(
        ev.common["labels"].get("field_path", ""))
    container = named.group(1) if named else ""
    status = container_status(together.pods.get((ev.namespace, ev.obj_name)), container)
    words = "the container keeps exiting and is restarted with back-off (CrashLoopBackOff)"
    last = status.get("lastState")
    term = last.get("terminated") if isinstance(last, Mapping) else None
    if isinstance(term, Mapping) and term:
        words += f"; last terminated: {termination(term)}"
    restarts = status.get("restartCount")
    if isinstance(restarts, int) and restarts > 0:
        words += f"; restarted {restarts} times"
    return words


def termination(term: Mapping[str, Any]) -> str:
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
