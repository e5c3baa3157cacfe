"""What the receivers accept, written from their documentation (not from our code):
Slack's Block Kit limits and the Teams Workflows Adaptive Card message shape. Each
checker returns the problems found (empty when valid)."""

from __future__ import annotations

from typing import Any

SLACK_BLOCKS = 50
SLACK_SECTION_TEXT = 3000
SLACK_HEADER_TEXT = 150
SLACK_CONTEXT_ELEMENTS = 10
SLACK_BUTTON_TEXT = 75
SLACK_BUTTON_URL = 3000
SLACK_TEXT = 40_000
SLACK_BLOCK_TYPES = {"header", "section", "context", "actions", "divider"}


def slack_message(payload: dict[str, Any]) -> list[str]:
    problems = []
    text = payload.get("text")
    if not isinstance(text, str) or not text or len(text) > SLACK_TEXT:
        problems.append(f"top-level text missing or over {SLACK_TEXT}")
    blocks = payload.get("blocks", [])
    if not 0 < len(blocks) <= SLACK_BLOCKS:
        problems.append(f"{len(blocks)} blocks")
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind not in SLACK_BLOCK_TYPES:
            problems.append(f"block {i}: type {kind!r}")
        if kind == "header":
            t = block["text"]
            if t.get("type") != "plain_text" or not 0 < len(t["text"]) <= SLACK_HEADER_TEXT:
                problems.append(f"block {i}: header text")
        if kind == "section":
            t = block["text"]
            if t.get("type") != "mrkdwn" or not 0 < len(t["text"]) <= SLACK_SECTION_TEXT:
                problems.append(f"block {i}: section text of {len(t['text'])}")
        if kind == "context":
            elements = block["elements"]
            if not 0 < len(elements) <= SLACK_CONTEXT_ELEMENTS:
                problems.append(f"block {i}: {len(elements)} context elements")
            problems += [f"block {i}: context text" for e in elements
                         if len(e["text"]) > SLACK_SECTION_TEXT]
        if kind == "actions":
            for e in block["elements"]:
                if len(e["text"]["text"]) > SLACK_BUTTON_TEXT or len(e["url"]) > SLACK_BUTTON_URL:
                    problems.append(f"block {i}: button")
    return problems


def teams_message(payload: dict[str, Any]) -> list[str]:
    problems = []
    if payload.get("type") != "message":
        problems.append("type is not message")
    attachments = payload.get("attachments") or []
    if len(attachments) != 1:
        return [*problems, f"{len(attachments)} attachments"]
    attachment = attachments[0]
    if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
        problems.append("contentType")
    card = attachment.get("content") or {}
    if card.get("type") != "AdaptiveCard" or card.get("version") not in ("1.4", "1.5"):
        problems.append("not an AdaptiveCard 1.4/1.5")
    for element in card.get("body", []):
        if element.get("type") not in ("TextBlock", "FactSet", "Container", "ColumnSet"):
            problems.append(f"element {element.get('type')}")
        if element.get("type") == "TextBlock" and not element.get("text"):
            problems.append("empty TextBlock")
    for action in card.get("actions", []):
        if action.get("type") != "Action.OpenUrl" or not action.get("url"):
            problems.append("action")
    return problems
