"""Slack incoming webhooks, Teams Workflows and signed webhooks, posted to a real HTTP
server on 127.0.0.1 that checks what it receives against the documented shapes."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from opsagent.models.report import RootCause
from opsagent.notify import Event, MemoryOutbox, notify
from opsagent.notify.slack import SlackNotifier
from opsagent.notify.teams import TeamsNotifier
from opsagent.notify.webhook import WebhookNotifier
from tests.agent.replay import ReplayServer, Reply

from . import shapes
from .messages import AT, example_report, target


def test_slack_incoming_webhook_receives_a_valid_message() -> None:
    report = example_report(past=True)
    with ReplayServer([Reply(200, b"ok", {"Content-Type": "text/plain"})]) as server:
        slack = target("slack", url=server.url + "/services/T1/B1/secretpath", dry_run=False)
        delivery = notify(report, slack, SlackNotifier(slack), MemoryOutbox(), at=AT)
    assert delivery.status == "sent", delivery.line()
    assert "secretpath" not in delivery.line()
    [posted] = server.requests
    assert posted.path == "/services/T1/B1/secretpath"
    assert posted.headers["content-type"].startswith("application/json")
    payload = posted.json
    assert shapes.slack_message(payload) == []
    text = json.dumps(payload, ensure_ascii=False)
    assert "HIGH" in payload["blocks"][0]["text"]["text"]
    assert "Deployment introduced a regression — 74%" in text  # a cause with its confidence
    assert "Roll back the last deployment of checkout-service" in text
    assert "inc-2025-11-02-checkout" in text and "rolled back to v1.4.2" in text
    assert payload["blocks"][-1]["elements"][0]["url"].startswith(
        "https://ops.example.com/incidents/inc-")


def test_an_oversized_report_is_cut_to_a_valid_message() -> None:
    report = example_report()
    huge = "x & y <z> " * 2000  # 20,000 characters, escaping makes it longer
    causes = [RootCause(category="database", title=f"cause {i} " + huge[:4000],
                        confidence=0.5) for i in range(12)]
    incident = report.incident.model_copy(update={
        "services": ["s" * 300, "other"], "regions": [f"r{i}" for i in range(40)],
        "environments": [f"e{i}" for i in range(40)], "started_at": "2026-01-15T11:00:00Z"})
    big = report.model_copy(update={"summary": huge * 3, "root_causes": causes,
                                    "incident": incident})
    payload = json.loads(SlackNotifier(target("slack")).render(big, Event("new", AT)).body)
    assert shapes.slack_message(payload) == []
    summary = payload["blocks"][1]["text"]["text"]
    assert summary.endswith("…") and "&amp;" in summary and not summary.endswith("&…")


def test_teams_workflow_receives_an_adaptive_card() -> None:
    report = example_report()
    with ReplayServer([Reply(202, b"")]) as server:
        teams = target("teams", url=server.url + "/workflows/1/invoke?api-version=1&sig=abc",
                       dry_run=False)
        delivery = notify(report, teams, TeamsNotifier(teams), MemoryOutbox(), at=AT)
    assert delivery.status == "sent", delivery.line()
    assert "sig=abc" not in delivery.line() and "sig=****" in delivery.line()
    payload = server.requests[0].json
    assert shapes.teams_message(payload) == []
    card = payload["attachments"][0]["content"]
    assert card["body"][0]["text"].startswith("🔴 HIGH")
    assert card["actions"][0]["url"].startswith("https://ops.example.com/incidents/")


def test_webhook_receiver_can_verify_the_signature() -> None:
    report = example_report()
    with ReplayServer([Reply(200, {"ok": True})]) as server:
        hook = target("webhook", url=server.url + "/opsagent", secret="s3cr3t", dry_run=False)
        at = AT.fromtimestamp(time.time(), AT.tzinfo)
        delivery = notify(report, hook, WebhookNotifier(hook), MemoryOutbox(), at=at)
    assert delivery.status == "sent", delivery.line()
    got = server.requests[0]
    timestamp = got.headers["x-opsagent-timestamp"]
    # the receiver's side, as docs/notify.md describes it
    expected = "sha256=" + hmac.new(b"s3cr3t", timestamp.encode() + b"." + got.raw,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["x-opsagent-signature"], expected)
    assert abs(int(timestamp) - time.time()) < 300
    assert got.headers["x-opsagent-event"] == "new"
    assert json.loads(got.raw)["incident"]["id"] == report.incident.id  # the report JSON
    assert json.loads(got.raw)["schema_version"] == 1


def test_a_receiver_that_refuses_is_a_failure_not_an_exception() -> None:
    report = example_report()
    with ReplayServer([Reply(403, {"error": "forbidden"})]) as server:
        hook = target("webhook", url=server.url + "/opsagent?token=t0k", dry_run=False)
        outbox = MemoryOutbox()
        delivery = notify(report, hook, WebhookNotifier(hook), outbox, at=AT)
    assert delivery.status == "failed" and "HTTP 403" in delivery.detail
    assert "t0k" not in delivery.line()
    assert len(server.requests) == 1  # a 403 is not retried
    [entry] = outbox.entries.values()
    assert entry.status == "failed" and entry.next_attempt_at is None


def test_incoming_webhook_429_waits_retry_after() -> None:
    waits: list[float] = []
    replies = [Reply(429, b"rate_limited", {"Retry-After": "2"}), Reply(200, b"ok")]
    with ReplayServer(replies) as server:
        slack = target("slack", url=server.url + "/services/T1/B1/x", dry_run=False)
        delivery = notify(example_report(), slack, SlackNotifier(slack), MemoryOutbox(),
                          at=AT, sleep=waits.append)
    assert delivery.status == "sent" and delivery.attempts == 2 and waits == [2.0]
    assert len(server.requests) == 2


def test_retry_after_as_an_http_date() -> None:
    from email.utils import format_datetime

    from opsagent.notify.http import retry_after_seconds

    soon = format_datetime(AT.fromtimestamp(time.time() + 30, AT.tzinfo), usegmt=True)
    assert 25 <= (retry_after_seconds(soon) or 0) <= 30
    assert retry_after_seconds("120") == 120.0 and retry_after_seconds("soon") is None
