"""Text that a terminal shows as written: control characters from payloads (or from an
LLM's answer) cannot retitle the terminal, clear the screen, move the cursor or reorder
the line. Every C0 control but tab and newline, DEL, every C1 control and the Unicode
bidirectional overrides become visible escapes (``\\x1b``, ``\\u202e``)."""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """``text`` with every character that steers a terminal written out as an escape."""
    return _UNSAFE.sub(_escape, text)
