"""One Kubernetes event (core/v1 or events.k8s.io/v1), read into the fields its signals share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ....names import region_from_host
from ...base import ParseContext
from ...fields import (
    Path,
    integer,
    obj,
    text,
    time,
)
from .scope import environment_of, object_service
from .tables import CLUSTER_KINDS


@dataclass(frozen=True)
class Event:
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


def read_event(event: Mapping[str, Any], path: Path, ctx: ParseContext) -> Event:
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
    scoped = namespace and obj_kind not in CLUSTER_KINDS  # a Node has no namespace
    obj_ref = f"{obj_kind} {namespace + '/' if scoped else ''}{obj_name}".strip()
    words = f"{reason}: {message}" if message else reason
    if obj_ref:
        words = f"{words} ({obj_ref})"
    return Event(
        reason=reason, message=message, type=event_type, count=max(1, count), at=at,
        obj_kind=obj_kind, obj_name=obj_name, namespace=namespace, words=words,
        common={
            "source": "kubernetes",
            "service": object_service(obj_kind, obj_name),
            "region": region_from_host(node),
            "environment": environment_of(namespace, node=node),
            "at": at,
            "labels": labels,
            "fingerprint": uid or (f"{namespace}/{name}" if name else None),
            "raw": dict(event),
        })
