"""What the items of one list tell about each other: pods, images, rollouts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ....models import ChangeType
from ....names import workload_name
from .events import Event
from .rollouts import Rollout, plan_rollouts
from .tables import IMAGE


@dataclass
class Together:
    """What the items of one list tell about each other."""

    pods: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    images: dict[tuple[str, str], str] = field(default_factory=dict)  # pod → its image
    heads: dict[int, Rollout] = field(default_factory=dict)  # first event → its rollout
    folded: set[int] = field(default_factory=set)  # the other events of a rollout
    derived: dict[int, Rollout] = field(default_factory=dict)  # a failed AnalysisRun → abort

    @classmethod
    def of(cls, entries: list[Event | Mapping[str, Any]]) -> Together:
        together = cls()
        events = [e for e in entries if isinstance(e, Event)]
        for entry in entries:
            if isinstance(entry, Event):
                image = IMAGE.search(entry.message) if entry.obj_kind == "Pod" and \
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
        rollouts = plan_rollouts(events)
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
                together.derived[id(ev)] = Rollout(workload, ChangeType.ROLLBACK, [ev],
                                                    deploy.revision, derived_from=ev.obj_name)
                aborted.add(workload)
        return together
