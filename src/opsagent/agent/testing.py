"""Test doubles for the agent (house rule 6): :class:`ScriptedLLM` answers from a queue.

::

    from opsagent.agent import refine
    from opsagent.agent.testing import ScriptedLLM

    llm = ScriptedLLM([{"summary": "...", "severity": {...}, "root_causes": [...]}])
    refined = refine(report, incident, llm.settings())
    llm.requests  # every message list the agent sent, as the LLM received it

Each queued answer is a string (returned as is), a dict or list (returned as JSON), an
exception instance (raised), or a callable ``f(messages) -> answer``. An empty queue
raises. Importing this module imports CrewAI.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, PrivateAttr

from .runtime import chat_messages, import_crewai
from .settings import LLMSettings

import_crewai()

from crewai import BaseLLM  # noqa: E402  (after the telemetry switches)

if TYPE_CHECKING:
    from crewai.agents.agent_builder.base_agent import BaseAgent
    from crewai.task import Task
    from crewai.tools.base_tool import BaseTool
    from crewai.utilities.types import LLMMessage


class ScriptedLLM(BaseLLM):
    """A CrewAI LLM that returns queued answers and records what it was sent."""

    llm_type: str = "scripted"
    provider: str = "scripted"
    answers: list[Any] = Field(default_factory=list)
    requests: list[list[dict[str, str]]] = Field(default_factory=list)
    response_models: list[Any] = Field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering (interrupted by cancellation)

    _cancel: threading.Event | None = PrivateAttr(default=None)

    def __init__(self, answers: Iterable[Any] = (), **data: Any) -> None:
        data.setdefault("model", "scripted")
        super().__init__(answers=list(answers), **data)

    def settings(self, **options: Any) -> LLMSettings:
        """Settings that make :func:`opsagent.agent.refine` use this LLM."""
        options.setdefault("tools", False)
        return LLMSettings(provider="scripted", model=self.model, llm=self, **options)

    def set_cancel_event(self, event: threading.Event) -> None:
        self._cancel = event

    def call(
        self,
        messages: str | list[LLMMessage],
        tools: list[dict[str, BaseTool]] | None = None,
        callbacks: list[Any] | None = None,
        available_functions: dict[str, Any] | None = None,
        from_task: Task | None = None,
        from_agent: BaseAgent | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> str | Any:
        chat = chat_messages(messages)
        self.requests.append(chat)
        self.response_models.append(response_model)
        if self.delay:
            event = self._cancel or threading.Event()
            if event.wait(self.delay):
                raise TimeoutError("cancelled")
        if not self.answers:
            raise RuntimeError("ScriptedLLM has no answer left")
        answer = self.answers.pop(0)
        if callable(answer) and not isinstance(answer, type):
            answer = answer(chat)
        if isinstance(answer, BaseException):
            raise answer
        text = answer if isinstance(answer, str) else json.dumps(answer)
        words_in = sum(len(m["content"].split()) for m in chat)
        self._track_token_usage_internal({"prompt_tokens": words_in,
                                          "completion_tokens": len(text.split()),
                                          "total_tokens": words_in + len(text.split())})
        return text

    def supports_function_calling(self) -> bool:
        return False

    def get_input_tokens_count(
        self,
        messages: str | list[LLMMessage],
        tools: list[dict[str, BaseTool]] | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> int:
        return sum(len(m["content"]) for m in chat_messages(messages)) // 4
