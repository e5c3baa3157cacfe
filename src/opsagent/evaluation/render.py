"""Rendering an evaluation run: a table per case plus the aggregate, or JSON."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ..models.report import CATEGORIES
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


def _case_lines(run: EvalRun) -> list[str]:
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
    return lines


def _aggregate_lines(run: EvalRun, title: str) -> list[str]:
    agg = run.aggregate
    recall = "  ".join(f"{level} {_pct(value)}" for level, value in agg.severity_recall.items())
    return [
        f"{title}: {run.corpus}  ({agg.cases} cases, engine: {run.engine})",
        f"Severity accuracy           {_pct(agg.severity_accuracy)}",
        f"Severity balanced accuracy  {_pct(agg.severity_balanced_accuracy)}   ({recall})",
        f"Top-1 category accuracy     {_pct(agg.top1_accuracy)}",
        f"Top-3 category accuracy     {_pct(agg.top3_accuracy)}",
        f"Mean action recall          {_pct(agg.action_recall)}",
        f"Forbidden actions           {agg.forbidden_actions}",
        f"Failures                    {agg.failures}",
        *([f"Agent fallbacks             {agg.fallbacks}"]
          if agg.fallbacks or run.engine != "engine" else []),
        f"Insufficient evidence       {agg.abstentions} case(s); top-1 of the others "
        f"{_pct(agg.top1_when_concluded)}",
        f"Latency per case            mean {_ms(agg.latency_mean_ms)} ms, "
        f"p95 {_ms(agg.latency_p95_ms)} ms",
    ]


SHORT = {"deploy_regression": "DEP", "config_change": "CFG", "dependency_failure": "DPF",
         "database": "DB", "capacity": "CAP", "resource_exhaustion": "RES",
         "network": "NET", "dns": "DNS", "certificate": "CRT", "cloud_provider": "CLD",
         "cache": "CCH", "rate_limit": "RL", "security": "SEC", "data": "DAT",
         "clock": "CLK", "none": "-", "ERROR": "ERR"}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  " + "  ".join(cell.rjust(widths[i]) if i else cell.ljust(widths[i])
                             for i, cell in enumerate(row)).rstrip()
            for row in [header, *rows]]


def _breakdown_lines(run: EvalRun) -> list[str]:
    agg = run.aggregate
    lines: list[str] = []
    for title, table in (("By input format", agg.by_format),
                         ("By expected category", agg.by_category)):
        if not table:
            continue
        rows = [[key, str(v["cases"]), _pct(float(v["severity_accuracy"])),
                 _pct(float(v["top1_accuracy"])), _pct(float(v["top3_accuracy"]))]
                for key, v in table.items()]
        lines += ["", f"{title}:", *_table(["", "cases", "severity", "top-1", "top-3"], rows)]
    if agg.category_confusion:
        got = sorted({g for row in agg.category_confusion.values() for g in row},
                     key=lambda c: (c not in CATEGORIES, CATEGORIES.index(c)
                                    if c in CATEGORIES else 0, c))
        rows = [[SHORT.get(exp, exp)] + [str(agg.category_confusion[exp].get(g, "")) or "."
                                         for g in got]
                for exp in CATEGORIES if exp in agg.category_confusion]
        lines += ["", "Category confusion (rows: expected top-1, columns: top-1 given):",
                  *_table([""] + [SHORT.get(g, g) for g in got], rows)]
    if agg.calibration_error is not None:
        rows = [[b["band"], str(b["cases"]), _pct(b["mean_confidence"]),
                 _pct(b["top1_accuracy"])] for b in agg.calibration]
        lines += ["", "Calibration of the top cause (confidence band against how often it "
                      "was right):",
                  *_table(["confidence", "cases", "mean conf", "right"], rows),
                  f"  expected calibration error {_pct(agg.calibration_error)}"]
    return lines


def render_table(run: EvalRun | None, thresholds: Thresholds, violations: list[str], *,
                 blind: EvalRun | None = None, targets: Thresholds | None = None,
                 misses: Sequence[str] = (), blind_cases: bool = False,
                 applied: Sequence[str] | None = None) -> str:
    """The tuned run (cases, figures, breakdowns, threshold verdict) and, apart, the blind
    run's figures against the generalization targets. ``applied`` names the thresholds
    that gate a selection of cases (None: every threshold, the whole corpus)."""
    lines: list[str] = []
    if run is not None:
        lines += _case_lines(run)
        lines += ["", *_aggregate_lines(run, "Corpus"), *_breakdown_lines(run), ""]
        if violations:
            lines.append("FAILED thresholds:")
            lines += [f"  - {v}" for v in violations]
        elif applied is not None and not applied:
            lines.append("Thresholds not applied: they gate the whole corpus, not a "
                         "selection of its cases (give one, such as --min-top1-accuracy, "
                         "to apply it)")
        else:
            lines.append("PASSED all thresholds" if applied is None else
                         "PASSED the thresholds given: " + ", ".join(applied))
    if blind is not None:
        if lines:
            lines += ["", "=" * 78, ""]
        if blind_cases:
            lines += [*_case_lines(blind), ""]
        lines += _aggregate_lines(blind, "Blind split (never tuned on)")
        lines += _breakdown_lines(blind)
        if targets is not None:
            lines.append("")
            if misses:
                lines.append("Generalization targets not met (a measurement, not a gate):")
                lines += [f"  - {m}" for m in misses]
            else:
                lines.append("Generalization targets met")
    return "\n".join(lines)


def to_json(run: EvalRun, thresholds: Thresholds, violations: list[str],
            applied: Sequence[str] | None = None) -> dict[str, Any]:
    limits = thresholds.as_dict()
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "corpus": run.corpus,
        "engine": run.engine,
        "aggregate": run.aggregate.as_dict(),
        # the thresholds that gated this run (a selection of cases: only those given)
        "thresholds": limits if applied is None else {k: limits[k] for k in applied},
        "violations": violations,
        "passed": not violations,
        "cases": [r.as_dict() for r in run.results],
    }


def render_json(run: EvalRun | None, thresholds: Thresholds, violations: list[str], *,
                blind: EvalRun | None = None, targets: Thresholds | None = None,
                misses: Sequence[str] = (), applied: Sequence[str] | None = None) -> str:
    """The tuned run at the top level (as before) and the blind run under ``blind``; with
    only a blind run, it is the top level too."""
    primary = run if run is not None else blind
    assert primary is not None
    data = to_json(primary, thresholds, violations if run is not None else [], applied)
    if blind is not None:
        data["blind"] = {
            "corpus": blind.corpus,
            "aggregate": blind.aggregate.as_dict(),
            "targets": (targets or thresholds).as_dict(),
            "target_misses": list(misses),
            "cases": [r.as_dict() for r in blind.results],
        }
    return json.dumps(data, indent=2)


class ProgressBar:
    """``[#####.....] 42/175  s042-name  12s elapsed, ~38s left`` on one line of a terminal,
    redrawn before each case and erased at the end. Only for a terminal: a
    ``ProgressBar`` of a pipe or file writes nothing (see :meth:`for_stream`)."""

    WIDTH = 24

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic,
                 columns: int = 80) -> None:
        self.stream = stream
        self.clock = clock
        self.columns = columns
        self.started: float | None = None

    @classmethod
    def for_stream(cls, stream: TextIO | None) -> ProgressBar | None:
        """A bar on ``stream`` if it is a terminal, else None (nothing extra when piped)."""
        if stream is None or not stream.isatty():
            return None
        return cls(stream, columns=shutil.get_terminal_size().columns)

    def __call__(self, done: int, total: int, name: str) -> None:
        now = self.clock()
        if self.started is None:
            self.started = now
        if not name:  # finished: leave the terminal as it was
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            return
        self.stream.write("\r\x1b[K" + self.line(done, total, name, now - self.started))
        self.stream.flush()

    def line(self, done: int, total: int, name: str, elapsed: float) -> str:
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        left = f", ~{_seconds(elapsed / done * (total - done))} left" if done else ""
        text = f"[{bar}] {done}/{total}  {name}  {_seconds(elapsed)} elapsed{left}"
        return text[: max(self.columns - 1, 20)]


def _seconds(value: float) -> str:
    whole = round(value)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"
