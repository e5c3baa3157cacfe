"""Kubernetes read as an SRE reads it: workloads, rollouts, environments and what the
warnings mean."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import opsagent
from opsagent.ingest import Document, build_incident
from opsagent.models import ChangeType, Incident, Level, Signal, SignalKind, SourceSeverity

from .conftest import load

NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)


def incident(*docs: Any) -> Incident:
    return build_incident([Document(doc, "<test>") for doc in docs], now=NOW)


def event(reason: str, message: str, *, kind: str = "Pod", name: str = "web-7d9f8b6c5d-x2x9k",
          namespace: str = "shop", warning: bool = True, at: str = "2024-10-01T10:00:00Z",
          **extra: Any) -> dict[str, Any]:
    """A core/v1 Event as ``kubectl get events -o json`` prints it."""
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{name}.17c9", "namespace": namespace,
                         "uid": f"uid-{reason}-{name}-{at}"},
            "involvedObject": {"kind": kind, "namespace": namespace, "name": name},
            "reason": reason, "message": message, "type": "Warning" if warning else "Normal",
            "firstTimestamp": at, "lastTimestamp": at, "count": 1, **extra}


def event_list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "EventList", "items": list(items)}


def changes(inc: Incident) -> list[Signal]:
    return inc.of_kind(SignalKind.CHANGE)


def change_types(inc: Incident) -> list[ChangeType]:
    return [s.change.type for s in changes(inc) if s.change is not None]


def texts(inc: Incident, kind: SignalKind = SignalKind.ALERT) -> list[str]:
    return [s.text for s in inc.of_kind(kind)]


# ---------------------------------------------------------------- workloads, not pods
def test_a_workload_and_its_pods_are_one_service() -> None:
    inc = incident(event_list(
        event("BackOff", "Back-off restarting failed container cart",
              name="cart-api-6f9c8d7b5-bp3zw"),
        event("Unhealthy", "Readiness probe failed", name="cart-api-6f9c8d7b5-x5vj1"),
        event("SuccessfulRescale", "New size: 6", kind="HorizontalPodAutoscaler",
              name="cart-api", warning=False),
        event("FailedCreate", "Error creating: pods is forbidden", kind="ReplicaSet",
              name="cart-api-6f9c8d7b5"),
    ))
    assert inc.services == ["cart-api"]
    assert {s.service for s in inc.signals} == {"cart-api"}


def test_an_analysis_run_belongs_to_its_rollout() -> None:
    inc = incident(load("kubernetes/rollout_argo_aborted"))
    assert inc.services == ["checkout-api"]
    (failed,) = inc.of_kind(SignalKind.ALERT)
    assert failed.name == "AnalysisRunFailed" and failed.service == "checkout-api"


# ---------------------------------------------------------------- rollouts are deploys
def test_an_aborted_argo_canary_is_a_deploy_then_a_rollback() -> None:
    inc = incident(load("kubernetes/rollout_argo_aborted"))
    deploy, rollback = changes(inc)
    assert deploy.change is not None and rollback.change is not None
    assert deploy.change.type is ChangeType.DEPLOY
    assert deploy.change.version == "revision 41"
    assert deploy.at == datetime(2024, 10, 8, 14, 2, 11, 204118, tzinfo=timezone.utc)
    assert "Set weight to 20" in deploy.text  # the steps are the deploy, not log lines
    assert rollback.change.type is ChangeType.ROLLBACK
    assert "aborted update to revision 41" in rollback.text and "Set weight to 0" in rollback.text
    assert not any(s.name in {"SetWeight", "RolloutStepCompleted", "ScalingReplicaSet"}
                   for s in inc.signals)


def test_a_canary_that_rolled_itself_back_gets_no_rollback() -> None:
    report = opsagent.analyze(load("kubernetes/rollout_argo_aborted"), now=NOW)
    assert report.severity.level is Level.LOW
    assert not any("roll back" in a.title.lower() for a in report.actions)


def test_a_failed_analysis_without_an_abort_event_is_the_rollback_argo_makes() -> None:
    doc = load("kubernetes/rollout_argo_aborted")
    doc["items"] = [e for e in doc["items"] if e["reason"] != "RolloutAborted"]
    inc = incident(doc)
    assert change_types(inc) == [ChangeType.DEPLOY, ChangeType.ROLLBACK]
    rollback = changes(inc)[1]
    assert "AnalysisRun checkout-api-6d8f7b9c4-41-2 failed" in rollback.text
    assert [s.name for s in inc.of_kind(SignalKind.ALERT)] == ["AnalysisRunFailed"]


def test_a_rolling_update_of_a_deployment_is_one_deploy() -> None:
    inc = incident(load("kubernetes/deployment_rolling_update"))
    (deploy,) = changes(inc)
    assert deploy.change is not None
    assert deploy.change.type is ChangeType.DEPLOY
    assert deploy.change.version == "3.8.1"  # the image tag of the new replica set's pods
    assert deploy.change.succeeded is True  # the old replica set is down to 0
    assert "storefront-84d9c6b7f replaces storefront-5f6c8d7b9" in deploy.text
    assert deploy.service == "storefront" and deploy.environment == "production"
    assert not inc.of_kind(SignalKind.ALERT)


def test_a_healthy_rolling_update_is_low_with_no_rollback_or_restart() -> None:
    report = opsagent.analyze(load("kubernetes/deployment_rolling_update"), now=NOW)
    assert report.severity.level is Level.LOW
    assert report.incident.services == ["storefront"]
    titles = " ".join(a.title.lower() for a in report.actions)
    assert "roll back" not in titles and "restart" not in titles


def test_scaling_without_a_new_replica_set_is_a_scaling_change() -> None:
    inc = incident(load("kubernetes/hpa_pending_pods"))
    assert change_types(inc) == [ChangeType.SCALE, ChangeType.SCALE]


def test_events_of_one_rollout_sent_alone_are_changes_of_their_own() -> None:
    updated = event("RolloutUpdated", "Rollout updated to revision 7", kind="Rollout",
                    name="pricing-api", warning=False)
    aborted = event("RolloutAborted", "Rollout aborted update to revision 7", kind="Rollout",
                    name="pricing-api", at="2024-10-01T10:05:00Z")
    rescale = event("ScalingReplicaSet", "Scaled up replica set pricing-api-7c9d8b6f4 to 4 "
                    "from 0", kind="Deployment", name="pricing-api", warning=False)
    inc = incident(updated, aborted, rescale)  # three documents: nothing pairs them
    assert change_types(inc) == [ChangeType.DEPLOY, ChangeType.ROLLBACK, ChangeType.SCALE]
    assert changes(inc)[0].change.version == "revision 7"  # type: ignore[union-attr]
    assert not inc.of_kind(SignalKind.ALERT)


def test_a_flagger_canary_is_a_deploy_then_a_rollback() -> None:
    canary = {"kind": "Canary", "name": "podinfo", "namespace": "test",
              "apiVersion": "flagger.app/v1beta1"}
    steps = [("Normal", "New revision detected! Scaling up podinfo.test", "10:00"),
             ("Normal", "Advance podinfo.test canary weight 10", "10:01"),
             ("Warning", "Rolling back podinfo.test failed checks threshold reached 5", "10:06"),
             ("Warning", "Canary failed! Scaling down podinfo.test", "10:06")]
    inc = incident(event_list(*(
        {**event("Synced", message, warning=kind == "Warning", at=f"2024-10-01T{at}:00Z"),
         "involvedObject": canary} for kind, message, at in steps)))
    assert change_types(inc) == [ChangeType.DEPLOY, ChangeType.ROLLBACK]
    assert {s.service for s in inc.signals} == {"podinfo"}


def test_a_rollback_of_a_deployment_is_a_rollback() -> None:
    inc = incident(event("DeploymentRollback", 'Rolled back deployment "web" to revision 3',
                         kind="Deployment", name="web", warning=False))
    assert change_types(inc) == [ChangeType.ROLLBACK]


# ---------------------------------------------------------------- environments
def test_a_namespace_or_cluster_names_the_environment() -> None:
    assert incident(load("kubernetes/deployment_rolling_update")).environments == ["production"]
    assert incident(load("kubernetes/hpa_pending_pods")).environments == ["dev"]
    assert incident(load("kubernetes/events_and_pods_crashloop")).environments == ["staging"]
    gke = event("BackOff", "Back-off restarting failed container web", namespace="web",
                source={"component": "kubelet",
                        "host": "gke-shop-staging-pool-b-3c9e71d0-w2kf"})
    assert incident(gke).environments == ["staging"]  # the cluster in a GKE node name
    assert incident(event("BackOff", "Back-off", namespace="shop")).environments == []


# ---------------------------------------------------------------- what warnings mean
def test_a_crash_loop_carries_the_last_exit_code_from_the_pod() -> None:
    inc = incident(load("kubernetes/events_and_pods_crashloop"))
    backoffs = {s.labels["object"]: s.text for s in inc.of_kind(SignalKind.ALERT)
                if s.name == "BackOff"}
    oom = backoffs["orders-api-9c7d5b8f6-m8q2x"]
    assert "CrashLoopBackOff" in oom and "last terminated: OOMKilled (exit code 137" in oom
    assert "out of memory" in oom and "restarted 6 times" in oom
    error = backoffs["orders-api-9c7d5b8f6-t3v9b"]
    assert "Error (exit code 1: the application exited with an error)" in error
    assert "panic: runtime error: invalid memory address" in error  # its first line
    assert "out of memory" not in error


def test_pods_report_their_restarts_and_reasons() -> None:
    inc = incident(load("kubernetes/events_and_pods_crashloop"))
    restarts = sorted(s.value or 0 for s in inc.of_kind(SignalKind.METRIC)
                      if s.name == "restarts")
    assert restarts == [6.0, 9.0]
    names = [s.name for s in inc.of_kind(SignalKind.ALERT) if s.labels.get("pod")]
    assert sorted(names) == ["CrashLoopBackOff", "CrashLoopBackOff", "OOMKilled"]


def test_a_healthy_pod_list_is_no_problem() -> None:
    inc = incident(load("kubernetes/pod_list_healthy"))
    assert {s.kind for s in inc.signals} == {SignalKind.STATUS}
    assert {s.severity for s in inc.signals} == {SourceSeverity.INFO}
    assert inc.services == ["ledger", "ledger-db"]
    assert opsagent.analyze(load("kubernetes/pod_list_healthy"),
                            now=NOW).severity.level is Level.LOW


def test_normal_events_stay_informational() -> None:
    inc = incident(load("kubernetes/deployment_rolling_update"))
    logs = inc.of_kind(SignalKind.LOG)
    assert logs and {s.name for s in logs} == {"Killing"}
    assert {s.severity for s in logs} == {SourceSeverity.INFO}


def test_image_pull_failures_say_why() -> None:
    def pulled(message: str) -> str:
        return texts(incident(event("Failed", f'Failed to pull image "r.example/cart:5": '
                                              f"{message}")))[0]
    assert pulled("failed to authorize: failed to fetch oauth token: 401 Unauthorized") \
        .endswith("the registry refused the pull credentials (the pull secret or token)")
    assert pulled("429 Too Many Requests - Server message: toomanyrequests") \
        .endswith("the registry limits the rate of pulls")
    assert pulled("rpc error: code = NotFound desc = manifest unknown") \
        .endswith("the image reference does not exist in the registry (its name or tag)")
    assert pulled("dial tcp: lookup r.example: no such host") \
        .endswith("the node cannot reach the registry")
    invalid = texts(incident(event("Failed", "Error: InvalidImageName")))[0]
    assert invalid.endswith("the image reference is not a valid image name")
    back_off = texts(incident(event("BackOff", 'Back-off pulling image "r.example/cart:5"',
                                    warning=False)), SignalKind.LOG)[0]
    assert back_off.endswith("the image cannot be pulled")


def test_unschedulable_pods_say_what_is_short_and_where() -> None:
    inc = incident(load("kubernetes/hpa_pending_pods"))
    text = next(s.text for s in inc.of_kind(SignalKind.ALERT) if s.name == "FailedScheduling")
    assert "unschedulable: the pod stays pending, 0 of 9 nodes can run it" in text
    for part in ("3 nodes without enough free cpu for the pod's requests",
                 "2 nodes without enough free memory", "2 nodes at their pod limit",
                 "2 nodes not ready"):
        assert part in text
    gpu = texts(incident(event(
        "FailedScheduling", "0/14 nodes are available: 4 Insufficient nvidia.com/gpu, 10 "
        "node(s) had untolerated taint {dedicated: ingest}. preemption: 0/14 nodes are "
        "available: 14 Preemption is not helpful for scheduling.")))[0]
    assert "4 nodes without a free GPU (nvidia.com/gpu)" in gpu
    assert "10 nodes with a taint the pod does not tolerate ({dedicated: ingest})" in gpu
    assert "Preemption is not helpful" not in gpu.split("; ", 1)[1]
    scale_up = next(s.text for s in inc.of_kind(SignalKind.LOG) if s.name == "NotTriggerScaleUp")
    assert scale_up.endswith("its node group is at its maximum size")


def test_evictions_and_nodes_name_the_pressure() -> None:
    inc = incident(load("kubernetes/node_pressure_events"))
    by_reason = {s.name: s for s in inc.signals}
    assert by_reason["Evicted"].text.endswith("the node is under memory pressure")
    assert by_reason["EvictionThresholdMet"].text.endswith(
        "to reclaim memory (the node is under memory pressure)")
    assert by_reason["NodeHasInsufficientMemory"].severity is SourceSeverity.ERROR
    assert by_reason["NodeHasSufficientMemory"].severity is SourceSeverity.INFO  # recovered
    node, pod = (s for s in inc.signals if s.name == "NodeNotReady")
    assert node.service is None and node.text.endswith("the node is not ready (its kubelet "
                                                       "stopped reporting)")
    assert pod.service == "billing-worker" and pod.text.endswith("the pod's node is not ready")
    disk = texts(incident(event("Evicted", "The node was low on resource: ephemeral-storage. "
                                "Container recs was using 14213588Ki, request is 0.")))[0]
    assert disk.endswith("the node is under disk pressure (ephemeral-storage)")


def test_a_full_resource_quota_says_so() -> None:
    text = texts(incident(event(
        "FailedCreate", 'Error creating: pods "reports-29635320-k7m2q" is forbidden: exceeded '
        "quota: reports-compute, requested: limits.memory=8Gi, used: limits.memory=60Gi, "
        "limited: limits.memory=64Gi", kind="Job", name="reports-29635320")))[0]
    assert text.endswith("the namespace's ResourceQuota reports-compute has no room left for "
                         "the pod (limits.memory 60Gi of 64Gi used, 8Gi more requested)")


# ---------------------------------------------------------------- events.k8s.io/v1
def test_new_api_events_and_list_wrappers_read_like_core_ones() -> None:
    core = event("BackOff", "Back-off restarting failed container web", count=12)
    new = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
           "metadata": {"name": "web.17c9", "namespace": "shop", "uid": "uid-new"},
           "eventTime": "2024-10-01T10:00:00.000000Z",
           "series": {"count": 12, "lastObservedTime": "2024-10-01T10:20:00.000000Z"},
           "reason": "BackOff", "note": "Back-off restarting failed container web",
           "type": "Warning", "regarding": {"kind": "Pod", "namespace": "shop",
                                            "name": "web-7d9f8b6c5d-x2x9k"},
           "deprecatedCount": 0}
    for wrapped in (new, {"apiVersion": "v1", "kind": "List", "items": [new]},
                    {"apiVersion": "events.k8s.io/v1", "kind": "EventList", "items": [new]}):
        (alert,) = incident(wrapped).of_kind(SignalKind.ALERT)
        (expected,) = incident(core).of_kind(SignalKind.ALERT)
        assert (alert.name, alert.service, alert.count, alert.at, alert.severity) == (
            expected.name, expected.service, expected.count, expected.at, expected.severity)
        assert alert.labels["last_seen"] == "2024-10-01T10:20:00+00:00"


def test_a_core_event_written_through_the_new_api_keeps_its_series() -> None:
    doc = event("BackOff", "Back-off restarting failed container web")
    doc.update(count=None, firstTimestamp=None, lastTimestamp=None,
               eventTime="2024-10-01T10:00:00.000000Z",
               series={"count": 9, "lastObservedTime": "2024-10-01T10:09:00.000000Z"})
    (alert,) = incident(doc).of_kind(SignalKind.ALERT)
    assert alert.count == 9 and alert.labels["last_seen"] == "2024-10-01T10:09:00+00:00"
