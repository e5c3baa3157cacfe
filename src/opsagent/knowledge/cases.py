"""Running the cases of failure modes: each ``match`` case must list the failure mode's
category among the root causes (in the top three when ``top3`` is set), each
``no_match`` case must not list it at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import UserError
from .loader import KnowledgeBase


@dataclass(frozen=True)
class CaseResult:
    mode: str
    case: str
    expected: str  # "match" or "no_match"
    ok: bool
    detail: str
    source: str | None = None

    def describe(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if self.source:
            line = _line_of(self.source, self.mode, self.case)
            where = f"{self.source}:{line}: " if line else where
        return f"{where}{self.mode}: {self.expected} case '{self.case}' failed: {self.detail}"


def _line_of(source: str, mode: str, case: str) -> int | None:
    """The line of the case ``name: case`` after the failure mode ``id: mode`` in its file
    (the loader keeps no positions for cases; a failing case is rare enough to look)."""
    try:
        lines = Path(source).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    seen_mode = False
    for number, line in enumerate(lines, start=1):
        key, _, value = line.strip().lstrip("- ").partition(":")
        value = value.strip().strip("'\"")
        if key == "id" and value == mode:
            seen_mode = True
        elif seen_mode and key == "name" and value == case:
            return number
    return None


def run_cases(kb: KnowledgeBase) -> list[CaseResult]:
    from ..plugins import default_registry
    from ..triager import Triager

    triager = Triager(default_registry(), knowledge=kb)  # the engine compiled once
    results: list[CaseResult] = []
    for mode in kb.failure_modes:
        source = kb.origin.get(mode.id)
        for expected, cases in (("match", mode.cases.match), ("no_match", mode.cases.no_match)):
            for case in cases:
                try:
                    report = triager.triage([case.payload], now=_now(case.now))
                except UserError as exc:
                    results.append(CaseResult(mode.id, case.name, expected, False,
                                              f"payload rejected: {exc}", source))
                    continue
                ranked = [c.category for c in report.root_causes]
                listing = ", ".join(f"{c.category} {c.confidence:.2f}"
                                    for c in report.root_causes) or "no causes"
                if expected == "match":
                    window = ranked[:3] if case.top3 else ranked
                    ok = mode.category in window
                    detail = (f"expected {mode.category} "
                              f"{'in the top 3' if case.top3 else 'among the causes'}; "
                              f"got {listing}")
                else:
                    ok = mode.category not in ranked
                    detail = f"expected no {mode.category}; got {listing}"
                results.append(CaseResult(mode.id, case.name, expected, ok, detail, source))
    return results


def _now(value: str) -> datetime | None:
    from ..values import parse_time

    return parse_time(value, "now")


def run_examples(kb: KnowledgeBase) -> list[CaseResult]:
    """The examples of vocabulary terms, metric families and observation phrases, read
    as the engine reads text: a term must (not) match its examples once what is not an
    observation is blanked; a family must (not) claim its example names; a ``drops``
    example of an observation phrase must fire no failure word, a ``keeps`` one must keep
    every one."""
    from ..engine.judges import MetricJudges
    from ..engine.observed import ObservedText
    from ..engine.vocabulary import TermSet

    terms = TermSet(kb.terms)
    observed = ObservedText(kb.observations) if kb.observations is not None else None

    def features(text: str, *, clean: bool) -> set[str]:
        lowered = text.lower()
        if clean and observed is not None:
            lowered = observed(lowered)
        return {t.feature for t in terms.match(lowered, lowered)}

    results: list[CaseResult] = []
    for term in kb.terms:
        for expected, texts in (("match", term.examples.match),
                                ("no_match", term.examples.no_match)):
            for text in texts:
                found = term.feature in features(text, clean=True)
                results.append(CaseResult(term.feature, text, expected,
                                          found is (expected == "match"),
                                          f"features read: {sorted(features(text, clean=True))}"))
    judges = MetricJudges(kb.metric_families)
    for family in kb.metric_families:
        for expected, names in (("match", family.examples.match),
                                ("no_match", family.examples.no_match)):
            for name in names:
                claimed = judges.family(name)
                ok = (claimed is not None and claimed.id == family.id) is (expected == "match")
                results.append(CaseResult(family.id, name, expected, ok,
                                          f"claimed by {claimed.id if claimed else 'no family'}"))
    if kb.observations is not None:
        for part in ("rule_language", "instructions", "negation", "questions"):
            rule = getattr(kb.observations, part)
            if rule is None:
                continue
            for text in rule.drops:
                left = features(text, clean=True) - {"text.no_impact"}
                results.append(CaseResult(part, text, "drops", not left,
                                          f"still fires {sorted(left)}"))
            for text in rule.keeps:
                lost = features(text, clean=False) - features(text, clean=True)
                results.append(CaseResult(part, text, "keeps", not lost,
                                          f"lost {sorted(lost)}"))
    return results
