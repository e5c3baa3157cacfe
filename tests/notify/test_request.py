"""Secrets never show: dry-run output, stored requests and failure lines are masked."""

from __future__ import annotations

import pytest

from opsagent.notify import Event, Request
from opsagent.notify.request import mask_url
from opsagent.notify.slack import SlackNotifier
from opsagent.notify.webhook import WebhookNotifier

from .messages import AT, example_report, target


@pytest.mark.parametrize(("url", "masked"), [
    ("https://hooks.slack.com/services/T0/B0/abcdef", "https://hooks.slack.com/services/T0/B0/****"),
    ("https://x.example/hook?token=abc&team=ops", "https://x.example/hook?token=****&team=ops"),
    ("https://prod.logic.azure.com/workflows/1/invoke?api-version=2016-06-01&sig=s1",
     "https://prod.logic.azure.com/workflows/1/invoke?api-version=2016-06-01&sig=****"),
    ("https://user:pw@x.example/h", "https://****@x.example/h"),
])
def test_urls_are_masked(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_bot_token_and_webhook_secret_never_in_dry_run() -> None:
    report = example_report()
    bot = target("slack", url=None, token="xoxb-1111-2222-secrettoken", channel="C1")
    shown = SlackNotifier(bot).render(report, Event("new", AT)).describe()
    assert "xoxb-1111" not in shown and "Authorization: ****" in shown
    hook = WebhookNotifier(target("webhook")).render(report, Event("new", AT))
    assert "whsecret" not in hook.describe()
    assert hook.headers["X-Opsagent-Signature"].startswith("sha256=")
    assert "X-Opsagent-Signature: ****" in hook.describe()


def test_a_secret_in_the_body_is_masked() -> None:
    request = Request("POST", "https://x.example/", {"X-Key": "k-123"}, "token k-123 xoxp-9-9",
                      secrets=("k-123",))
    assert request.describe() == "POST https://x.example/\nX-Key: ****\n\ntoken **** ****\n"
