"""A GGUF model run by llama-cpp-python in a child process, as a CrewAI LLM.

llama-cpp-python's bundled server rejects the ``json_schema`` response format CrewAI
asks for, so this is a CrewAI custom LLM (``BaseLLM``) that sends the requested schema
to the model's process, where it becomes a grammar: the model can only write JSON of the
answer's shape, with categories from the taxonomy and evidence ids that exist.

The model runs in its own process (:mod:`opsagent.agent.local_process`): its crash,
hang or memory blow-up ends that process, not the triage; the budget kills it.

Imported only when a ``local:`` spec runs (it imports CrewAI, never llama.cpp).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, PrivateAttr

from . import reasons
from .local_process import LocalModelFailed, model_process
from .runtime import AgentUnavailable, chat_messages, import_crewai
from .settings import LLMSettings

import_crewai()

from crewai import BaseLLM  # noqa: E402  (after the telemetry switches)

if TYPE_CHECKING:
    from crewai.agents.agent_builder.base_agent import BaseAgent
    from crewai.task import Task
    from crewai.tools.base_tool import BaseTool
    from crewai.utilities.types import LLMMessage


class LocalLlamaLLM(BaseLLM):
    """CrewAI LLM over llama.cpp with JSON-schema-constrained decoding."""

    llm_type: str = "local"
    provider: str = "local"
    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    memory_mb: int | None = None  # the child's address-space cap (None: by model size)
    json_schema: dict[str, Any] | None = None  # overrides the response model's schema

    _cancel: threading.Event | None = PrivateAttr(default=None)

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
        schema = self.json_schema
        if schema is None and response_model is not None:
            schema = response_model.model_json_schema()
        request = {
            "messages": chat,
            "schema": schema,
            "max_tokens": int(self.max_tokens or 1024),
            "temperature": self.temperature if self.temperature is not None else 0.1,
            "stop": self.stop_sequences or None,
        }
        process = model_process(self.model_path, self.n_ctx, self.n_threads, self.memory_mb)
        completion = process.generate(request, cancel=self._cancel)
        usage = completion.get("usage") or {}
        self._track_token_usage_internal({
            "prompt_tokens": usage.get("prompt_tokens", 0),
            "completion_tokens": usage.get("completion_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0),
        })
        try:
            content = str(completion["choices"][0]["message"].get("content") or "")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise LocalModelFailed(reasons.LOCAL_FAILED) from None
        if response_model is not None:
            try:
                return response_model.model_validate_json(content)
            except ValueError:
                return content
        return content

    def supports_function_calling(self) -> bool:
        return False

    def get_context_window_size(self) -> int:
        return self.n_ctx

    def get_input_tokens_count(
        self,
        messages: str | list[LLMMessage],
        tools: list[dict[str, BaseTool]] | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> int:
        text = "\n".join(m["content"] for m in chat_messages(messages))
        return (len(text) + 3) // 4


def create_local_llm(settings: LLMSettings) -> LocalLlamaLLM:
    if importlib.util.find_spec("llama_cpp") is None:
        raise AgentUnavailable(reasons.NO_LLAMA)
    if settings.model_path is None or not Path(settings.model_path).is_file():
        raise AgentUnavailable(reasons.MODEL_FILE_MISSING)
    return LocalLlamaLLM(
        model=settings.model,
        model_path=str(settings.model_path),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        memory_mb=settings.memory_mb,
    )
