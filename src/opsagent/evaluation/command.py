"""``opsagent eval [DIR ...]``: score the engine (or the agent) on labeled corpora.

Without a directory it runs the tuned corpus (``benchmarks/scenarios``) and every blind
split beside it (each directory of ``benchmarks/`` whose ``split.yaml`` says ``split:
blind``: ``holdout``, ``blind``, ``blind2``). The thresholds gate the tuned corpus; the
blind splits are a measurement, printed apart against the generalization targets, with
their breakdowns (per format, per category, confusion, calibration) but not their cases.

The thresholds gate the whole tuned corpus; a selection of its cases (``-k``) is gated
only by the thresholds given on the command line.

On a terminal, a progress bar on stderr (cases done, the current case, elapsed time and
an estimate of the rest); nothing extra when stderr is a pipe or a file.

Exit codes: 0 every threshold met; 3 a threshold not met; 2 unusable corpus or bad usage
(one line per problem on stderr); 1 an unexpected internal error.
"""

import fnmatch
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UserError
from .cases import SPLIT_FILE, BrokenCase, Case, CorpusError, corpus_split, load_corpus
from .render import ProgressBar, render_json, render_table
from .runner import EvalRun, run_cases
from .thresholds import DEFAULT_THRESHOLDS, GENERALIZATION_TARGETS

_T = DEFAULT_THRESHOLDS
CORPUS_RELATIVE = Path("benchmarks") / "scenarios"
THRESHOLD_NOT_MET = 3  # exit code: distinct from 1 (internal error) and 2 (usage)
EPILOG = ("The thresholds gate the whole tuned corpus; a selection of its cases (-k) is "
          "gated only by the thresholds given. Exit codes: 0 every threshold met; 3 a "
          "threshold not met; 2 unusable corpus or bad usage; 1 an unexpected internal "
          "error.")


def default_corpus_dir() -> Path:
    """``benchmarks/scenarios`` of the current directory, else of the source checkout."""
    candidates = [Path.cwd() / CORPUS_RELATIVE]
    candidates += [parent / CORPUS_RELATIVE for parent in Path(__file__).resolve().parents]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise CorpusError("no scenario corpus found (looked for benchmarks/scenarios in the "
                      "current directory and the source checkout); pass a directory")


def default_corpora() -> list[Path]:
    """The tuned corpus and the blind splits that exist beside it."""
    tuned = default_corpus_dir()
    blind = [path for path in sorted(tuned.parent.iterdir())
             if path != tuned and (path / SPLIT_FILE).is_file() and corpus_split(path) == "blind"]
    return [tuned, *blind]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"opsagent: error: {message}", err=True)
    return typer.Exit(code)


