"""Service, workload and region names in one form, whatever the source.

Shared by ingest, the engine and the catalog, so it lives above none of them.

* ``service_key("acme/checkout")``, ``"Checkout API"``, ``"checkout-service"`` and
  ``"checkout"`` are all ``"checkout"``: the identity used to link a deploy to alerts.
* ``service_name`` keeps a readable display form (``"checkout-service"``).
* ``canonical_region`` maps provider display names and zones to region ids:
  ``"US East (N. Virginia)"`` → ``us-east-1``, ``"us-east-1a"`` → ``us-east-1``.
* ``workload_name`` drops the generated suffixes of Kubernetes pod and ReplicaSet names.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SUFFIXES = (
    "service",
    "svc",
    "api",
    "server",
    "app",
    "backend",
    "web",
    "worker",
    "prod",
    "production",
    "deployment",
    "deploy",
    # load balancers, target groups and functions named after their service
    "alb",
    "elb",
    "nlb",
    "lb",
    "tg",
    "lambda",
    "function",
    "fn",
)
_SEPARATORS = re.compile(r"[\s_.:]+")
_NON_NAME = re.compile(r"[^a-z0-9-]+")


@lru_cache(maxsize=4096)
def service_name(raw: str | None) -> str | None:
    """Display form: lower case, org/namespace prefix dropped, spaces → dashes."""
    if raw is None:
        return None
    text = str(raw).strip().lower()
    if not text:
        return None
    if "/" in text:  # "acme/checkout", "default/checkout-7d9f"
        text = text.rsplit("/", 1)[-1]
    text = _SEPARATORS.sub("-", text)
    text = _NON_NAME.sub("", text).strip("-")
    text = re.sub(r"-{2,}", "-", text)
    return text or None


@lru_cache(maxsize=4096)
def service_key(raw: str | None) -> str | None:
    """Identity form: the display form without generic suffixes such as ``-service``."""
    name = service_name(raw)
    if name is None:
        return None
    parts = name.split("-")
    while len(parts) > 1 and parts[-1] in _SUFFIXES:
        parts.pop()
    return "-".join(parts)


# Kubernetes generates the random pod suffix (5 characters) and the ReplicaSet
# pod-template hash (6-10 characters) from an alphabet without vowels (and without 0, 1,
# 3). Names written by hand in runbooks, tests and alerts use any letter or digit, so a
# token also counts as generated when it mixes in digits (``a1b2c``, ``7c6d5f8b9``), but
# never when it reads as a word (``web-abcde``, ``api-oauth2``).
_K8S_ALNUM = frozenset("bcdfghjklmnpqrstvwxz2456789")
_WITH_HASH = re.compile(r"^(.+)-([a-z0-9]{6,10})-([a-z0-9]{5})$")  # Deployment, CronJob pods
_WITH_SUFFIX = re.compile(r"^(.+)-([a-z0-9]{5})$")  # DaemonSet and Job pods
_WITH_ORDINAL = re.compile(r"^(.+)-\d{1,4}$")  # StatefulSet pods, indexed Job pods
_WITH_TAIL_HASH = re.compile(r"^(.+)-([a-z0-9]{6,10})$")  # ReplicaSets, CronJob Jobs
# an Argo Rollouts AnalysisRun or Experiment: rollout, pod-template hash, revision, and
# the step index or the pre/post-promotion phase
_ANALYSIS_RUN = re.compile(r"^(.+)-([a-z0-9]{6,10})-\d{1,6}(?:-(?:\d{1,3}|pre|post))?$")
# a role that a progressive-delivery tool appends to the workload's own name
_ROLE_SUFFIX = re.compile(r"^(.+?)-canary$")


def _generated(token: str, *, hashed: bool) -> bool:
    """A token that Kubernetes generated (or that a person wrote in its image): letters of
    the generated alphabet only, or digits mixed in (two for a hash, one for a suffix)."""
    if set(token) <= _K8S_ALNUM:
        return True
    return sum(c.isdigit() for c in token) >= (2 if hashed else 1)


def _pod_workload(name: str) -> str:
    match = _WITH_HASH.match(name)
    if match and _generated(match.group(2), hashed=True):
        return match.group(1)
    match = _WITH_SUFFIX.match(name)
    if match and _generated(match.group(2), hashed=False):
        base = match.group(1)
        ordinal = _WITH_ORDINAL.match(base)  # an indexed Job's pod: job-<index>-<suffix>
        return ordinal.group(1) if ordinal else base
    match = _WITH_ORDINAL.match(name)
    return match.group(1) if match else name


def _strip_hash(name: str) -> str:
    match = _WITH_TAIL_HASH.match(name)
    return match.group(1) if match and _generated(match.group(2), hashed=True) else name


def workload_name(name: str | None, kind: str = "Pod") -> str | None:
    """The workload behind a generated Kubernetes name.

    * a Deployment's pod ``checkout-7d9f8b6c5d-x2x9k`` (or a hand-written
      ``api-7c6d5f8b9-abcde``) and its ReplicaSet ``checkout-7d9f8b6c5d`` → ``checkout``;
    * a StatefulSet's pod ``redis-0`` → ``redis``; a DaemonSet's pod ``fluentd-b7rwq`` →
      ``fluentd``; a CronJob's Job ``report-28114560`` and its pod
      ``report-28114560-x2x9k`` → ``report``;
    * an Argo Rollouts AnalysisRun ``pricing-api-7c9d8b6f4-23`` (pod-template hash and
      revision, maybe a step) → ``pricing-api``;
    * a canary's own name ``checkout-canary`` → ``checkout``.

    Deployments, StatefulSets, Rollouts, Services and other kinds keep their name.
    """
    if not name:
        return None
    text = str(name).strip().lower()
    kind = kind.lower()
    if kind == "pod":
        text = _pod_workload(text)
    elif kind in {"replicaset", "job", "controllerrevision"}:
        text = _strip_hash(text)
    elif kind in {"analysisrun", "experiment"}:
        match = _ANALYSIS_RUN.match(text)
        text = match.group(1) if match and _generated(match.group(2), hashed=True) \
            else _strip_hash(text)
    role = _ROLE_SUFFIX.match(text)
    if role:
        text = role.group(1)
    return text or None


_EC2_HOST = re.compile(r"\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.compute\.internal$")


def region_from_host(host: str | None) -> str | None:
    """The AWS region in an EC2 private host name (``ip-10-0-1-5.eu-west-1.compute.internal``,
    or ``*.ec2.internal`` for us-east-1), as EKS node names carry it."""
    if not host:
        return None
    text = str(host).strip().lower()
    if text.endswith(".ec2.internal"):
        return "us-east-1"
    match = _EC2_HOST.search(text)
    return match.group(1) if match else None


# AWS display names (as CloudWatch alarms delivered through SNS carry them).
_AWS_DISPLAY = {
    "us east (n. virginia)": "us-east-1",
    "us east (ohio)": "us-east-2",
    "us west (n. california)": "us-west-1",
    "us west (oregon)": "us-west-2",
    "africa (cape town)": "af-south-1",
    "asia pacific (hong kong)": "ap-east-1",
    "asia pacific (hyderabad)": "ap-south-2",
    "asia pacific (jakarta)": "ap-southeast-3",
    "asia pacific (malaysia)": "ap-southeast-5",
    "asia pacific (melbourne)": "ap-southeast-4",
    "asia pacific (mumbai)": "ap-south-1",
    "asia pacific (osaka)": "ap-northeast-3",
    "asia pacific (seoul)": "ap-northeast-2",
    "asia pacific (singapore)": "ap-southeast-1",
    "asia pacific (sydney)": "ap-southeast-2",
    "asia pacific (thailand)": "ap-southeast-7",
    "asia pacific (tokyo)": "ap-northeast-1",
    "canada (central)": "ca-central-1",
    "canada west (calgary)": "ca-west-1",
    "europe (frankfurt)": "eu-central-1",
    "europe (ireland)": "eu-west-1",
    "europe (london)": "eu-west-2",
    "europe (milan)": "eu-south-1",
    "europe (paris)": "eu-west-3",
    "europe (spain)": "eu-south-2",
    "europe (stockholm)": "eu-north-1",
    "europe (zurich)": "eu-central-2",
    "israel (tel aviv)": "il-central-1",
    "mexico (central)": "mx-central-1",
    "middle east (bahrain)": "me-south-1",
    "middle east (uae)": "me-central-1",
    "south america (sao paulo)": "sa-east-1",
    "south america (são paulo)": "sa-east-1",
    "aws govcloud (us-east)": "us-gov-east-1",
    "aws govcloud (us-west)": "us-gov-west-1",
    "eu (frankfurt)": "eu-central-1",
    "eu (ireland)": "eu-west-1",
    "eu (london)": "eu-west-2",
    "eu (paris)": "eu-west-3",
    "eu (stockholm)": "eu-north-1",
    "eu (milan)": "eu-south-1",
    # Older SNS/console forms ("US - N. Virginia", "EU - Ireland") are rewritten to
    # "us (n. virginia)" / "eu (ireland)" before the lookup.
    "us (n. virginia)": "us-east-1",
    "us standard": "us-east-1",
    "us (ohio)": "us-east-2",
    "us (oregon)": "us-west-2",
    "us (n. california)": "us-west-1",
    "asia pacific (taipei)": "ap-east-2",
    "asia pacific (new zealand)": "ap-southeast-6",
    "china (beijing)": "cn-north-1",
    "china (ningxia)": "cn-northwest-1",
    "aws govcloud (us)": "us-gov-west-1",
}
# Azure display names → region ids ("East US" → eastus).
_AZURE_DISPLAY = {
    "east us": "eastus",
    "east us 2": "eastus2",
    "central us": "centralus",
    "north central us": "northcentralus",
    "south central us": "southcentralus",
    "west central us": "westcentralus",
    "west us": "westus",
    "west us 2": "westus2",
    "west us 3": "westus3",
    "canada central": "canadacentral",
    "north europe": "northeurope",
    "west europe": "westeurope",
    "uk south": "uksouth",
    "uk west": "ukwest",
    "france central": "francecentral",
    "germany west central": "germanywestcentral",
    "sweden central": "swedencentral",
    "switzerland north": "switzerlandnorth",
    "southeast asia": "southeastasia",
    "east asia": "eastasia",
    "japan east": "japaneast",
    "japan west": "japanwest",
    "korea central": "koreacentral",
    "central india": "centralindia",
    "australia east": "australiaeast",
    "brazil south": "brazilsouth",
}
# AWS availability-zone ids ("use1-az4") name their region by a short prefix.
_AWS_AZ_ID_PREFIX = {
    "use1": "us-east-1",
    "use2": "us-east-2",
    "usw1": "us-west-1",
    "usw2": "us-west-2",
    "cac1": "ca-central-1",
    "euw1": "eu-west-1",
    "euw2": "eu-west-2",
    "euw3": "eu-west-3",
    "euc1": "eu-central-1",
    "eun1": "eu-north-1",
    "eus1": "eu-south-1",
    "aps1": "ap-south-1",
    "apse1": "ap-southeast-1",
    "apse2": "ap-southeast-2",
    "apne1": "ap-northeast-1",
    "apne2": "ap-northeast-2",
    "apne3": "ap-northeast-3",
    "sae1": "sa-east-1",
}
_DASHED_DISPLAY = re.compile(r"^([a-z][a-z ]*?) - (.+)$")  # "eu - ireland"
_AWS_REGION = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d)([a-z])?$")
_AWS_AZ_ID = re.compile(r"^([a-z]{3,4}\d)-az\d+$")  # "use1-az1": an AZ id
_GCP_REGION = re.compile(r"^([a-z]+-[a-z]+\d)(?:-([a-z]))?$")


@lru_cache(maxsize=4096)
def canonical_region(raw: str | None) -> tuple[str | None, str | None]:
    """``(region, zone)`` for a region or zone name from any source."""
    if raw is None:
        return None, None
    text = str(raw).strip()
    if not text:
        return None, None
    lowered = " ".join(text.lower().split())
    dashed = _DASHED_DISPLAY.match(lowered)
    if dashed:  # the older "EU - Ireland" form
        lowered = f"{dashed.group(1)} ({dashed.group(2)})"
    if lowered in _AWS_DISPLAY:
        return _AWS_DISPLAY[lowered], None
    if lowered in _AZURE_DISPLAY:
        return _AZURE_DISPLAY[lowered], None
    compact = lowered.replace("_", "-").replace(" ", "-")
    match = _AWS_REGION.match(compact)
    if match:
        region = match.group(1)
        return region, (compact if match.group(2) else None)
    match = _AWS_AZ_ID.match(compact)
    if match:
        return _AWS_AZ_ID_PREFIX.get(match.group(1)), compact
    match = _GCP_REGION.match(compact)
    if match:
        region = match.group(1)
        return region, (compact if match.group(2) else None)
    return compact, None


# The words of namespace and cluster names that name an environment, and the environment
# each one names. Only environments the engine knows as such: a name with "nonprod" or
# "perf" names none here and is left to the engine's reading of names.
ENVIRONMENT_WORDS: dict[str, str] = {
    "prod": "production", "production": "production", "prd": "production",
    "staging": "staging", "stage": "staging", "stg": "staging",
    "dev": "dev", "development": "dev",
    "qa": "qa", "test": "test", "testing": "test", "uat": "uat", "sandbox": "sandbox",
    "preprod": "preprod",
}
# a name can hold a word of ENVIRONMENT_WORDS only where it holds one of these (the
# words, but those that hold a shorter one: "testing" is found wherever "test" is)
_ENVIRONMENT_NEEDLES = tuple(
    word for word in sorted(ENVIRONMENT_WORDS, key=len)
    if not any(other in word for other in ENVIRONMENT_WORDS if len(other) < len(word)))
_NAME_WORD = re.compile(r"[a-z0-9]+")
_JOINED_PREFIX = re.compile(r"\b(pre|non)[-_ ]prod")  # "pre-prod" is one word, not "prod"


def environment_in_name(name: str | None) -> str | None:
    """The environment that a namespace or cluster name names by one of its words:
    ``shop-prod``, ``prod-euc1`` → ``production``; ``identity-stg`` → ``staging``;
    ``dev-payments`` → ``dev``; ``uat-eu1`` → ``uat``. None when no word names one
    (``shop``, ``products``, ``devices``), or when words name two (``prod-test``).
    """
    if not name:
        return None
    text = str(name).lower()
    for needle in _ENVIRONMENT_NEEDLES:
        if needle in text:
            break
    else:  # most names hold no environment word at all: no word to look up
        return None
    text = _JOINED_PREFIX.sub(r"\1prod", text)
    found = {ENVIRONMENT_WORDS.get(word.rstrip("0123456789")) for word in _NAME_WORD.findall(text)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None
