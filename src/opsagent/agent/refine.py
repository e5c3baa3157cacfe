"""``refine``: the engine's report, reviewed by the agent, guarded and merged.

It never raises. Any failure (a missing extra, a provider error, a timeout, an answer
still invalid after one repair) returns the engine's report with ``analysis.fallback``
saying why; ``analysis.agent`` records the run either way.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..errors import AgentError
from ..models import AgentInfo, Incident, TriageReport
from . import reasons
from .answer import response_model
from .deadline import Deadline
from .evidence import EvidenceCatalog
from .guardrails import merge
from .prompt import render_task
from .providers import Provider, provider_of
from .redact import redact
from .settings import LLMSettings
from .toolbox import runbook_actions

log = logging.getLogger("opsagent.agent")
_GRACE_S = 1.0  # after the budget, for the worker to see the cancellation and end


@dataclass
class _Outcome:
    run: Any = None  # crew.AgentRun
    calling: bool = False  # past the imports: cancellation now ends the run at once
    error: BaseException | None = None
    tokens: tuple[int, int] | None = None  # (in, out) spent by this run, failed or not


def refine(
    report: TriageReport,
    incident: Incident,
    settings: LLMSettings,
    *,
    knowledge: object | None = None,
    catalog: object | None = None,
) -> TriageReport:
    """The engine's ``report`` refined by the LLM agent; never raises."""
    started = time.perf_counter()
    info = AgentInfo(model=settings.model, provider=settings.provider)
    try:
        provider = provider_of(settings)
        evidence = EvidenceCatalog.build(report, incident)
        tools = settings.tools if settings.tools is not None else provider.default_tools
        prompt = render_task(report, evidence, tools=tools)
        outcome = _run_with_deadline(incident, settings, provider, evidence, prompt, tools,
                                     knowledge, catalog)
        info.latency_ms = _elapsed(started)
        if outcome is None:
            return _fallback(report, info, reasons.local_timeout(settings.timeout)
                             if settings.provider == "local"
                             else reasons.timeout(settings.timeout))
        if outcome.tokens is not None:
            info.tokens_in, info.tokens_out = outcome.tokens
        if outcome.error is not None:
            return _fallback(report, info, describe_error(outcome.error))
        run = outcome.run
        if outcome.tokens is None:
            info.tokens_in, info.tokens_out = run.tokens_in, run.tokens_out
        info.tools_used = list(run.tools_used)
        info.repaired = run.repaired
        runbook = runbook_actions(knowledge, [c.category for c in report.root_causes])
        decision = merge(run.answer, report, evidence, runbook)
        info.guardrails = [redact(n) for n in [*run.dropped, *decision.notes]]
        refined = decision.report
        refined.analysis.agent = info
        refined.analysis.fallback = None
        return refined
    except Exception as exc:  # the run must never crash because of the agent
        log.debug("agent failed", exc_info=True)
        info.latency_ms = _elapsed(started)
        return _fallback(report, info, describe_error(exc))


def _run_with_deadline(incident: Incident, settings: LLMSettings, provider: Provider,
                       evidence: EvidenceCatalog, prompt: Any, tools: bool,
                       knowledge: object | None, catalog: object | None) -> _Outcome | None:
    """Run the crew in a worker thread; None when the time budget runs out.

    The budget bounds the whole run: HTTP calls end by the deadline (connects, reads,
    retries and ``Retry-After`` included) and a local model's process is killed, so the
    worker thread is gone, or about to be, when this returns."""
    outcome = _Outcome()
    deadline = Deadline(settings.timeout)
    cancel = deadline.cancelled
    release = _mute_root_logging()

    def work() -> None:
        llm: Any = None
        before = (0, 0)
        try:
            from .crew import run_crew
            from .toolbox import Toolbox

            llm = settings.llm if settings.llm is not None \
                else _create(provider, settings, deadline)
            outcome.calling = True
            before = _usage(llm) or (0, 0)
            bind = getattr(llm, "set_cancel_event", None)
            if callable(bind):
                bind(cancel)
            structured = settings.structured_output if settings.structured_output is not None \
                else provider.default_structured
            if structured:
                model = response_model(evidence.ids(), constrained=provider.constrained_schema)
                provider.structure(llm, model.model_json_schema())
            box = Toolbox(evidence, prompt.nonce, knowledge=knowledge, service_catalog=catalog,
                          services=list(incident.services)) if tools else None
            outcome.run = run_crew(llm, prompt=prompt, catalog=evidence, toolbox=box,
                                   max_iterations=settings.max_iterations)
        except BaseException as exc:  # reported to the caller, never raised in the thread
            outcome.error = exc
        finally:
            after = _usage(llm) if llm is not None else None
            if after is not None:
                outcome.tokens = (after[0] - before[0], after[1] - before[1])
            deadline.close()
            release()

    worker = threading.Thread(target=work, name="opsagent-agent", daemon=True)
    worker.start()
    worker.join(settings.timeout)
    if worker.is_alive():
        deadline.cancel()  # a local model's process is killed; HTTP reads fail at once
        if outcome.calling:  # an import in progress cannot be interrupted: no wait then
            worker.join(_GRACE_S)
        if worker.is_alive():
            ABANDONED.append(worker)
        return None
    return outcome


