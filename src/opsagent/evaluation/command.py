"""``opsagent eval [DIR]``: score the engine (or the agent) on the labeled scenario corpus.

Exit codes: 0 every threshold met; 1 a threshold not met (or an unexpected error);
2 unusable corpus or bad usage (one line per problem on stderr).
"""

import fnmatch
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UserError
from .cases import CorpusError, load_corpus
from .render import render_json, render_table
from .runner import run_cases
from .thresholds import DEFAULT_THRESHOLDS

_T = DEFAULT_THRESHOLDS
CORPUS_RELATIVE = Path("benchmarks") / "scenarios"


def default_corpus_dir() -> Path:
    """``benchmarks/scenarios`` of the current directory, else of the source checkout."""
    candidates = [Path.cwd() / CORPUS_RELATIVE]
    candidates += [parent / CORPUS_RELATIVE for parent in Path(__file__).resolve().parents]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise CorpusError("no scenario corpus found (looked for benchmarks/scenarios in the "
                      "current directory and the source checkout); pass a directory")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"opsagent: error: {message}", err=True)
    return typer.Exit(code)


def _ratio(name: str, value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise _fail(f"option '--{name}': expected a number between 0 and 1, got {value}")


def eval_command(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Corpus directory (default: benchmarks/scenarios).",
                       show_default=False),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document instead of the table.")
    ] = False,
    llm: Annotated[
        str | None,
        typer.Option("--llm", help="Run the agent with this LLM spec instead of the engine "
                                   "alone (the latency threshold is then not applied).",
                     show_default=False),
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option("--case", "-k", help="Only cases whose name contains this text or "
                                          "matches this glob (repeatable).",
                     show_default=False),
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
    thresholds = _T.with_overrides(
        min_severity_accuracy=min_severity_accuracy,
        min_severity_balanced_accuracy=min_severity_balanced_accuracy,
        min_top1_accuracy=min_top1_accuracy,
        min_top3_accuracy=min_top3_accuracy,
        min_action_recall=min_action_recall,
        max_forbidden_actions=max_forbidden_actions,
        max_failures=max_failures,
        max_p95_latency_ms=max_p95_latency_ms,
    )
    if llm is not None and max_p95_latency_ms is None:
        thresholds = replace(thresholds, max_p95_latency_ms=None)  # seconds per LLM call

    try:
        root = directory if directory is not None else default_corpus_dir()
        cases, broken = load_corpus(root)
    except UserError as exc:
        raise _fail(str(exc)) from None
    patterns = case or []
    if patterns:
        def selected(name: str) -> bool:
            return any(p in name or fnmatch.fnmatch(name, p) for p in patterns)

        cases = [c for c in cases if selected(c.name)]
        broken = [b for b in broken if selected(b.name)]
    for bad in broken:
        typer.echo(f"opsagent: error: {bad.error}", err=True)
    if not cases:
        if broken:
            raise _fail(f"no usable case in {root} ({len(broken)} malformed)")
        what = "matching " + ", ".join(patterns) if patterns else "(no case directories)"
        raise _fail(f"no case in {root} {what}")

    options: dict[str, Any] = {}
    if llm is not None:
        options["llm"] = llm
    run = run_cases(cases, broken, options=options, corpus=str(root),
                    engine=f"agent ({llm})" if llm else "engine")
    violations = thresholds.violations(run.aggregate)
    if json_output:
        sys.stdout.write(render_json(run, thresholds, violations) + "\n")
    else:
        typer.echo(render_table(run, thresholds, violations))
    if violations:
        raise typer.Exit(1)


def register_cli(app: typer.Typer) -> None:
    """Add the ``eval`` command to a typer app (the ``opsagent`` CLI calls this)."""
    app.command("eval", help="Score the triage engine on the labeled scenario corpus.")(
        eval_command
    )
