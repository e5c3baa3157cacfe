"""What the Kubernetes reasons, types and exit codes mean, and the words read in messages."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ....models import SourceSeverity

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
OOM_EXIT_CODE = 137
LIST_KINDS = {"List", "EventList", "PodList"}
EVENT_APIS = {"v1", "events.k8s.io/v1", "events.k8s.io/v1beta1"}
ROLLOUT_OWNERS = {"Deployment", "Rollout", "Canary"}
CLUSTER_KINDS = {"Node", "Namespace", "PersistentVolume"}
ROLLED_BY = {"Deployment": "rolling update of Deployment", "Rollout": "Argo rollout of",
              "Canary": "Flagger canary of"}
ROLLOUT_STARTS = {"RolloutUpdated", "NewReplicaSetCreated"}
NEVER = datetime.min.replace(tzinfo=timezone.utc)

# Flagger reports its canary steps as "Synced" events in words.
CANARY_STEP = re.compile(r"new revision detected|starting canary analysis|canary weight \d|"
                          r"advance .{1,80} canary|copying .{1,80} template|"
                          r"routing all traffic to primary|promotion completed", re.I)
ROLLBACK_WORDS = re.compile(r"\brolled back\b|\brolling back\b|\broll ?back\b|"
                             r"\bcanary failed\b|\babort(?:ed|ing)?\b", re.I)
REVISION = re.compile(r"\brevision:? #?(\d+)\b", re.I)
# "Scaled up replica set web-7d9f to 3 from 1", "Scaled down ReplicaSet web-7d9f
# (revision 4) from 2 to 0"
SCALED = re.compile(r"scaled (up|down) replica ?set (\S+)(?: \(revision \d+\))? "
                     r"(?:to (\d+)(?: from (\d+))?|from (\d+) to (\d+))", re.I)
IMAGE = re.compile(r"image \"([^\"]+)\"", re.I)
CONTAINER_IN_MESSAGE = re.compile(r"failed container[= ](\S+?)(?: in pod|\s|$)", re.I)
FIELD_CONTAINER = re.compile(r"containers\{([^}]+)\}")
