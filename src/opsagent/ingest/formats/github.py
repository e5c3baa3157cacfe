"""GitHub ``deployment_status`` and ``deployment`` webhooks → CHANGE signals (deploys).

* ``deployment_status`` (``deployment_status.state`` + ``deployment`` + ``repository``):
  ``succeeded`` is True for ``success``, False for ``failure``/``error``, unknown for
  ``pending``/``queued``/``in_progress``/``inactive`` (see :data:`STATE`); ``at`` is the
  status' ``created_at`` for a finished deploy (when it went live or failed), else the
  deployment's ``created_at``;
* ``deployment`` (``action: created``): a deploy that has started (``succeeded``
  unknown), at the deployment's ``created_at``.

``service``: ``deployment.payload.service`` (or ``app``) when the deploy names one
(monorepos), else ``repository.name`` (``acme/checkout-service`` → ``checkout-service``,
which the assembly unifies with alerts about ``checkout``). ``environment``: the
deployment's environment, lower case. ``version``: ``ref`` when it is a tag-like version
(``v1.4.2``, ``2024.06.1``), else the short ``sha``; the full sha and the ref are kept as
labels. A ``task`` or description mentioning rollback/revert makes it a ROLLBACK.
``region``: ``deployment.payload.region`` when present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...errors import InputError
from ...models import ChangeDetails, ChangeType, Signal, SignalKind
from ...names import canonical_region, service_name
from ..base import ParseContext
from ..fields import Path, choice, obj, req_obj, text, time, user_errors_only

# deployment_status.state → succeeded (None: not finished, or superseded).
STATE: dict[str, bool | None] = {
    "success": True,
    "failure": False,
    "error": False,
    "pending": None,
    "queued": None,
    "in_progress": None,
    "inactive": None,
}
_FINISHED = {"success", "failure", "error"}
_VERSION_REF = re.compile(r"^(?:refs/tags/)?v?\d+(?:[.\-]\w+)*$")
# keys that name the event of a GitHub webhook delivery (its body has no event name)
_OTHER_EVENTS = {"pull_request": "pull_request", "workflow_run": "workflow_run",
                 "workflow_job": "workflow_job", "check_run": "check_run",
                 "check_suite": "check_suite", "release": "release", "issue": "issues",
                 "commits": "push", "ref_type": "create"}
_ROLLBACK = re.compile(r"rollback|roll back|revert", re.IGNORECASE)


class GitHubDeploymentAdapter:
    name = "github"
    title = "GitHub deployment / deployment_status webhook"
    detects = 'deployment + repository (+ deployment_status)'

    def detect(self, doc: Mapping[str, Any]) -> bool:
        deployment = doc.get("deployment")
        if not isinstance(deployment, Mapping) or not isinstance(doc.get("repository"), Mapping):
            return False
        if isinstance(doc.get("deployment_status"), Mapping):
            return True
        return "sha" in deployment or "ref" in deployment

    def unsupported(self, doc: Mapping[str, Any]) -> str | None:
        """A GitHub webhook of another event (``pull_request``, ``push``, ``workflow_run``)."""
        if not (isinstance(doc.get("repository"), Mapping)
                and isinstance(doc.get("sender"), Mapping)):
            return None
        event = next((name for key, name in _OTHER_EVENTS.items() if key in doc), "event")
        return (f"a GitHub {event} webhook; supported: deployment and deployment_status "
                "webhooks")

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        deployment = req_obj(doc, "deployment")
        dep_path: Path = ("deployment",)
        repository = req_obj(doc, "repository")
        status = obj(doc, "deployment_status")
        status_path: Path = ("deployment_status",)
        state = text(status, "state", status_path).lower() if status else ""
        if status and state not in STATE:
            choice(STATE, state, "deployment_status.state", ctx, None)
            state = ""
        payload = deployment.get("payload")
        payload = payload if isinstance(payload, Mapping) else {}
        repo_name = text(repository, "name", ("repository",))
        full_name = text(repository, "full_name", ("repository",))
        named = text(payload, "service", (*dep_path, "payload")) or text(
            payload, "app", (*dep_path, "payload"))
        service = service_name(named or repo_name or full_name)
        if service is None:
            raise InputError("missing; expected the repository's name",
                             field="repository.name")
        sha = text(deployment, "sha", dep_path)
        ref = text(deployment, "ref", dep_path)
        version = ref if ref and _VERSION_REF.match(ref) else (sha[:7] if sha else ref)
        version = version.removeprefix("refs/tags/") if version else version
        environment = (text(status, "environment", status_path) if status else "") or text(
            deployment, "environment", dep_path)
        description = text(status, "description", status_path) if status else ""
        description = description or text(deployment, "description", dep_path)
        task = text(deployment, "task", dep_path)
        rollback = bool(_ROLLBACK.search(f"{task} {description}"))
        created = time(deployment, "created_at", dep_path, ctx)
        finished = time(status, "created_at", status_path, ctx) if status else None
        at = finished if state in _FINISHED and finished else created or finished
        creator = obj(deployment, "creator", dep_path)
        author = text(creator, "login", (*dep_path, "creator")) or text(
            obj(doc, "sender"), "login", ("sender",))
        region_raw = text(payload, "region", (*dep_path, "payload"))
        region, zone = canonical_region(region_raw) if region_raw else (None, None)
        succeeded = STATE.get(state) if state else None
        outcome = None if succeeded is None else ("succeeded" if succeeded else "failed")
        words = (
            f"{'rollback' if rollback else 'deploy'} of {full_name or repo_name} {version}"
            f"{f' ({ref})' if ref and ref != version else ''}"
            f"{f' to {environment}' if environment else ''}"
            f"{': ' + (outcome or state.replace('_', ' ')) if state else ' started'}"
        )
        labels = {k: v for k, v in (("repository", full_name), ("sha", sha), ("ref", ref),
                                    ("state", state), ("task", task)) if v}
        for key, label in (("log_url", "log_url"), ("target_url", "target_url"),
                           ("environment_url", "environment_url")):
            value = text(status, key, status_path) if status else ""
            if value:
                labels[label] = value
        return [
            Signal(
                kind=SignalKind.CHANGE,
                source="github",
                name="rollback" if rollback else "deploy",
                text=f"{words}. {description}".strip() if description else words,
                service=service,
                region=region,
                zone=zone,
                environment=environment.lower() or None,
                at=at,
                change=ChangeDetails(
                    type=ChangeType.ROLLBACK if rollback else ChangeType.DEPLOY,
                    version=version or None,
                    description=description or words,
                    author=author or None,
                    succeeded=succeeded,
                ),
                labels=labels,
                # One deployment, several statuses: the assembly keeps the latest.
                fingerprint=f"deployment:{text(deployment, 'id', dep_path)}"
                if text(deployment, "id", dep_path) else None,
                raw=dict(doc),
            )
        ]
