"""Text from payloads, made inert for each channel's markup.

Alert names, summaries and evidence come from whoever sent the payload; none of it may
ping a channel (``<!channel>``), mention a user (``<@U123>``), hide a link
(``<http://x|y>``), format a card or inject an e-mail header.
"""

from __future__ import annotations

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+#>]|\d+\.)", re.MULTILINE)


def slack(text: str) -> str:
    """Slack mrkdwn / plain text: ``&``, ``<`` and ``>`` as the entities Slack documents,
    so no mention, channel ping or link can be formed."""
    text = _CONTROL.sub(" ", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown(text: str) -> str:
    """Markdown (the subset of an Adaptive Card's TextBlock in Teams): the characters
    that form emphasis, code or links (``* _ ` ~ [ ]``, and ``\\``) backslash-escaped, a
    list or heading marker at a line start escaped, and ``{{`` broken up so no
    ``{{DATE()}}`` function is evaluated. Cards render no HTML, and a mention needs an
    ``msteams.entities`` entry the card never has, so ``<at>`` stays text."""
    text = _CONTROL.sub(" ", text)
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    text = _MARKDOWN_LINE_START.sub(r"\1\\\2", text)
    return text.replace("{{", "{\u200b{")


def html_text(text: str) -> str:
    """HTML element content and attribute values."""
    return html.escape(_CONTROL.sub(" ", text), quote=True)


def header(text: str) -> str:
    """One header line: CR, LF and other control characters become spaces, so a
    subject can never start a new header."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]", " ", text).split())


def truncate(text: str, limit: int, *, marker: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``marker`` when cut; an
    entity (``&amp;``) or backslash escape is never cut in half."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(marker))]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    if (len(cut) - len(cut.rstrip("\\"))) % 2:  # half of a backslash escape
        cut = cut[:-1]
    return cut + marker
