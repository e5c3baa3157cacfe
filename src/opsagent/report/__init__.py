"""Renderers: the classic text layout, JSON (the report contract) and Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .json import render_json
from .markdown import render_markdown
from .text import render_text

if TYPE_CHECKING:
    from ..registry import Registry

__all__ = ["register", "render_json", "render_markdown", "render_text"]


def register(registry: Registry) -> None:
    registry.add_renderer("text", render_text)
    registry.add_renderer("json", render_json)
    registry.add_renderer("markdown", render_markdown)
