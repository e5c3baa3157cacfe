"""Scoring: one case against its labels, and the aggregate over a corpus (pure functions).

Per case: severity ok, top-1 ok, top-3 ok, action recall (share of ``actions`` patterns
that match at least one action title), forbidden actions hit, failure, latency.

Aggregate: severity accuracy and balanced accuracy (the mean over levels of the share of
cases of that level graded correctly; a case counts under its first accepted level),
top-1 and top-3 category accuracy, mean action recall (over cases that list actions),
forbidden-action hits, failures, mean and p95 latency. A failed case counts as wrong for
every accuracy and as recall 0; it has no latency if the engine never ran.

Breakdowns: per expected category, per difficulty and per input format (a case counts
under every format among its payloads); the category confusion matrix (expected primary
top-1 against the top-1 given); and calibration: the top cause's confidence in bands,
against how often that top cause was right.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models.report import CATEGORIES, TriageReport
from .cases import LEVELS, Expected


@dataclass
class CaseResult:
    name: str
    difficulty: str
    tags: list[str]
    expected_severity: list[str]
    expected_top1: list[str]
    expected_top3: list[str]
    primary_level: str | None
    got_severity: str | None = None
    got_categories: list[str] = field(default_factory=list)
    got_actions: list[str] = field(default_factory=list)
    severity_ok: bool = False
    top1_ok: bool = False
    top3_ok: bool = False
    action_recall: float | None = None
    missed_actions: list[str] = field(default_factory=list)
    forbidden_hits: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    error: str | None = None
    fallback: str | None = None  # why the agent fell back to the engine's report
    formats: list[str] = field(default_factory=list)  # input formats of the payloads
    top_confidence: float | None = None  # the first root cause's confidence
    abstained: bool = False  # the report said the evidence does not single out a cause

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def got_top1(self) -> str | None:
        return self.got_categories[0] if self.got_categories else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "difficulty": self.difficulty,
            "tags": self.tags,
            "expected": {
                "severity": self.expected_severity,
                "top1": self.expected_top1,
                "top3": self.expected_top3,
            },
            "got": {
                "severity": self.got_severity,
                "categories": self.got_categories,
                "actions": self.got_actions,
            },
            "severity_ok": self.severity_ok,
            "top1_ok": self.top1_ok,
            "top3_ok": self.top3_ok,
            "action_recall": self.action_recall,
            "missed_actions": self.missed_actions,
            "forbidden_hits": self.forbidden_hits,
            "latency_ms": _round(self.latency_ms),
            "error": self.error,
            "fallback": self.fallback,
            "formats": self.formats,
            "top_confidence": _round(self.top_confidence),
            "abstained": self.abstained,
        }


def score_report(name: str, expected: Expected, report: TriageReport,
                 latency_ms: float | None = None,
                 formats: Sequence[str] = ()) -> CaseResult:
    """Compare one report with the labels of its case."""
    result = _blank(name, expected)
    result.formats = list(formats)
    result.latency_ms = latency_ms
    if report.root_causes:
        result.top_confidence = report.root_causes[0].confidence
    result.abstained = report.conclusion is not None and \
        report.conclusion.outcome == "insufficient_evidence"
    result.got_severity = report.severity.level.value
    result.got_categories = [cause.category for cause in report.root_causes]
    result.got_actions = [action.title for action in report.actions]
    result.fallback = report.analysis.fallback
    result.severity_ok = result.got_severity in expected.severity
    result.top1_ok = result.got_top1 in expected.top1
    top3 = set(result.got_categories[:3])
    result.top3_ok = all(category in top3 for category in expected.top3)
    if expected.actions:
        matched = [p for p in expected.actions if _matches_any(p, result.got_actions)]
        result.missed_actions = [p for p in expected.actions if p not in matched]
        result.action_recall = len(matched) / len(expected.actions)
    for pattern in expected.forbidden_actions:
        for title in result.got_actions:
            if re.search(pattern, title):
                result.forbidden_hits.append(f"{pattern} ~ {title}")
    return result


def failed_case(name: str, expected: Expected | None, error: str,
                latency_ms: float | None = None, formats: Sequence[str] = ()) -> CaseResult:
    """A case whose labels could not be loaded or whose run raised an exception."""
    if expected is None:
        result = CaseResult(name=name, difficulty="", tags=[], expected_severity=[],
                            expected_top1=[], expected_top3=[], primary_level=None)
    else:
        result = _blank(name, expected)
        if expected.actions:
            result.action_recall = 0.0
            result.missed_actions = list(expected.actions)
    result.error = " ".join(error.split()) or "failed"
    result.latency_ms = latency_ms
    result.formats = list(formats)
    return result


def _blank(name: str, expected: Expected) -> CaseResult:
    return CaseResult(
        name=name,
        difficulty=expected.difficulty,
        tags=list(expected.tags),
        expected_severity=list(expected.severity),
        expected_top1=list(expected.top1),
        expected_top3=list(expected.top3),
        primary_level=expected.primary_level,
    )


def _matches_any(pattern: str, titles: Iterable[str]) -> bool:
    return any(re.search(pattern, title) for title in titles)


@dataclass
class Aggregate:
    cases: int
    failures: int
    severity_accuracy: float
    severity_balanced_accuracy: float
    severity_recall: dict[str, float | None]
    severity_confusion: dict[str, dict[str, int]]
    top1_accuracy: float
    top3_accuracy: float
    action_recall: float | None
    forbidden_actions: int
    latency_mean_ms: float | None
    latency_p95_ms: float | None
    fallbacks: int
    by_category: dict[str, dict[str, float | int]]
    by_difficulty: dict[str, dict[str, float | int]]
    by_format: dict[str, dict[str, float | int]] = field(default_factory=dict)
    category_confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    calibration: list[dict[str, Any]] = field(default_factory=list)
    calibration_error: float | None = None
    abstentions: int = 0  # reports that said the evidence does not single out a cause
    top1_when_concluded: float | None = None  # top-1 accuracy of the other reports

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "failures": self.failures,
            "severity_accuracy": _round(self.severity_accuracy),
            "severity_balanced_accuracy": _round(self.severity_balanced_accuracy),
            "severity_recall": {k: _round(v) for k, v in self.severity_recall.items()},
            "severity_confusion": self.severity_confusion,
            "top1_accuracy": _round(self.top1_accuracy),
            "top3_accuracy": _round(self.top3_accuracy),
            "action_recall": _round(self.action_recall),
            "forbidden_actions": self.forbidden_actions,
            "latency_mean_ms": _round(self.latency_mean_ms),
            "latency_p95_ms": _round(self.latency_p95_ms),
            "fallbacks": self.fallbacks,
            "by_category": self.by_category,
            "by_difficulty": self.by_difficulty,
            "by_format": self.by_format,
            "category_confusion": self.category_confusion,
            "calibration": self.calibration,
            "calibration_error": _round(self.calibration_error),
            "abstentions": self.abstentions,
            "top1_when_concluded": _round(self.top1_when_concluded),
        }


def aggregate(results: Sequence[CaseResult]) -> Aggregate:
    """Corpus-level metrics; an empty corpus scores 0 everywhere."""
    n = len(results)
    per_level: dict[str, list[bool]] = {level: [] for level in LEVELS}
    confusion: dict[str, dict[str, int]] = {}
    for r in results:
        if r.primary_level is None:
            continue
        per_level[r.primary_level].append(r.severity_ok)
        got = r.got_severity or "ERROR"
        row = confusion.setdefault(r.primary_level, {})
        row[got] = row.get(got, 0) + 1
    recall: dict[str, float | None] = {
        level: (sum(oks) / len(oks) if oks else None) for level, oks in per_level.items()
    }
    present = [value for value in recall.values() if value is not None]
    recalls = [r.action_recall for r in results if r.action_recall is not None]
    latencies = [r.latency_ms for r in results if r.latency_ms is not None]

    by_category = _breakdown(results, CATEGORIES, lambda r: r.expected_top1[:1])
    difficulties = sorted({r.difficulty for r in results if r.difficulty})
    by_difficulty = _breakdown(results, difficulties, lambda r: [r.difficulty])
    formats = sorted({f for r in results for f in r.formats})
    by_format = _breakdown(results, formats, lambda r: r.formats)
    category_confusion: dict[str, dict[str, int]] = {}
    for r in results:
        if r.expected_top1:
            row = category_confusion.setdefault(r.expected_top1[0], {})
            got_top1 = r.got_top1 or ("ERROR" if r.failed else "none")
            row[got_top1] = row.get(got_top1, 0) + 1
    bands, calibration_error = calibrate(results)
    concluded = [r for r in results if not r.abstained and not r.failed]
    return Aggregate(
        cases=n,
        failures=sum(1 for r in results if r.failed),
        severity_accuracy=_share(r.severity_ok for r in results),
        severity_balanced_accuracy=sum(present) / len(present) if present else 0.0,
        severity_recall=recall,
        severity_confusion=confusion,
        top1_accuracy=_share(r.top1_ok for r in results),
        top3_accuracy=_share(r.top3_ok for r in results),
        action_recall=sum(recalls) / len(recalls) if recalls else None,
        forbidden_actions=sum(len(r.forbidden_hits) for r in results),
        latency_mean_ms=sum(latencies) / len(latencies) if latencies else None,
        latency_p95_ms=percentile(latencies, 95) if latencies else None,
        fallbacks=sum(1 for r in results if r.fallback),
        by_category=by_category,
        by_difficulty=by_difficulty,
        by_format=by_format,
        category_confusion=category_confusion,
        calibration=bands,
        calibration_error=calibration_error,
        abstentions=sum(1 for r in results if r.abstained),
        top1_when_concluded=_share(r.top1_ok for r in concluded) if concluded else None,
    )


def _breakdown(results: Sequence[CaseResult], keys: Sequence[str],
               keys_of: Callable[[CaseResult], Sequence[str]]
               ) -> dict[str, dict[str, float | int]]:
    """Cases, severity, top-1 and top-3 accuracy of the cases filed under each key."""
    out: dict[str, dict[str, float | int]] = {}
    for key in keys:
        members = [r for r in results if key in keys_of(r)]
        if members:
            out[key] = {
                "cases": len(members),
                "severity_accuracy": _round(_share(m.severity_ok for m in members)) or 0.0,
                "top1_accuracy": _round(_share(m.top1_ok for m in members)) or 0.0,
                "top3_accuracy": _round(_share(m.top3_ok for m in members)) or 0.0,
            }
    return out


CALIBRATION_BANDS = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0))


def calibrate(results: Sequence[CaseResult]
              ) -> tuple[list[dict[str, Any]], float | None]:
    """The top cause's confidence in bands against how often it was the right category,
    and the expected calibration error (the case-weighted mean gap between the two)."""
    scored = [r for r in results if r.top_confidence is not None]
    bands: list[dict[str, Any]] = []
    gap = 0.0
    for low, high in CALIBRATION_BANDS:
        members = [r for r in scored if low <= (r.top_confidence or 0.0) < high
                   or (high == 1.0 and r.top_confidence == 1.0)]
        if not members:
            bands.append({"band": f"{low:.0%}-{high:.0%}", "cases": 0,
                          "mean_confidence": None, "top1_accuracy": None})
            continue
        confidence = sum(r.top_confidence or 0.0 for r in members) / len(members)
        accuracy = _share(m.top1_ok for m in members)
        gap += len(members) * abs(confidence - accuracy)
        bands.append({"band": f"{low:.0%}-{high:.0%}", "cases": len(members),
                      "mean_confidence": _round(confidence),
                      "top1_accuracy": _round(accuracy)})
    return bands, (gap / len(scored) if scored else None)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _share(flags: Iterable[bool]) -> float:
    items = list(flags)
    return sum(items) / len(items) if items else 0.0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
