"""Running the cases of failure modes: each ``match`` case must list the failure mode's
category among the root causes (in the top three when ``top3`` is set), each
``no_match`` case must not list it at all."""

from __future__ import annotations

from dataclasses import dataclass

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
        return f"{where}{self.mode}: {self.expected} case '{self.case}' failed: {self.detail}"


def run_cases(kb: KnowledgeBase) -> list[CaseResult]:
    from ..api import analyze

    results: list[CaseResult] = []
    for mode in kb.failure_modes:
        source = kb.origin.get(mode.id)
        for expected, cases in (("match", mode.cases.match), ("no_match", mode.cases.no_match)):
            for case in cases:
                try:
                    report = analyze(case.payload, now=case.now, knowledge=kb)
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
