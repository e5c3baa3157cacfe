"""The events of one rollout of a workload, read as one change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ....models import ChangeDetails, ChangeType, Signal, SignalKind
from ....values import clip
from .events import Event
from .scope import object_service
from .tables import (
    CANARY_STEP,
    NEVER,
    REVISION,
    ROLLBACK_REASONS,
    ROLLBACK_WORDS,
    ROLLED_BY,
    ROLLOUT_OWNERS,
    ROLLOUT_STARTS,
    ROLLOUT_STEPS,
    SCALE_REASONS,
    SCALED,
)


# rollouts ------------------------------------------------------------------------------------
def rollout_role(ev: Event) -> str | None:
    """``"rollback"`` or ``"step"`` when the event is part of a rollout of its workload."""
    if ev.reason in ROLLBACK_REASONS:
        return "rollback"
    if ev.obj_kind not in ROLLOUT_OWNERS or ev.reason in SCALE_REASONS:
        return None
    if ROLLBACK_WORDS.search(ev.message):
        return "rollback"
    if ev.reason in ROLLOUT_STEPS or (ev.obj_kind == "Canary" and CANARY_STEP.search(ev.message)):
        return "step"
    return None


@dataclass(frozen=True)
class _Scaled:
    up: bool
    replica_set: str
    to: int


def _scaled(message: str) -> _Scaled | None:
    match = SCALED.search(message)
    if not match:
        return None
    to = match.group(3) or match.group(6) or "0"
    return _Scaled(match.group(1).lower() == "up", match.group(2).lower(), int(to))


def image_tag(image: str) -> str | None:
    """``registry.example/app/cart:5.14.2@sha256:…`` → ``5.14.2``."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[1] if ":" in name else None


@dataclass
class Rollout:
    """The events of one rollout (or of one rollback) of a workload: one change."""

    workload: tuple[str, str, str]  # namespace, kind, name
    type: ChangeType
    events: list[Event]
    revision: str | None = None
    derived_from: str = ""  # the AnalysisRun whose failure aborted the rollout

    def change(self, images: Mapping[tuple[str, str], str]) -> Signal:
        head = self.events[0]
        namespace, kind, name = self.workload
        revision = self.revision or next(
            (m.group(1) for e in self.events if (m := REVISION.search(e.message))), None)
        scaled = [s for e in self.events if e.reason == "ScalingReplicaSet"
                  and (s := _scaled(e.message)) is not None]
        ups = [s.replica_set for s in scaled if s.up]
        downs = {s.replica_set for s in scaled if not s.up}
        created = [m.group(1).lower() for e in self.events if e.reason == "NewReplicaSetCreated"
                   and (m := re.search(r"replica ?set (\S+)", e.message, re.I))]
        new_rs = (created or [rs for rs in ups if rs not in downs] or ups or [""])[-1]
        tag = next((image_tag(image) for (ns, pod), image in images.items()
                    if ns == namespace and new_rs and pod.startswith(new_rs + "-")), None)
        steps = "; ".join(dict.fromkeys(e.message or e.reason for e in self.events))
        place = f"{namespace}/{name}" if namespace else name
        ref = f"{ROLLED_BY.get(kind, f'rollout of {kind}')} {place}"
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
            **{**head.common, "service": object_service(kind, name), "labels": labels,
               "fingerprint": f"{self.type.value}:{namespace}/{kind}/{name}@{key}"})


def plan_rollouts(events: list[Event]) -> list[Rollout]:
    """The rollouts (and rollbacks) in the events of one list, each with its events in
    time order: Argo Rollouts or Flagger steps of a workload, or a Deployment that scales a
    new replica set up while another scales down."""
    by_workload: dict[tuple[str, str, str], list[Event]] = {}
    for ev in events:
        if ev.obj_kind in ROLLOUT_OWNERS and (ev.reason == "ScalingReplicaSet"
                                               or rollout_role(ev)):
            by_workload.setdefault(ev.workload, []).append(ev)
    rollouts: list[Rollout] = []
    for workload, evs in by_workload.items():
        evs.sort(key=lambda e: e.at or NEVER)
        scaled = [s for e in evs if (s := _scaled(e.message)) is not None]
        ups = {s.replica_set for s in scaled if s.up}
        downs = {s.replica_set for s in scaled if not s.up}
        replaced = bool(ups and downs) and len(ups | downs) > 1
        if not replaced and not any(rollout_role(e) == "step" for e in evs):
            continue  # scaling only: each event stays a scale change (or a rollback)
        current: Rollout | None = None
        for ev in evs:
            role = rollout_role(ev)
            found = REVISION.search(ev.message)
            revision = found.group(1) if found else None
            if role == "rollback":
                current = Rollout(workload, ChangeType.ROLLBACK, [ev],
                                   revision or (current.revision if current else None))
                rollouts.append(current)
            elif current is None or (ev.reason in ROLLOUT_STARTS and (
                    current.type is ChangeType.ROLLBACK
                    or (revision and current.revision and revision != current.revision))):
                current = Rollout(workload, ChangeType.DEPLOY, [ev], revision)
                rollouts.append(current)
            else:
                current.events.append(ev)
                current.revision = current.revision or revision
    return rollouts
