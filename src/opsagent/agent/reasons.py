"""Every reason ``analysis.fallback`` can give, in one place (documented in docs/agent.md).

A reason is one of these fixed phrases, some with a number, a name or one of opsagent's
own validation messages filled in; never an exception's text, a traceback or a secret.
:func:`is_documented` tells whether a string is one of them (the tests hold every
fallback to it).
"""

from __future__ import annotations

import re

NO_CREWAI = "crewai is not installed: pip install 'opsagent[agent]'"
NO_LLAMA = "llama-cpp-python is not installed: pip install 'opsagent[local]'"
NO_ANTHROPIC = "the anthropic SDK is not installed: pip install 'opsagent[agent]'"
NO_PROVIDER = "no LLM provider of that name is registered"
MODEL_FILE_MISSING = "model file not found"

RATE_LIMITED = "LLM error: rate limited (HTTP 429)"
CANNOT_CONNECT = "LLM error: cannot connect to the provider"
REQUEST_TIMED_OUT = "LLM error: the request timed out"
NOT_JSON = "LLM error: the provider's response is not valid JSON"
CONTEXT_TOO_SMALL = "LLM error: the prompt does not fit the model's context window"
BAD_SHAPE = "LLM error: the provider's response has an unexpected shape"
PROVIDER_FAILED = "LLM error: the provider call failed"
AGENT_FAILED = "agent error: the agent run failed"
NO_ANSWER = "invalid answer: the model gave no usable answer"

LOCAL_OUT_OF_MEMORY = "local model ran out of memory"
LOCAL_CANNOT_LOAD = "local model could not load the model file"
LOCAL_FAILED = "local model failed while generating"


def timeout(budget: float) -> str:
    return f"timeout after {budget:g}s"


def local_timeout(budget: float) -> str:
    return f"local model exceeded its time budget ({budget:g}s)"


def local_crashed(signal_name: str) -> str:
    return f"local model crashed (signal {signal_name})"


def local_exited(code: int) -> str:
    return f"local model exited unexpectedly (exit code {code})"


def http_status(status: int) -> str:
    return RATE_LIMITED if status == 429 else f"LLM error: HTTP {status} from the provider"


def invalid_after_repair(problem: str) -> str:
    """``problem`` is one of opsagent's own answer checks (never the model's text)."""
    return f"invalid answer after one repair: {problem}"


FIXED: tuple[str, ...] = (
    NO_CREWAI, NO_LLAMA, NO_ANTHROPIC, NO_PROVIDER, MODEL_FILE_MISSING, RATE_LIMITED,
    CANNOT_CONNECT, REQUEST_TIMED_OUT, NOT_JSON, CONTEXT_TOO_SMALL, BAD_SHAPE,
    PROVIDER_FAILED, AGENT_FAILED, NO_ANSWER, LOCAL_OUT_OF_MEMORY, LOCAL_CANNOT_LOAD,
    LOCAL_FAILED,
)

TEMPLATES: tuple[str, ...] = (
    "timeout after <N>s",
    "local model exceeded its time budget (<N>s)",
    "local model crashed (signal <NAME>)",
    "local model exited unexpectedly (exit code <N>)",
    "LLM error: HTTP <N> from the provider",
    "invalid answer after one repair: <first problem>",
)

_PATTERNS = (
    re.compile(r"timeout after \d+(\.\d+)?s"),
    re.compile(r"local model exceeded its time budget( \(\d+(\.\d+)?s\))?"),
    re.compile(r"local model crashed \(signal SIG[A-Z0-9]+\)"),
    re.compile(r"local model exited unexpectedly \(exit code -?\d+\)"),
    re.compile(r"LLM error: HTTP [45]\d\d from the provider"),
    re.compile(r"invalid answer after one repair: [^\n]{1,300}"),
)


def is_documented(reason: str) -> bool:
    """Whether ``reason`` is a fixed reason or fills in one of the templates."""
    return reason in FIXED or any(p.fullmatch(reason) for p in _PATTERNS)
