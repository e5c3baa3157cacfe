"""Microsoft Teams: an Adaptive Card (version 1.4) posted to a Workflows webhook, in a
``message`` whose ``attachments`` hold one card of content type
``application/vnd.microsoft.card.adaptive``. Text from payloads is Markdown-escaped."""

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

CARD_VERSION = "1.4"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
_COLOR = {"HIGH": "Attention", "MEDIUM": "Warning", "LOW": "Default"}


def card(d: Digest) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": escape.markdown(f"{d.icon} {d.headline}"),
         "size": "Large", "weight": "Bolder", "wrap": True,
         "color": "Good" if d.event.kind == "resolved" else _COLOR[d.level]},
        {"type": "TextBlock", "text": escape.markdown(d.summary), "wrap": True},
    ]
    for title, items, numbered in (("Top causes", d.causes, False),
                                   ("First actions", d.actions, True),
                                   ("Similar past incidents", d.similar, False)):
        if items:
            body.append({"type": "TextBlock", "text": title, "weight": "Bolder",
                         "spacing": "Medium", "wrap": True})
            body.append({"type": "TextBlock", "wrap": True, "text": "\n".join(
                (f"{i}. " if numbered else "- ") + escape.markdown(item)
                for i, item in enumerate(items, 1))})
    body.append({"type": "FactSet", "facts": [{"title": k, "value": escape.markdown(v)}
                                              for k, v in d.facts]})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": CARD_VERSION, "body": body}
    if d.link:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Open the full report",
                               "url": d.link}]
    return {"type": "message",
            "attachments": [{"contentType": CONTENT_TYPE, "contentUrl": None,
                             "content": content}]}


class TeamsNotifier:
    def __init__(self, target: Target) -> None:
        self.target = target

    def render(self, report: TriageReport, event: Event) -> Request:
        assert self.target.url is not None
        payload = card(digest(report, event, self.target))
        return Request("POST", self.target.url,
                       {"Content-Type": "application/json; charset=utf-8"},
                       json.dumps(payload, ensure_ascii=False, indent=2),
                       self.target.secrets())

    def send(self, request: Request) -> Result:
        return post_json(request, timeout=self.target.timeout_s)
