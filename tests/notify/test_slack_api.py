"""A Slack bot token, through the official ``slack_sdk`` WebClient, against recorded Web
API exchanges served on 127.0.0.1: post once, then update the same message and reply in
its thread; wait out ``ratelimited``; report ``invalid_auth`` without the token."""

from __future__ import annotations

import json
from pathlib import Path

from opsagent.models.report import Level
from opsagent.notify import MemoryOutbox, RetryPolicy, notify
from opsagent.notify.slack import SlackNotifier
from tests.agent.replay import ReplayServer, Reply

from . import shapes
from .messages import AT, example_report, target

RECORDINGS = Path(__file__).parent / "recordings"
TOKEN = "xoxb-0000000000-0000000000000-recordedtoken"


def recorded(name: str, **changes: object) -> Reply:
    data = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    data["headers"].update(changes)
    return Reply(data["status"], data["body"], data["headers"])


def bot(server: ReplayServer):  # type: ignore[no-untyped-def]
    return target("slack", url=None, token=TOKEN, channel="C0123456789",
                  api_url=server.url + "/api/", dry_run=False)


def test_post_then_update_in_place_with_a_thread_reply() -> None:
    report = example_report()
    medium = report.model_copy(update={"severity": report.severity.model_copy(
        update={"level": Level.MEDIUM})})
    replies = [recorded("chat.postMessage.ok"), recorded("chat.update.ok"),
               recorded("chat.postMessage.thread")]
    outbox = MemoryOutbox()
    with ReplayServer(replies) as server:
        slack = bot(server)
        first = notify(medium, slack, SlackNotifier(slack), outbox, revision=1, at=AT)
        again = notify(medium, slack, SlackNotifier(slack), outbox, revision=1, at=AT)
        raised = notify(report, slack, SlackNotifier(slack), outbox, revision=2, at=AT)
    assert (first.status, again.status, raised.status) == ("sent", "skipped", "sent")
    post, update, thread = server.requests
    assert post.path == "/api/chat.postMessage" and update.path == "/api/chat.update"
    assert thread.path == "/api/chat.postMessage"
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.json["channel"] == "C0123456789" and shapes.slack_message(post.json) == []
    assert update.json["ts"] == "1768478430.000100" and update.json["channel"] == "C0123456789"
    assert shapes.slack_message(update.json) == []
    assert update.json["blocks"][0]["text"]["text"].startswith("🔴 Severity raised: HIGH")
    assert thread.json["thread_ts"] == "1768478430.000100"
    assert "raised from MEDIUM to HIGH" in thread.json["text"]
    assert TOKEN not in json.dumps([e.request.describe() for e in outbox.entries.values()])


def test_ratelimited_waits_retry_after_then_posts() -> None:
    with ReplayServer([recorded("ratelimited"), recorded("chat.postMessage.ok")]) as server:
        slack = bot(server)
        delivery = notify(example_report(), slack, SlackNotifier(slack), MemoryOutbox(), at=AT)
    assert delivery.status == "sent", delivery.line()
    assert [r.path for r in server.requests] == ["/api/chat.postMessage"] * 2


def test_rate_limited_for_long_is_retried_later_by_the_outbox() -> None:
    waits: list[float] = []
    outbox = MemoryOutbox()
    with ReplayServer([recorded("ratelimited", **{"Retry-After": "0"})]) as server:
        slack = bot(server)
        delivery = notify(example_report(), slack, SlackNotifier(slack), outbox, at=AT,
                          policy=RetryPolicy(attempts=2), sleep=waits.append)
    assert delivery.status == "failed" and "ratelimited" in delivery.detail
    assert waits == [0.0]  # our retry honours the API's Retry-After too
    [entry] = outbox.entries.values()
    assert entry.status == "failed" and entry.next_attempt_at is not None
    assert outbox.pending(entry.next_attempt_at) == [entry]


def test_invalid_token_fails_once_without_showing_it() -> None:
    with ReplayServer([recorded("invalid_auth")]) as server:
        slack = bot(server)
        delivery = notify(example_report(), slack, SlackNotifier(slack), MemoryOutbox(), at=AT)
    assert delivery.status == "failed"
    assert "invalid_auth" in delivery.detail and TOKEN not in delivery.line()
    assert len(server.requests) == 1  # not worth retrying
