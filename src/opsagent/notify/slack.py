"""Slack: a Block Kit message, through an incoming webhook or a bot token.

An incoming webhook gets a new message per notification (an HTTP POST of the message).
A bot token posts with ``chat.postMessage`` once, then updates the same message with
``chat.update`` (its ``channel`` and ``ts``) and says what changed in its thread. The
Web API goes through the official ``slack_sdk`` ``WebClient`` with its rate-limit retry
handler (it waits the ``Retry-After`` the API asks for).

The message keeps within Slack's documented limits: at most 50 blocks, 3000 characters
per section text, 150 per header, 10 context elements, 75 per button label, 3000 per
button URL and 40,000 for the top-level ``text`` (the notification fallback). Text from
payloads is escaped (``&``, ``<``, ``>``), so it cannot mention anyone.
"""

from __future__ import annotations

import json
from typing import Any

from ..models.report import TriageReport
from . import escape
from .base import Digest, digest
from .events import Event
from .http import post_json
from .request import Request, Result
from .targets import Target

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_CONTEXT = 10
MAX_BUTTON_TEXT = 75
MAX_URL = 3000
MAX_TEXT = 40_000
API_URL = "https://slack.com/api/"


def message(d: Digest) -> dict[str, Any]:
    """The message payload (``text`` and ``blocks``) for one digest."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                    "text": escape.truncate(f"{d.icon} {d.headline}",
                                                            MAX_HEADER)}},
        _section(escape.slack(d.summary)),
    ]
    if d.causes:
        blocks.append(_section("*Top causes*\n" + "\n".join(
            f"• {escape.slack(c)}" for c in d.causes)))
    if d.actions:
        blocks.append(_section("*First actions*\n" + "\n".join(
            f"{i}. {escape.slack(a)}" for i, a in enumerate(d.actions, 1))))
    if d.similar:
        blocks.append(_section("*Similar past incidents*\n" + "\n".join(
            f"• {escape.slack(s)}" for s in d.similar)))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": escape.truncate(f"*{k}:* {escape.slack(v)}", MAX_SECTION)}
        for k, v in d.facts[:MAX_CONTEXT]]})
    if d.link and len(d.link) <= MAX_URL:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Open the full report"},
             "url": d.link, "action_id": "open_report"}]})
    link = f" <{d.link}|report>" if d.link and "|" not in d.link and ">" not in d.link \
        else ""
    text = escape.truncate(escape.slack(f"{d.icon} {d.headline}: {d.summary}"),
                           MAX_TEXT - len(link)) + link
    return {"text": text, "blocks": blocks[:MAX_BLOCKS]}


def _section(text: str) -> dict[str, Any]:
    if not text.strip():
        text = "(empty)"
    return {"type": "section", "text": {"type": "mrkdwn",
                                        "text": escape.truncate(text, MAX_SECTION)}}


def follow_up_text(d: Digest) -> str:
    if d.event.kind == "resolved":
        return escape.slack(f"✅ Resolved. {d.summary}")
    was = d.event.previous.value if d.event.previous else "?"
    return escape.slack(f"{d.icon} Severity raised from {was} to {d.level}. {d.summary}")


class SlackNotifier:
    def __init__(self, target: Target) -> None:
        self.target = target

    def render(self, report: TriageReport, event: Event) -> Request:
        d = digest(report, event, self.target)
        payload = message(d)
        secrets = self.target.secrets()
        if not self.target.updates_in_place:
            assert self.target.url is not None
            return Request("POST", self.target.url,
                           {"Content-Type": "application/json; charset=utf-8"},
                           _json(payload), secrets)
        base = self.target.api_url or API_URL
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Authorization": f"Bearer {self.target.token}"}
        ref = event.ref
        if ref.get("ts"):
            call = {"channel": ref.get("channel", self.target.channel), "ts": ref["ts"],
                    **payload}
            follow = None
            if event.follow_up:
                follow = Request("POST", base + "chat.postMessage", headers, _json(
                    {"channel": call["channel"], "thread_ts": ref["ts"],
                     "text": escape.truncate(follow_up_text(d), MAX_TEXT)}), secrets)
            return Request("POST", base + "chat.update", headers, _json(call), secrets, follow)
        call = {"channel": self.target.channel, **payload}
        return Request("POST", base + "chat.postMessage", headers, _json(call), secrets)

    def send(self, request: Request) -> Result:
        if not self.target.updates_in_place:
            return post_json(request, timeout=self.target.timeout_s)
        result = self._call(request)
        if result.ok and request.follow_up is not None:
            follow = self._call(request.follow_up)
            if not follow.ok:
                return Result(True, result.status, f"message updated; thread reply failed: "
                              f"{follow.detail}", ref=result.ref)
        return result

    def _call(self, request: Request) -> Result:
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError
        from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

        method = request.url.rsplit("/", 1)[1]
        base = request.url[: -len(method)]
        client = WebClient(token=self.target.token, base_url=base,
                           timeout=int(max(1, self.target.timeout_s)),
                           retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
        try:
            response = client.api_call(method, json=json.loads(request.body))
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error", "error"))
            after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                "retry-after")
            retryable = status == 429 or status >= 500 or error in ("ratelimited",
                                                                    "service_unavailable")
            return Result(False, status, f"slack {method}: {error}", retryable=retryable,
                          retry_after=_seconds(after))
        except OSError as exc:  # connection refused, timeout (urllib's URLError is one)
            return Result(False, None, f"slack {method}: {exc}", retryable=True)
        ref = {"channel": str(response.get("channel", "")), "ts": str(response.get("ts", ""))}
        return Result(True, response.status_code, f"slack {method}: ok", ref=ref)


def _seconds(value: Any) -> float | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)
