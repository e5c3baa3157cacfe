"""Running a corpus through the engine (or the agent), one case at a time.

A case that raises is recorded as a failure with its one-line error; it never stops the
run. The analysis function is injectable so the evaluation itself can be tested without
the engine.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models.report import TriageReport
from .cases import BrokenCase, Case, load_corpus
from .scoring import Aggregate, CaseResult, aggregate, failed_case, score_report

AnalyzeFn = Callable[..., TriageReport]
Progress = Callable[[int, int, str], None]  # (cases done, cases in all, the current case)


@dataclass
class EvalRun:
    corpus: str
    engine: str
    results: list[CaseResult] = field(default_factory=list)

    @property
    def aggregate(self) -> Aggregate:
        return aggregate(self.results)


def default_analyze() -> AnalyzeFn:
    """``opsagent.analyze``, imported only when a run needs it."""
    import opsagent

    analyze: AnalyzeFn = opsagent.analyze  # type: ignore[attr-defined,unused-ignore]
    return analyze


def case_formats(case: Case) -> list[str]:
    """The input formats of a case's payloads (``unrecognised`` for a document no adapter
    takes), sorted; detection only, nothing is analysed."""
    from ..ingest import detect
    from ..plugins import default_registry

    registry = default_registry()
    found: set[str] = set()
    for payload in case.payloads:
        for doc in payload if isinstance(payload, list) else [payload]:
            try:
                found.add(detect(doc, registry, case.name).name)
            except Exception:  # an unrecognised document is the analysis's to report
                found.add("unrecognised")
    return sorted(found)


def run_case(case: Case, analyze: AnalyzeFn, options: dict[str, Any] | None = None
             ) -> CaseResult:
    """Analyse one case and score the report; any exception becomes a recorded failure."""
    formats = case_formats(case)
    started = time.perf_counter()
    try:
        report: object = analyze(*case.payloads, now=case.expected.now, **(options or {}))
    except Exception as exc:  # one bad case never loses the others
        elapsed = (time.perf_counter() - started) * 1000.0
        return failed_case(case.name, case.expected, _one_line(exc), elapsed, formats)
    elapsed = (time.perf_counter() - started) * 1000.0
    if not isinstance(report, TriageReport):
        return failed_case(case.name, case.expected,
                           f"analyze returned {type(report).__name__}, not a TriageReport",
                           elapsed, formats)
    try:
        return score_report(case.name, case.expected, report, elapsed, formats)
    except Exception as exc:
        return failed_case(case.name, case.expected, _one_line(exc), elapsed, formats)


def run_cases(
    cases: Sequence[Case],
    broken: Sequence[BrokenCase] = (),
    *,
    analyze: AnalyzeFn | None = None,
    options: dict[str, Any] | None = None,
    corpus: str = "",
    engine: str = "engine",
    warmup: bool | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """Score every case (broken ones as failures), sorted by case name.

    ``warmup`` (default: on for the engine, off with an LLM) analyses the first case once,
    untimed, so one-time loading (knowledge base, adapters) is not charged to one case.
    ``progress(done, total, name)`` is called before each case and once at the end
    (``name`` empty).
    """
    run = EvalRun(corpus=corpus, engine=engine)
    resolved: AnalyzeFn | None = analyze
    load_error: str | None = None
    if resolved is None and cases:
        try:
            resolved = default_analyze()
        except (ImportError, AttributeError) as exc:
            load_error = f"opsagent.analyze is not available ({_one_line(exc)})"
    if warmup is None:
        warmup = "llm" not in (options or {})
    if warmup and resolved is not None and cases:
        with contextlib.suppress(Exception):  # the timed run records any failure
            resolved(*cases[0].payloads, now=cases[0].expected.now, **(options or {}))
    for done, case in enumerate(cases):
        if progress is not None:
            progress(done, len(cases), case.name)
        if resolved is None:
            run.results.append(failed_case(case.name, case.expected,
                                           load_error or "no analysis function"))
        else:
            run.results.append(run_case(case, resolved, options))
    if progress is not None:
        progress(len(cases), len(cases), "")
    for bad in broken:
        run.results.append(failed_case(bad.name, None, str(bad.error)))
    run.results.sort(key=lambda r: r.name)
    return run


def evaluate(root: Path, *, analyze: AnalyzeFn | None = None,
             options: dict[str, Any] | None = None, engine: str = "engine",
             select: Callable[[str], bool] | None = None) -> EvalRun:
    """Load the corpus at ``root`` and run it (``select`` filters cases by name)."""
    cases, broken = load_corpus(root)
    if select is not None:
        cases = [c for c in cases if select(c.name)]
        broken = [b for b in broken if select(b.name)]
    return run_cases(cases, broken, analyze=analyze, options=options, corpus=str(root),
                     engine=engine)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
