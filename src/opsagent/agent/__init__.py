"""The optional LLM agent: a CrewAI "senior operations engineer" that reviews the engine's
report, guarded so that it can only refine it.

Importing this package is cheap: CrewAI, the provider SDKs and llama.cpp load only when
:func:`refine` runs. ``resolve_llm`` turns ``--llm`` / ``OPSAGENT_LLM`` / the config file
into :class:`LLMSettings`; ``refine`` never raises.
"""

from .refine import refine
from .settings import LLMSettings, resolve_llm

__all__ = ["LLMSettings", "refine", "resolve_llm"]
