"""Rendering an evaluation run: a table per case plus the aggregate, or JSON."""

from __future__ import annotations

import json
from typing import Any

from .runner import EvalRun
from .scoring import CaseResult
from .thresholds import Thresholds

JSON_SCHEMA_VERSION = 1


def _mark(ok: bool) -> str:
    return "ok" if ok else "NO"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:5.1f}%"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _row(r: CaseResult) -> list[str]:
    if r.failed and r.got_severity is None:
        return [r.name, r.difficulty or "-", "/".join(r.expected_severity) or "-", "ERROR",
                "", "/".join(r.expected_top1) or "-", "ERROR", "", "",
                "-" if r.action_recall is None else f"{r.action_recall:.2f}", "-",
                _ms(r.latency_ms)]
    return [
        r.name,
        r.difficulty,
        "/".join(r.expected_severity),
        r.got_severity or "-",
        _mark(r.severity_ok),
        "/".join(r.expected_top1),
        r.got_top1 or "-",
        _mark(r.top1_ok),
        _mark(r.top3_ok),
        "-" if r.action_recall is None else f"{r.action_recall:.2f}",
        str(len(r.forbidden_hits)) if r.forbidden_hits else "-",
        _ms(r.latency_ms),
    ]


HEADER = ["case", "diff", "sev exp", "sev got", "", "top1 exp", "top1 got", "", "top3",
          "actions", "forb", "ms"]


def render_table(run: EvalRun, thresholds: Thresholds, violations: list[str]) -> str:
    rows = [HEADER] + [_row(r) for r in run.results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    details = []
    for r in run.results:
        if r.error:
            details.append(f"  {r.name}: error: {r.error}")
        if r.fallback:
            details.append(f"  {r.name}: agent fell back to the engine: {r.fallback}")
        for hit in r.forbidden_hits:
            details.append(f"  {r.name}: forbidden action: {hit}")
        for pattern in r.missed_actions if not r.error else []:
            details.append(f"  {r.name}: no action matches {pattern}")
    if details:
        lines += ["", "Details:", *details]
    agg = run.aggregate
    recall = "  ".join(f"{level} {_pct(value)}" for level, value in agg.severity_recall.items())
    lines += [
        "",
        f"Corpus: {run.corpus}  ({agg.cases} cases, engine: {run.engine})",
        f"Severity accuracy           {_pct(agg.severity_accuracy)}",
        f"Severity balanced accuracy  {_pct(agg.severity_balanced_accuracy)}   ({recall})",
        f"Top-1 category accuracy     {_pct(agg.top1_accuracy)}",
        f"Top-3 category accuracy     {_pct(agg.top3_accuracy)}",
        f"Mean action recall          {_pct(agg.action_recall)}",
        f"Forbidden actions           {agg.forbidden_actions}",
        f"Failures                    {agg.failures}",
        *([f"Agent fallbacks             {agg.fallbacks}"]
          if agg.fallbacks or run.engine != "engine" else []),
        f"Latency per case            mean {_ms(agg.latency_mean_ms)} ms, "
        f"p95 {_ms(agg.latency_p95_ms)} ms",
        "",
    ]
    if violations:
        lines.append("FAILED thresholds:")
        lines += [f"  - {v}" for v in violations]
    else:
        lines.append("PASSED all thresholds")
    return "\n".join(lines)


def to_json(run: EvalRun, thresholds: Thresholds, violations: list[str]) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "corpus": run.corpus,
        "engine": run.engine,
        "aggregate": run.aggregate.as_dict(),
        "thresholds": thresholds.as_dict(),
        "violations": violations,
        "passed": not violations,
        "cases": [r.as_dict() for r in run.results],
    }


def render_json(run: EvalRun, thresholds: Thresholds, violations: list[str]) -> str:
    return json.dumps(to_json(run, thresholds, violations), indent=2)
