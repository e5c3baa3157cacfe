"""Text from JSON scalars, and text cut to fit a sentence."""

from __future__ import annotations

from typing import Any

from ..errors import UnreadableValue


def as_text(value: Any, field: str, *, max_length: int = 4000) -> str:
    """A string from a JSON scalar; lists of strings are joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        text = "; ".join(str(v) for v in value)
    else:
        raise UnreadableValue("text", type(value).__name__, field=field)
    return text.strip()[:max_length]


def clip(text: str, limit: int, *, words: bool = False) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis; with ``words``,
    cut at the last whole word that fits (a name or version is never cut in two)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if words and " " in cut:
        cut = cut[: cut.rindex(" ")].rstrip(",;:")
    return cut + "…"
