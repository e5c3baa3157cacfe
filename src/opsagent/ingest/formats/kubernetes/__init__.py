"""Kubernetes Events and Pods (``kubectl get events,pods -o json``): see
:mod:`.adapter` for what is read and how."""

from .adapter import KubernetesAdapter

__all__ = ["KubernetesAdapter"]