#: agent threads left running past their budget (a one-shot process ends without
#: waiting for them: see :func:`abandoned`)
ABANDONED: list[threading.Thread] = []


def abandoned() -> bool:
    """Whether an agent thread is still running past its budget."""
    return any(thread.is_alive() for thread in ABANDONED)


def _create(provider: Provider, settings: LLMSettings, deadline: Deadline) -> Any:
    """The provider's LLM, bounded by ``deadline`` when the provider takes one (a
    plug-in's ``Provider`` subclass written before deadlines existed does not)."""
    if "deadline" in inspect.signature(provider.create).parameters:
        return provider.create(settings, deadline)
    return provider.create(settings)


def _usage(llm: Any) -> tuple[int, int] | None:
    """Tokens (in, out) the LLM object has counted over its lifetime, if it counts."""
    summary = getattr(llm, "get_token_usage_summary", None)
    if not callable(summary):
        return None
    try:
        usage = summary()
        return int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)
    except Exception:  # a provider without usage accounting
        return None


def _mute_root_logging() -> Any:
    """CrewAI logs provider failures through the *root* logger, which, when the
    application has configured no logging, sets up a stderr handler on the fly. While the
    agent runs (and until its thread ends, even after a timeout) a null handler stands in;
    an application's own logging configuration is left alone."""
    root = logging.getLogger()
    if root.handlers:
        return lambda: None
    stand_in = logging.NullHandler()
    root.addHandler(stand_in)
    return lambda: root.removeHandler(stand_in)


def describe_error(exc: BaseException) -> str:
    """The documented reason (:mod:`opsagent.agent.reasons`) for a failed run; never
    the exception's own text."""
    own = _find_in_chain(exc, AgentError)
    if own is not None:
        text = str(own)
        return text if reasons.is_documented(text) else reasons.AGENT_FAILED
    if _find_in_chain(exc, json.JSONDecodeError) is not None:
        return reasons.NOT_JSON
    status = _status_code(exc)
    if status is not None:
        return reasons.http_status(status)
    names = " ".join(f"{type(e).__name__} {e}" for e in _chain(exc)).lower()
    if "timeout" in names or "timed out" in names:
        return reasons.REQUEST_TIMED_OUT
    if "connect" in names:
        return reasons.CANNOT_CONNECT
    if "context" in names and ("window" in names or "length" in names or "exceed" in names):
        return reasons.CONTEXT_TOO_SMALL
    if _find_in_chain(exc, (AttributeError, TypeError, KeyError, IndexError)):
        return reasons.BAD_SHAPE
    return reasons.PROVIDER_FAILED


def _chain(exc: BaseException) -> list[BaseException]:
    seen: set[int] = set()
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def _find_in_chain(exc: BaseException,
                   kind: type[BaseException] | tuple[type[BaseException], ...]
                   ) -> BaseException | None:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def _status_code(exc: BaseException) -> int | None:
    for current in _chain(exc):
        for holder in (current, getattr(current, "response", None)):
            code = getattr(holder, "status_code", None)
            if isinstance(code, int) and 400 <= code < 600:
                return code
    return None


def _fallback(report: TriageReport, info: AgentInfo, reason: str) -> TriageReport:
    out = report.model_copy(deep=True)
    out.analysis.agent = info
    out.analysis.fallback = reason
    return out


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
