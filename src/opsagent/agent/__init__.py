"""The optional LLM agent: a CrewAI "senior operations engineer" that reviews the engine's
report, guarded so that it can only refine it.

Importing this package is cheap (its names load on first use): CrewAI, the provider SDKs
and llama.cpp load only when :func:`refine` runs. ``resolve_llm`` turns ``--llm`` /
``OPSAGENT_LLM`` / the config file into :class:`LLMSettings`; ``refine`` never raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .refine import refine
    from .settings import LLMSettings, resolve_llm

__all__ = ["LLMSettings", "refine", "resolve_llm"]


def __getattr__(name: str) -> Any:
    if name == "refine":
        from .refine import refine

        return refine
    if name in ("LLMSettings", "resolve_llm"):
        from . import settings

        return getattr(settings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