def _ratio(name: str, value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise _fail(f"option '--{name}': expected a number between 0 and 1, got {value}")


def eval_command(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(help="Corpus directories (default: benchmarks/scenarios and the "
                            "blind splits beside it).", show_default=False, metavar="DIR"),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document instead of the table.")
    ] = False,
    history: Annotated[
        bool, typer.Option("--history", help="Replay the corpus (default: the tuned one) "
                                             "in time order with incident memory, and "
                                             "compare with the engine alone.")
    ] = False,
    blind_cases: Annotated[
        bool, typer.Option("--blind-cases", help="Also list the blind splits' cases (by "
                                                 "default only their figures).")
    ] = False,
    llm: Annotated[
        str | None,
        typer.Option("--llm", help="Run the agent with this LLM spec instead of the engine "
                                   "alone (the latency threshold is then not applied).",
                     show_default=False),
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option("--case", "-k", metavar="PATTERN",
                     help="Only cases whose name contains this text or matches this glob "
                          "(repeatable).", show_default=False),
    ] = None,
    min_severity_accuracy: Annotated[
        float | None,
        typer.Option(help=f"Minimum severity accuracy (default {_T.min_severity_accuracy})",
                     show_default=False),
    ] = None,
    min_severity_balanced_accuracy: Annotated[
        float | None,
        typer.Option(help="Minimum severity balanced accuracy "
                          f"(default {_T.min_severity_balanced_accuracy})",
                     show_default=False),
    ] = None,
    min_top1_accuracy: Annotated[
        float | None,
        typer.Option(help=f"Minimum top-1 category accuracy (default {_T.min_top1_accuracy})",
                     show_default=False),
    ] = None,
    min_top3_accuracy: Annotated[
        float | None,
        typer.Option(help=f"Minimum top-3 category accuracy (default {_T.min_top3_accuracy})",
                     show_default=False),
    ] = None,
    min_action_recall: Annotated[
        float | None,
        typer.Option(help=f"Minimum mean action recall (default {_T.min_action_recall})",
                     show_default=False),
    ] = None,
    max_forbidden_actions: Annotated[
        int | None,
        typer.Option(help="Maximum forbidden actions recommended "
                          f"(default {_T.max_forbidden_actions})", show_default=False),
    ] = None,
    max_failures: Annotated[
        int | None,
        typer.Option(help=f"Maximum failed cases (default {_T.max_failures})",
                     show_default=False),
    ] = None,
    max_p95_latency_ms: Annotated[
        float | None,
        typer.Option(help="Maximum p95 latency per case, engine only "
                          f"(default {_T.max_p95_latency_ms})", show_default=False),
    ] = None,
) -> None:
    """Score the triage engine on the labeled scenario corpus."""
    for name, value in (("min-severity-accuracy", min_severity_accuracy),
                        ("min-severity-balanced-accuracy", min_severity_balanced_accuracy),
                        ("min-top1-accuracy", min_top1_accuracy),
                        ("min-top3-accuracy", min_top3_accuracy),
                        ("min-action-recall", min_action_recall)):
        _ratio(name, value)
    for name, count in (("max-forbidden-actions", max_forbidden_actions),
                        ("max-failures", max_failures)):
        if count is not None and count < 0:
            raise _fail(f"option '--{name}': expected a count of 0 or more, got {count}")
    given = {k: v for k, v in {
        "min_severity_accuracy": min_severity_accuracy,
        "min_severity_balanced_accuracy": min_severity_balanced_accuracy,
        "min_top1_accuracy": min_top1_accuracy,
        "min_top3_accuracy": min_top3_accuracy,
        "min_action_recall": min_action_recall,
        "max_forbidden_actions": max_forbidden_actions,
        "max_failures": max_failures,
        "max_p95_latency_ms": max_p95_latency_ms,
    }.items() if v is not None}
    thresholds = _T.with_overrides(**given)
    if llm is not None and max_p95_latency_ms is None:
        thresholds = replace(thresholds, max_p95_latency_ms=None)  # seconds per LLM call

    if history:
        if llm is not None:
            raise _fail("--history replays the engine alone; it cannot be combined "
                        "with --llm")
        _history(directories or [], case or [], json_output)
        return
    try:
        roots = list(directories) if directories else default_corpora()
        loaded = [(root, corpus_split(root), *load_corpus(root)) for root in roots]
    except UserError as exc:
        raise _fail(str(exc)) from None
    patterns = case or []
    # the thresholds gate the whole corpus; a selection only by those given
    applied: list[str] | None = sorted(given) if patterns else None

    def selected(name: str) -> bool:
        return not patterns or any(p in name or fnmatch.fnmatch(name, p) for p in patterns)

    splits: dict[str, tuple[list[Path], list[Case], list[BrokenCase]]] = {}
    for root, split, cases, broken in loaded:
        roots_of, cases_of, broken_of = splits.setdefault(split, ([], [], []))
        roots_of.append(root)
        cases_of.extend(c for c in cases if selected(c.name))
        broken_of.extend(b for b in broken if selected(b.name))
    for _roots, _cases, broken in splits.values():
        for bad in broken:
            typer.echo(f"opsagent: error: {bad.error}", err=True)
    if not any(cases for _r, cases, _b in splits.values()):
        where = ", ".join(str(r) for r in roots)
        if any(broken for _r, _c, broken in splits.values()):
            raise _fail(f"no usable case in {where}")
        what = "matching " + ", ".join(patterns) if patterns else "(no case directories)"
        raise _fail(f"no case in {where} {what}")

    options: dict[str, Any] = {}
    if llm is not None:
        options["llm"] = llm
    engine = f"agent ({llm})" if llm else "engine"
    runs: dict[str, EvalRun] = {}
    for split, (split_roots, cases, broken) in splits.items():
        if cases or broken:
            runs[split] = run_cases(cases, broken, options=options, engine=engine,
                                    corpus=", ".join(str(r) for r in split_roots),
                                    progress=ProgressBar.for_stream(sys.stderr))
    tuned, blind = runs.get("tuned"), runs.get("blind")
    violations = thresholds.violations(tuned.aggregate, only=applied) if tuned else []
    targets = replace(GENERALIZATION_TARGETS, max_p95_latency_ms=None)
    misses = targets.violations(blind.aggregate) if blind else []
    if json_output:
        sys.stdout.write(render_json(tuned, thresholds, violations, blind=blind,
                                     targets=targets, misses=misses, applied=applied) + "\n")
    else:
        typer.echo(render_table(tuned, thresholds, violations, blind=blind, targets=targets,
                                misses=misses, blind_cases=blind_cases or tuned is None,
                                applied=applied))
    if violations:
        raise typer.Exit(THRESHOLD_NOT_MET)


def _history(directories: list[Path], patterns: list[str], json_output: bool) -> None:
    """``--history``: the memory replay of one corpus (see :mod:`.history`)."""
    from .history import render_replay, replay, replay_json

    try:
        roots = directories or [default_corpus_dir()]
        cases: list[Case] = []
        for root in roots:
            found, broken = load_corpus(root)
            cases.extend(found)
            for bad in broken:
                typer.echo(f"opsagent: error: {bad.error}", err=True)
    except UserError as exc:
        raise _fail(str(exc)) from None
    cases = [c for c in cases if not patterns
             or any(p in c.name or fnmatch.fnmatch(c.name, p) for p in patterns)]
    if not cases:
        raise _fail(f"no case to replay in {', '.join(str(r) for r in roots)}")
    result = replay(cases)
    corpus = ", ".join(str(r) for r in roots)
    if json_output:
        sys.stdout.write(replay_json(result, corpus) + "\n")
    else:
        typer.echo(render_replay(result, corpus))


def register_cli(app: typer.Typer) -> None:
    """Add the ``eval`` command to a typer app (the ``opsagent`` CLI calls this)."""
    app.command("eval", help="Score the triage engine on the labeled scenario corpus.",
                epilog=EPILOG)(
        eval_command
    )
