"""What a target is told, and when: at most once per revision; a posting target hears
only new, raised and resolved; a Slack bot also updates its message in place."""

from __future__ import annotations

import pytest

from opsagent.models.report import Level
from opsagent.notify import Notified, decide

from .messages import AT

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW
BOT_REF = {"channel": "C1", "ts": "1700000000.000100"}


def kind(previous: Notified | None, revision: int, level: Level, *, resolved: bool = False,
         routed: bool = True, in_place: bool = False) -> str | None:
    event = decide(previous, revision=revision, level=level, resolved=resolved,
                   routed=routed, updates_in_place=in_place, at=AT)
    return event.kind if event else None


@pytest.mark.parametrize(("previous", "revision", "level", "resolved", "routed", "expected"), [
    (None, 1, M, False, True, "new"),
    (None, 1, M, False, False, None),  # not routed here
    (None, 1, M, True, True, None),  # never announce what is already over
    (Notified(1, M), 1, H, False, True, None),  # same revision: at most once
    (Notified(2, M), 1, H, False, True, None),  # an older revision
    (Notified(1, M), 2, H, False, True, "raised"),
    (Notified(1, M), 2, H, False, False, "raised"),  # once told, told how it goes on
    (Notified(1, M), 2, M, False, True, None),  # nothing that warrants a new message
    (Notified(1, H), 2, L, False, True, None),  # lowered: no new message
    (Notified(1, H), 2, H, True, True, "resolved"),
    (Notified(2, H, resolved=True), 3, H, True, True, None),
    (Notified(2, H, resolved=True), 3, M, False, True, "new"),  # reopened
])
def test_posting_target(previous: Notified | None, revision: int, level: Level,
                        resolved: bool, routed: bool, expected: str | None) -> None:
    assert kind(previous, revision, level, resolved=resolved, routed=routed) == expected


def test_bot_updates_its_message_and_follows_up_in_the_thread() -> None:
    told = Notified(1, M, ref=BOT_REF)
    same = decide(told, revision=2, level=M, resolved=False, routed=True,
                  updates_in_place=True, at=AT)
    assert same is not None and same.kind == "updated" and same.ref == BOT_REF
    assert not same.follow_up  # a quiet edit
    raised = decide(told, revision=2, level=H, resolved=False, routed=True,
                    updates_in_place=True, at=AT)
    assert raised is not None and raised.kind == "raised" and raised.follow_up
    assert raised.previous == M
    lowered = decide(Notified(1, H, ref=BOT_REF), revision=2, level=L, resolved=False,
                     routed=True, updates_in_place=True, at=AT)
    assert lowered is not None and lowered.kind == "updated"
