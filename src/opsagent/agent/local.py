"""A GGUF model run in process by llama-cpp-python, as a CrewAI LLM.

llama-cpp-python's bundled server rejects the ``json_schema`` response format CrewAI
asks for, so this is a CrewAI custom LLM (``BaseLLM``) that calls llama.cpp directly
and turns the requested schema into a grammar: the model can only write JSON of the
answer's shape, with categories from the taxonomy and evidence ids that exist.

Imported only when a ``local:`` spec runs (it imports CrewAI and llama_cpp).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, PrivateAttr

from .runtime import AgentUnavailable, chat_messages, import_crewai
from .settings import LLMSettings

import_crewai()

from crewai import BaseLLM  # noqa: E402  (after the telemetry switches)

try:
    import llama_cpp
    from llama_cpp.llama_grammar import LlamaGrammar
except ImportError:  # pragma: no cover - exercised when the extra is missing
    raise AgentUnavailable("llama-cpp-python is not installed: "
                           "pip install 'opsagent[local]'") from None

if TYPE_CHECKING:
    from crewai.agents.agent_builder.base_agent import BaseAgent
    from crewai.task import Task
    from crewai.tools.base_tool import BaseTool
    from crewai.utilities.types import LLMMessage

_MODELS: dict[tuple[str, int, int | None], Any] = {}
_LOAD_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()  # one llama.cpp context: one generation at a time


def available_cores() -> int:
    """The cores this process may use (llama.cpp's default counts the whole machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Cancelled(RuntimeError):
    """The run was cancelled (its time budget ran out) during generation."""


def load_model(path: str, n_ctx: int, n_threads: int | None) -> Any:
    """The ``llama_cpp.Llama`` for ``path``, loaded once per process and size."""
    key = (path, n_ctx, n_threads)
    with _LOAD_LOCK:
        model = _MODELS.get(key)
        if model is None:
            if len(_MODELS) >= 2:
                _MODELS.clear()
            threads = n_threads or available_cores()
            model = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=threads,
                                    n_threads_batch=threads, verbose=False, seed=42)
            _MODELS[key] = model
        return model


class LocalLlamaLLM(BaseLLM):
    """CrewAI LLM over llama.cpp with JSON-schema-constrained decoding."""

    llm_type: str = "local"
    provider: str = "local"
    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
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
        grammar = None
        if schema is not None:
            grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        model = load_model(self.model_path, self.n_ctx, self.n_threads)
        cancel = self._cancel

        def stop_when_cancelled(input_ids: Any, scores: Any) -> Any:
            if cancel is not None and cancel.is_set():
                raise Cancelled("generation cancelled")
            return scores

        with _RUN_LOCK:
            if cancel is not None and cancel.is_set():
                raise Cancelled("generation cancelled")
            completion = model.create_chat_completion(
                messages=chat,
                grammar=grammar,
                max_tokens=int(self.max_tokens or 1024),
                temperature=self.temperature if self.temperature is not None else 0.1,
                seed=42,
                stop=None if grammar is not None else (self.stop_sequences or None),
                logits_processor=llama_cpp.LogitsProcessorList([stop_when_cancelled]),
            )
        usage = completion.get("usage") or {}
        self._track_token_usage_internal({
            "prompt_tokens": usage.get("prompt_tokens", 0),
            "completion_tokens": usage.get("completion_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0),
        })
        content = completion["choices"][0]["message"].get("content") or ""
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
    if settings.model_path is None or not Path(settings.model_path).is_file():
        raise AgentUnavailable(f"model file not found: {settings.model_path}")
    return LocalLlamaLLM(
        model=settings.model,
        model_path=str(settings.model_path),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )
