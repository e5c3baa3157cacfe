"""The CrewAI crew: one agent (the persona in ``prompts/agent.yaml``), one task whose
answer is validated by a guardrail with one repair attempt, and the read-only tools.

Imported only on the agent path (it imports CrewAI).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, create_model

from ..errors import AgentError
from . import reasons
from .answer import Answer, Parsed, parse_answer
from .evidence import EvidenceCatalog
from .prompt import TaskPrompt, persona, render_repair
from .redact import redact
from .runtime import import_crewai
from .toolbox import Toolbox, ToolSpec, tool_specs

import_crewai()

from crewai import Agent, Crew, Process, Task  # noqa: E402  (after the telemetry switches)
from crewai.tools import BaseTool  # noqa: E402


class InvalidAnswer(AgentError):
    def __init__(self, message: str) -> None:
        super().__init__(message, reason="invalid")


@dataclass
class AgentRun:
    answer: Answer
    attempts: int
    dropped: list[str] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    tools_used: list[str] = field(default_factory=list)

    @property
    def repaired(self) -> bool:
        return self.attempts > 1


@dataclass
class _Check:
    """The task guardrail: strict on the first answer, lenient on the repair."""

    catalog: EvidenceCatalog
    attempts: int = 0
    parsed: Parsed | None = None
    problems: list[str] = field(default_factory=list)

    def __call__(self, output: Any) -> tuple[bool, Any]:
        self.attempts += 1
        strict = self.attempts == 1
        raw = getattr(output, "pydantic", None) or getattr(output, "json_dict", None) \
            or getattr(output, "raw", "")
        parsed = parse_answer(raw, strict=strict)
        problems = list(parsed.problems)
        answer = parsed.answer
        if answer is not None and strict and answer.root_causes and not any(
                self.catalog.ground(e) for c in answer.root_causes for e in c.evidence):
            problems.append("no root cause cites evidence from the evidence list "
                            "(cite ids such as E1)")
        if answer is None or problems:
            self.problems = problems or ["the answer could not be used"]
            return False, render_repair(self.problems)
        self.parsed = parsed
        return True, getattr(output, "raw", "") or "{}"


class _ReadOnlyTool(BaseTool):
    _fn: Any = PrivateAttr(default=None)

    def _run(self, *args: Any, **kwargs: Any) -> str:
        value = next(iter(kwargs.values()), args[0] if args else "")
        result: str = redact(self._fn(str(value or "")))  # whatever the tool, redacted
        return result


def build_tools(specs: list[ToolSpec]) -> list[BaseTool]:
    tools: list[BaseTool] = []
    for spec in specs:
        fields: dict[str, Any] = {
            spec.argument: (str, Field(default="", description=spec.argument_help))}
        schema: type[BaseModel] = create_model(f"{spec.name}_arguments", **fields)
        tool = _ReadOnlyTool(name=spec.name, description=spec.description, args_schema=schema)
        tool._fn = spec.run
        tools.append(tool)
    return tools


def run_crew(
    llm: Any,
    *,
    prompt: TaskPrompt,
    catalog: EvidenceCatalog,
    toolbox: Toolbox | None,
    max_iterations: int,
) -> AgentRun:
    """Run the crew once (plus at most one repair); raises on any failure."""
    _quiet_context()
    who = persona()
    tools = build_tools(tool_specs(toolbox)) if toolbox is not None else []
    check = _Check(catalog)
    agent = Agent(
        role=who.role,
        goal=who.goal,
        backstory=who.backstory,
        llm=llm,
        tools=tools,
        allow_delegation=False,
        verbose=False,
        max_iter=max_iterations if tools else 2,
        max_retry_limit=0,
        respect_context_window=False,
        cache=False,
    )
    task = Task(
        description=prompt.description,
        expected_output=prompt.expected_output,
        agent=agent,
        guardrail=lambda output: check(output),  # unannotated: CrewAI inspects it
        guardrail_max_retries=1,
    )
    crew = Crew(agents=[agent], tasks=[task], process=Process.sequential, verbose=False,
                tracing=False, memory=False, cache=False)
    try:
        result = crew.kickoff()
    except Exception as exc:
        if check.attempts >= 2 and check.parsed is None:
            raise InvalidAnswer(reasons.invalid_after_repair(
                check.problems[0] if check.problems else "the answer could not be used")
            ) from exc
        raise
    if check.parsed is None or check.parsed.answer is None:
        raise InvalidAnswer(reasons.NO_ANSWER)
    usage = getattr(result, "token_usage", None)
    return AgentRun(
        answer=check.parsed.answer,
        attempts=check.attempts,
        dropped=list(check.parsed.dropped),
        tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
        tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
        tools_used=list(toolbox.used) if toolbox is not None else [],
    )


def _quiet_context() -> None:
    """Settings for this (worker) thread's context only.

    * CrewAI's console output (event-bus warnings when a provider call fails) and its
      tracing messages are suppressed: stdout carries the report (``--format json``).
    * Retries are the provider SDK's (``max_retries``); CrewAI's own loop would retry a
      rate-limited call three more times with backoff, past the run's budget.
    """
    from crewai.events.utils.console_formatter import set_suppress_console_output

    set_suppress_console_output(True)
    try:
        from crewai.events.listeners.tracing.utils import set_suppress_tracing_messages
    except ImportError:
        pass
    else:
        set_suppress_tracing_messages(True)
    try:
        from crewai.llms import retry
    except ImportError:
        return
    flag = getattr(retry, "_active_llm_rate_limit_retry", None)
    if isinstance(flag, contextvars.ContextVar):
        flag.set(True)
