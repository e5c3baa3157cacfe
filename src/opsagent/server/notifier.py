"""The service notifying: :class:`Planner` decides, for each new report revision, what
each target of ``notify:`` is to be told (``decide`` over what the outbox says it was
told), and the worker records that in the revision's transaction; :class:`Sender` threads
(in ``opsagent serve`` and ``opsagent worker``) claim the recorded notifications and send
them, rendered again from the stored revision, with retries, ``Retry-After`` and a lease.

A notification failure never fails a triage or a delivery: a target that cannot be
built (a missing ``${VAR}``, a render error) is recorded as failed, with why, and shows
in the incident and in ``/metrics``.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from ..errors import UserError
from ..models import TriageReport
from ..models.report import Level
from ..notify import notifier_for
from ..notify.delivery import RetryPolicy, resend
from ..notify.events import Event, Notified, decide
from ..notify.outbox import Entry
from ..notify.request import Request, mask_text
from ..notify.targets import Target
from ..registry import Registry
from ..store import NewNotification
from ..store.outbox import SqlOutbox, event_record, request_record
from .logs import JsonLog
from .metrics import Metrics

#: the environment variable of the kill test: the sender SIGKILLs its own process right
#: after claiming, between the record and the send
KILL_AFTER_CLAIM_ENV = "OPSAGENT_TEST_KILL_AFTER_CLAIM"
MAX_ATTEMPTS = 50  # a notification still failing after this many attempts is given up
BATCH = 4


@dataclass
class Notifying:
    """What the planner and the sender share: the outbox, the targets of ``notify:``, the
    registry that builds their notifiers, the environment their ``${VAR}``s come from."""

    outbox: SqlOutbox
    targets: list[Target]
    registry: Registry
    env: Mapping[str, str]
    log: JsonLog
    metrics: Metrics
    secrets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        found: list[str] = []
        for target in self.targets:
            try:
                found.extend(target.resolve(self.env).secrets())
            except UserError:
                continue
        self.secrets = tuple(found)

    def mask(self, text: str) -> str:
        return mask_text(text, self.secrets)


class Planner:
    """What each target is to be told about a new revision (called by the worker, which
    counts the rows in ``/metrics`` once they are committed)."""

    def __init__(self, parts: Notifying) -> None:
        self.parts = parts
        self.outbox = parts.outbox
        self.log = parts.log

    def __call__(self, incident: str, revision: int, report: TriageReport,
                 resolved: bool) -> list[NewNotification]:
        out: list[NewNotification] = []
        for target in self.parts.targets:
            try:
                planned = self._plan(target, incident, revision, report, resolved)
            except Exception as exc:  # never fail the triage; the outbox cannot be read
                self.log.event("notify_plan_failed", "error", target=target.name,
                               incident=incident, reason=self.parts.mask(str(exc)))
                continue
            if planned is not None:
                out.append(planned)
        return out

    def _plan(self, target: Target, incident: str, revision: int, report: TriageReport,
              resolved: bool) -> NewNotification | None:
        previous: Notified | None = self.outbox.last_notified(incident, target.name)
        why_not = target.when.why_not(report)
        event = decide(previous, revision=revision, level=report.severity.level,
                       resolved=resolved, routed=why_not is None,
                       updates_in_place=target.updates_in_place,
                       at=datetime.now(timezone.utc))
        if event is None:
            return None
        basis = previous.revision if previous is not None else 0

        def row(request: Request | None, status: str, error: str = "") -> NewNotification:
            return NewNotification(target.name, basis, event_record(event),
                                   report.severity.level.value, resolved,
                                   request_record(request) if request else None, status,
                                   error)

        try:
            built = target.resolve(self.parts.env)
            request = notifier_for(self.parts.registry, built).render(report, event)
        except Exception as exc:
            reason = exc.format() if isinstance(exc, UserError) else \
                f"cannot render: {type(exc).__name__}: {exc}"
            self.log.event("notify_failed", "warning", target=target.name,
                           incident=incident, revision=revision, reason=self.parts.mask(reason))
            return row(None, "failed", self.parts.mask(reason))
        return row(request, "dry_run" if target.dry_run else "pending")


class Sender:
    """Claims due notifications and sends them, until ``stop`` is set."""

    def __init__(self, parts: Notifying, *, lease_s: float, poll_interval_s: float,
                 name: str) -> None:
        self.parts = parts
        self.outbox = parts.outbox
        self.log = parts.log
        self.targets = {t.name: t for t in parts.targets}
        self.lease_s = lease_s
        self.poll_interval_s = poll_interval_s
        self.name = name
        self.kill_after_claim = parts.env.get(KILL_AFTER_CLAIM_ENV) == "1"

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                entries = self.outbox.claim(self.name, limit=BATCH, lease_s=self.lease_s,
                                            now=datetime.now(timezone.utc),
                                            targets=list(self.targets))
            except Exception as exc:
                self.log.event("notify_claim_failed", "error", sender=self.name,
                               reason=str(exc))
                stop.wait(self.poll_interval_s * 4)
                continue
            if not entries:
                stop.wait(self.poll_interval_s)
                continue
            if self.kill_after_claim:  # the kill test: claimed, recorded, never sent
                self.log.event("notify_test_kill", sender=self.name,
                               claimed=[e.id for e in entries])
                os.kill(os.getpid(), signal.SIGKILL)
            for entry in entries:
                try:
                    self.send(entry)
                except Exception as exc:  # the store went away: the lease lapses, retried
                    self.log.event("notify_send_failed", "error", sender=self.name,
                                   notification=entry.id, reason=self.parts.mask(str(exc)))

    def send(self, entry: Entry) -> str:
        """Send one claimed notification; its outcome (``sent`` or ``failed``)."""
        target = self.targets.get(entry.target)
        now = datetime.now(timezone.utc)
        if target is None:  # not claimed by this sender (another config's target)
            return self._give_up(entry, f"target {entry.target!r} is not in the config file")
        if target.dry_run:
            return self._give_up(entry, "the target is in dry run now (dry_run: false "
                                        "sends)")
        stored = self.outbox.report(entry.incident, entry.revision)
        if stored is None:
            return self._give_up(entry, f"report revision {entry.revision} is missing")
        try:
            built = target.resolve(self.parts.env)
            notifier = notifier_for(self.parts.registry, built)
        except UserError as exc:
            return self._give_up(entry, exc.format())
        report = TriageReport.model_validate(stored)
        if built.updates_in_place and not entry.event.ref and entry.event.kind != "new":
            # decided while the first message was on its way: update it now it is known
            told = self.outbox.last_notified(entry.incident, entry.target)
            if told is not None and told.ref:
                entry = replace(entry, event=replace(entry.event, ref=dict(told.ref)))
        policy = RetryPolicy(max_total_s=min(target.max_total_s, self.lease_s / 2))
        delivery = resend(entry, report, built, notifier, _Masking(self.outbox, self.parts.secrets),
                          at=now, policy=policy)
        attempts = entry.attempts + delivery.attempts
        if delivery.status == "failed" and attempts >= MAX_ATTEMPTS:
            self.outbox.mark_failed(entry.id, attempts=attempts,
                                    error=self.parts.mask(delivery.detail), next_attempt_at=None)
        outcome = "sent" if delivery.status in ("sent", "duplicate") else "failed"
        self.parts.metrics.count("notifications", entry.target, entry.event.kind, outcome)
        self.log.event("notified" if outcome == "sent" else "notify_failed",
                       "info" if outcome == "sent" else "warning", target=entry.target,
                       incident=entry.incident, revision=entry.revision,
                       event=entry.event.kind, attempts=attempts,
                       detail=self.parts.mask(delivery.detail))
        return outcome

    def _give_up(self, entry: Entry, reason: str) -> str:
        self.outbox.mark_failed(entry.id, attempts=entry.attempts, error=self.parts.mask(reason),
                                next_attempt_at=None)
        self.parts.metrics.count("notifications", entry.target, entry.event.kind, "failed")
        self.log.event("notify_failed", "warning", target=entry.target,
                       incident=entry.incident, revision=entry.revision,
                       reason=self.parts.mask(reason))
        return "failed"


class _Masking:
    """The outbox, with the targets' secrets masked out of every error it stores."""

    def __init__(self, outbox: SqlOutbox, secrets: tuple[str, ...]) -> None:
        self.outbox = outbox
        self.secrets = secrets

    def record(self, *, incident: str, revision: int, target: str, event: Event,
               level: Level, resolved: bool, request: Request, at: datetime) -> Entry | None:
        return self.outbox.record(incident=incident, revision=revision, target=target,
                                  event=event, level=level, resolved=resolved,
                                  request=request, at=at)

    def mark_sent(self, entry_id: int, *, attempts: int, at: datetime,
                  ref: dict[str, str]) -> None:
        self.outbox.mark_sent(entry_id, attempts=attempts, at=at, ref=ref)

    def mark_failed(self, entry_id: int, *, attempts: int, error: str,
                    next_attempt_at: datetime | None) -> None:
        self.outbox.mark_failed(entry_id, attempts=attempts,
                                error=mask_text(error, self.secrets),
                                next_attempt_at=next_attempt_at)

    def pending(self, now: datetime) -> list[Entry]:
        return self.outbox.pending(now)

    def last_notified(self, incident: str, target: str) -> Notified | None:
        return self.outbox.last_notified(incident, target)


__all__ = ["KILL_AFTER_CLAIM_ENV", "Notifying", "Planner", "Sender"]
