"""Retries (backoff with jitter, Retry-After, a bounded total time), the outbox (recorded
before sending, at most once per revision and target) and that nothing raises."""

from __future__ import annotations

from opsagent.models.report import Level
from opsagent.notify import (
    Event,
    MemoryOutbox,
    Result,
    RetryPolicy,
    notify,
    resend,
    send_with_retries,
)
from opsagent.notify.testing import RecordingNotifier

from .messages import AT, example_report, target

BUSY = Result(False, 503, "HTTP 503", retryable=True)
SLOW_DOWN = Result(False, 429, "HTTP 429", retryable=True, retry_after=7.0)
OK = Result(True, 200, "ok")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_backoff_with_jitter_then_success() -> None:
    clock = Clock()
    notifier = RecordingNotifier(outcomes=[BUSY, BUSY, BUSY, OK])
    request = notifier.render(example_report(), Event("new", AT))
    result, attempts = send_with_retries(notifier, request, RetryPolicy(base_s=1.0),
                                         clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    assert result.ok and attempts == 4
    assert clock.waits == [0.5, 1.0, 2.0]  # half of 1, 2, 4 seconds (the jitter)


def test_retry_after_is_honoured() -> None:
    clock = Clock()
    notifier = RecordingNotifier(outcomes=[SLOW_DOWN, OK])
    request = notifier.render(example_report(), Event("new", AT))
    result, _ = send_with_retries(notifier, request, RetryPolicy(), clock=clock,
                                  sleep=clock.sleep, rng=lambda: 0.0)
    assert result.ok and clock.waits == [7.0]


def test_total_time_is_bounded() -> None:
    clock = Clock()
    notifier = RecordingNotifier(outcomes=[BUSY])
    request = notifier.render(example_report(), Event("new", AT))
    policy = RetryPolicy(attempts=100, base_s=4.0, cap_s=30.0, max_total_s=20.0)
    result, attempts = send_with_retries(notifier, request, policy, clock=clock,
                                         sleep=clock.sleep, rng=lambda: 1.0)
    assert not result.ok and clock.now <= 20.0 and attempts == 3  # waited 4 + 8; 16 > bound


def test_not_retryable_is_tried_once_and_a_notifier_bug_does_not_raise() -> None:
    class Broken(RecordingNotifier):
        def send(self, request):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    report = example_report()
    hook = target("webhook", dry_run=False)
    delivery = notify(report, hook, Broken(), MemoryOutbox(), at=AT, sleep=lambda s: None)
    assert delivery.status == "failed" and "RuntimeError: boom" in delivery.detail
    assert delivery.attempts == 1


def test_at_most_once_per_revision_and_target() -> None:
    report = example_report()
    outbox = MemoryOutbox()
    notifier = RecordingNotifier()
    hook = target("webhook", dry_run=False)
    first = notify(report, hook, notifier, outbox, revision=1, at=AT)
    again = notify(report, hook, notifier, outbox, revision=1, at=AT)
    later = notify(report, hook, notifier, outbox, revision=2, at=AT)
    assert [first.status, again.status, later.status] == ["sent", "skipped", "skipped"]
    assert len(notifier.sent) == 1
    # another worker that did not see the sent entry still cannot record it twice
    assert outbox.record(incident=report.incident.id, revision=1, target=hook.name,
                         event=Event("new", AT), level=Level.HIGH, resolved=False,
                         request=notifier.sent[0], at=AT) is None
    resolved = notify(report, hook, notifier, outbox, revision=3, resolved=True, at=AT)
    assert resolved.status == "sent" and len(notifier.sent) == 2


def test_recorded_before_sent_and_a_failure_is_visible() -> None:
    outbox = MemoryOutbox()
    seen: list[str] = []

    class Watching(RecordingNotifier):
        def send(self, request):  # type: ignore[no-untyped-def]
            seen.extend(e.status for e in outbox.entries.values())
            return BUSY

    hook = target("webhook", dry_run=False)
    delivery = notify(example_report(), hook, Watching(), outbox, at=AT,
                      policy=RetryPolicy(attempts=2, later_s=60), sleep=lambda s: None)
    assert seen == ["pending", "pending"]  # in the outbox before the first attempt
    [entry] = outbox.entries.values()
    assert delivery.status == "failed" and entry.status == "failed" and entry.attempts == 2
    assert entry.last_error == "HTTP 503" and (entry.next_attempt_at - AT).seconds == 60
    assert outbox.pending(AT) == [] and outbox.pending(entry.next_attempt_at) == [entry]


def test_dry_run_records_and_sends_nothing() -> None:
    outbox = MemoryOutbox()
    notifier = RecordingNotifier()
    delivery = notify(example_report(), target("webhook"), notifier, outbox, at=AT)
    assert delivery.status == "dry_run" and delivery.request is not None
    assert notifier.sent == [] and outbox.entries == {}


def test_routing_by_severity_service_and_environment() -> None:
    report = example_report()  # HIGH, checkout-service, no environment
    notifier = RecordingNotifier()
    cases = {"HIGH": "sent", "LOW": "sent"}
    for level, expected in cases.items():
        hook = target("webhook", dry_run=False, when={"min_severity": level})
        assert notify(report, hook, notifier, MemoryOutbox(), at=AT).status == expected
    other = target("webhook", dry_run=False, when={"services": ["search"]})
    skipped = notify(report, other, notifier, MemoryOutbox(), at=AT)
    assert skipped.status == "skipped" and "when.services" in skipped.detail
    prod = target("webhook", dry_run=False, when={"environments": ["prod"]})
    assert notify(report, prod, notifier, MemoryOutbox(), at=AT).status == "skipped"
    low = report.model_copy(update={"severity": report.severity.model_copy(
        update={"level": Level.LOW})})
    high_only = target("webhook", dry_run=False, when={"min_severity": "HIGH"})
    line = notify(low, high_only, notifier, MemoryOutbox(), at=AT).line()
    assert line == "notify webhook-target: skipped (severity LOW is below HIGH)"


def test_killed_between_record_and_send_goes_out_once_after_restart() -> None:
    """The sender dies after recording (the entry stays pending); the next process
    finds it pending, sends it once, and a third look finds nothing to do."""
    report = example_report()
    hook = target("webhook", dry_run=False)
    outbox = MemoryOutbox()
    crashed = RecordingNotifier()
    request = crashed.render(report, Event("new", AT, revision=1))
    entry = outbox.record(incident=report.incident.id, revision=1, target=hook.name,
                          event=Event("new", AT, revision=1), level=Level.HIGH,
                          resolved=False, request=request, at=AT)
    assert entry is not None and crashed.sent == []  # killed here
    restarted = RecordingNotifier()
    [due] = outbox.pending(AT)
    assert resend(due, report, hook, restarted, outbox, at=AT).status == "sent"
    assert outbox.pending(AT) == [] and len(restarted.sent) == 1
    assert resend(outbox.entries[due.id], report, hook, restarted, outbox,
                  at=AT).status == "duplicate"
    # and the decision, too, sees it as told
    assert notify(report, hook, restarted, outbox, revision=1, at=AT).status == "skipped"
    assert len(restarted.sent) == 1


def test_a_failed_entry_is_retried_when_due_and_counts_its_attempts() -> None:
    report = example_report()
    hook = target("webhook", dry_run=False)
    outbox = MemoryOutbox()
    first = notify(report, hook, RecordingNotifier(outcomes=[BUSY]), outbox, at=AT,
                   policy=RetryPolicy(attempts=2, later_s=30), sleep=lambda s: None)
    assert first.status == "failed"
    [entry] = outbox.entries.values()
    later = entry.next_attempt_at
    assert later is not None and outbox.pending(AT) == []
    [due] = outbox.pending(later)
    again = resend(due, report, hook, RecordingNotifier(), outbox, at=later)
    assert again.status == "sent" and outbox.entries[entry.id].attempts == 3


def test_each_round_that_fails_again_waits_twice_as_long() -> None:
    report = example_report()
    hook = target("webhook", dry_run=False)
    outbox = MemoryOutbox()
    policy = RetryPolicy(attempts=2, later_s=30, later_cap_s=100)
    notify(report, hook, RecordingNotifier(outcomes=[BUSY, BUSY]), outbox, at=AT,
           policy=policy, sleep=lambda s: None)
    waits = []
    at = AT
    for _ in range(3):
        [entry] = outbox.entries.values()
        assert entry.next_attempt_at is not None
        waits.append((entry.next_attempt_at - at).seconds)
        at = entry.next_attempt_at
        resend(entry, report, hook, RecordingNotifier(outcomes=[BUSY, BUSY]), outbox, at=at,
               policy=policy, sleep=lambda s: None)
    assert waits == [30, 60, 100]  # doubled each round, then capped
