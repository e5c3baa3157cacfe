"""Service and environment of a Kubernetes object."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ....names import environment_in_name, service_name, workload_name
from ...labels import LabelView
from .tables import CLUSTER_KINDS

_GKE_NODE = re.compile(r"^gke-(.+)-[0-9a-f]{8}-[a-z0-9]{4}$")  # gke-<cluster>-<pool>-…


def environment_of(namespace: str, labels: Mapping[str, str] | None = None,
                 node: str = "") -> str | None:
    """The environment label, else the one the namespace names, else the one the cluster
    in a GKE node name names."""
    env = LabelView(labels or {}, {"namespace": namespace}).environment()
    if env:
        return env
    gke = _GKE_NODE.match(node.lower())
    return environment_in_name(gke.group(1)) if gke else None


def object_service(kind: str, name: str) -> str | None:
    if not name or not kind or kind in CLUSTER_KINDS:
        return None
    return service_name(workload_name(name, kind))


# events --------------------------------------------------------------------------------------
