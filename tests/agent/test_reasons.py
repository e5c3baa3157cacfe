"""Fallback reasons are a fixed, documented vocabulary, never an exception's text."""

from __future__ import annotations

import json
import re

import pytest

from opsagent.agent import reasons
from opsagent.agent.refine import describe_error

from .conftest import ROOT

DOCS = (ROOT / "docs" / "agent.md").read_text(encoding="utf-8")


def documented_rows() -> set[str]:
    table = DOCS[DOCS.index("otherwise one of these reasons"):DOCS.index("## Benchmark")]
    return set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M))


def test_the_docs_list_exactly_the_vocabulary() -> None:
    assert documented_rows() == {*reasons.FIXED, *reasons.TEMPLATES}


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status


class _StatusError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.response = _Response(status)


def _caused(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(("error", "reason"), [
    (AttributeError("'str' object has no attribute 'choices'"), reasons.BAD_SHAPE),
    (TypeError("'NoneType' object is not subscriptable"), reasons.BAD_SHAPE),
    (KeyError("choices"), reasons.BAD_SHAPE),
    (RuntimeError("Traceback (most recent call last): ... secret sk-proj-abcdefghijklmnop"),
     reasons.PROVIDER_FAILED),
    (_StatusError(429, "Rate limit reached for org-123 on key sk-..."), reasons.RATE_LIMITED),
    (_StatusError(503, "upstream /internal/path failed"),
     "LLM error: HTTP 503 from the provider"),
    (_caused(RuntimeError("wrapped"), json.JSONDecodeError("Expecting value", "<html>", 0)),
     reasons.NOT_JSON),
    (TimeoutError("read timed out after 5.0s on 10.0.0.7:443"), reasons.REQUEST_TIMED_OUT),
    (ConnectionRefusedError("[Errno 111] Connect call failed ('10.1.2.3', 8000)"),
     reasons.CANNOT_CONNECT),
    (ValueError("This model's maximum context length is 4096 tokens, exceeded"),
     reasons.CONTEXT_TOO_SMALL),
])
def test_errors_become_documented_words(error: BaseException, reason: str) -> None:
    got = describe_error(error)
    assert got == reason
    assert reasons.is_documented(got)


def test_an_agent_error_with_undocumented_text_is_not_passed_through() -> None:
    from opsagent.errors import AgentError

    assert describe_error(AgentError("KeyError: 'x' at /home/me/secret.py:12")) == \
        reasons.AGENT_FAILED
    assert describe_error(AgentError(reasons.local_crashed("SIGILL"))) == \
        "local model crashed (signal SIGILL)"


@pytest.mark.parametrize("text", [
    "timeout after 8s", "timeout after 0.5s", "local model crashed (signal SIGSEGV)",
    "local model exceeded its time budget (60s)", "LLM error: HTTP 500 from the provider",
    "local model exited unexpectedly (exit code 3)",
    "invalid answer after one repair: the answer is not a JSON object",
])
def test_the_templates_fill_in(text: str) -> None:
    assert reasons.is_documented(text)


@pytest.mark.parametrize("text", [
    "LLM error: AttributeError: 'str' object has no attribute 'choices'",
    "local model crashed (signal SIGILL) at 0x7ffd", "timeout after soon",
])
def test_other_text_is_not_a_reason(text: str) -> None:
    assert not reasons.is_documented(text)
