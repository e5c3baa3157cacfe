"""Sending with retries: exponential backoff with full jitter, the receiver's
``Retry-After`` honoured, and a bounded total time; then :func:`notify`, the whole path
from a report revision to a target through the outbox.

Nothing here raises for a delivery problem: the outcome is a :class:`Delivery`, so a
failed notification never fails a triage. The clock, the sleep and the jitter are passed
in (the tests run them without waiting).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from ..models.report import TriageReport
from .base import Notifier
from .events import Event, Notified, decide
from .outbox import Entry, Outbox
from .request import Request, Result
from .targets import Target


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 30.0
    max_total_s: float = 60.0  # never wait past this, counted from the first attempt
    later_s: float = 300.0  # when given up for now, the outbox tries again after this,
    later_cap_s: float = 3600.0  # doubled after each round that fails again, up to this

    def later(self, earlier_attempts: int) -> float:
        """The wait before the next round, after ``earlier_attempts`` tries in earlier
        rounds: ``later_s``, then twice as long each round, capped at ``later_cap_s``."""
        rounds = earlier_attempts // max(1, self.attempts)
        return float(min(self.later_cap_s, self.later_s * 2.0 ** min(rounds, 16)))

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        """Full jitter: a random wait up to ``base * 2**(attempt-1)``, capped."""
        return float(rng() * min(self.cap_s, self.base_s * 2.0 ** (attempt - 1)))


@dataclass(frozen=True)
class Delivery:
    """What happened to one notification: ``status`` is ``sent``, ``failed``,
    ``dry_run``, ``skipped`` (not routed, nothing new) or ``duplicate`` (this revision
    was already recorded for this target)."""

    target: str
    status: str
    detail: str = ""
    attempts: int = 0
    request: Request | None = None
    result: Result | None = None

    def line(self) -> str:
        text = f"notify {self.target}: {self.status}"
        return text + (f" ({self.detail})" if self.detail else "")


def send_with_retries(notifier: Notifier, request: Request, policy: RetryPolicy, *,
                      clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], None] = time.sleep,
                      rng: Callable[[], float] = random.random) -> tuple[Result, int]:
    """Send until it succeeds, fails for good, or the next wait would pass the bound.
    Returns the last result and the number of attempts made."""
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            result = notifier.send(request)
        except Exception as exc:  # a notifier bug must not fail the triage either
            result = Result(False, None, f"{type(exc).__name__}: {exc}", retryable=False)
        if result.ok or not result.retryable or attempt >= policy.attempts:
            return result, attempt
        wait = result.retry_after if result.retry_after is not None \
            else policy.backoff(attempt, rng)
        if clock() - start + wait > policy.max_total_s:
            return result, attempt
        sleep(wait)


def notify(report: TriageReport, target: Target, notifier: Notifier, outbox: Outbox, *,
           revision: int = 1, resolved: bool = False, at: datetime | None = None,
           force: Event | None = None, policy: RetryPolicy | None = None,
           sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic,
           rng: Callable[[], float] = random.random) -> Delivery:
    """Decide, render, record in the outbox, then send (or, on a dry run, only render).
    ``force`` sends that event whatever was sent before (``notify test``)."""
    at = at or datetime.now(timezone.utc)
    incident = report.incident.id
    previous = outbox.last_notified(incident, target.name)
    why_not = target.when.why_not(report)
    event = force or decide(previous, revision=revision, level=report.severity.level,
                            resolved=resolved, routed=why_not is None,
                            updates_in_place=target.updates_in_place, at=at)
    if event is None:
        return Delivery(target.name, "skipped", why_not or _quiet(previous, revision))
    try:
        request = notifier.render(report, event)
    except Exception as exc:
        return Delivery(target.name, "failed", f"cannot render: {type(exc).__name__}: {exc}")
    if target.dry_run:
        return Delivery(target.name, "dry_run", event.kind, request=request)
    entry = outbox.record(incident=incident, revision=revision, target=target.name,
                          event=event, level=report.severity.level, resolved=resolved,
                          request=request, at=at)
    if entry is None:
        return Delivery(target.name, "duplicate", f"revision {revision} already recorded")
    return _attempt(entry, request, target, notifier, outbox, at=at, policy=policy,
                    sleep=sleep, clock=clock, rng=rng)


def resend(entry: Entry, report: TriageReport, target: Target, notifier: Notifier,
           outbox: Outbox, *, at: datetime | None = None, policy: RetryPolicy | None = None,
           sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic,
           rng: Callable[[], float] = random.random) -> Delivery:
    """Try an outbox entry again (one of ``outbox.pending(now)``): ``report`` is the
    revision it was recorded for; the request is rendered afresh (a new webhook
    timestamp and signature) for the event that was decided then."""
    at = at or datetime.now(timezone.utc)
    if entry.status == "sent":
        return Delivery(target.name, "duplicate", f"revision {entry.revision} already sent")
    try:
        request = notifier.render(report, replace(entry.event, at=at))
    except Exception as exc:
        detail = f"cannot render: {type(exc).__name__}: {exc}"
        outbox.mark_failed(entry.id, attempts=entry.attempts, error=detail,
                           next_attempt_at=None)
        return Delivery(target.name, "failed", detail)
    return _attempt(entry, request, target, notifier, outbox, at=at, policy=policy,
                    sleep=sleep, clock=clock, rng=rng)


def _attempt(entry: Entry, request: Request, target: Target, notifier: Notifier,
             outbox: Outbox, *, at: datetime, policy: RetryPolicy | None,
             sleep: Callable[[float], None], clock: Callable[[], float],
             rng: Callable[[], float]) -> Delivery:
    policy = policy or RetryPolicy(max_total_s=target.max_total_s)
    result, tries = send_with_retries(notifier, request, policy, clock=clock,
                                      sleep=sleep, rng=rng)
    attempts = entry.attempts + tries
    if result.ok:
        outbox.mark_sent(entry.id, attempts=attempts, at=at, ref=result.ref)
        return Delivery(target.name, "sent", result.detail, attempts, request, result)
    later = at + timedelta(seconds=max(policy.later(entry.attempts), result.retry_after or 0)) \
        if result.retryable else None
    outbox.mark_failed(entry.id, attempts=attempts, error=result.detail,
                       next_attempt_at=later)
    return Delivery(target.name, "failed", result.detail, attempts, request, result)


def _quiet(previous: Notified | None, revision: int) -> str:
    if previous is None:
        return "the incident is already resolved"
    if revision <= previous.revision:
        return f"revision {revision} was already notified"
    return "nothing the target is told about changed"
