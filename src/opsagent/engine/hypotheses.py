"""Hypothesis scoring: every failure mode of the knowledge base against the features.

confidence = 1 − (1 − prior) · Π(1 − wᵢ·sᵢ) over supporting evidence, then multiplied by
Π(1 − wⱼ·sⱼ) over evidence against it (``absent`` rules count with strength 1 when the
feature is missing). A failure mode whose ``requires_any`` features are all missing is
not considered at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..knowledge.schema import FailureMode
from .context import Context
from .features import Feature


@dataclass(slots=True)
class Hypothesis:
    mode: FailureMode
    confidence: float
    evidence: list[str] = field(default_factory=list)
    counter_evidence: list[str] = field(default_factory=list)
    weight_for: list[tuple[float, str]] = field(default_factory=list)


# (feature, absent, weight, note): one evidence rule, unpacked once from the YAML model
Rule = tuple[str | None, str | None, float, str | None]


@dataclass(frozen=True)
class CompiledMode:
    mode: FailureMode
    order: int
    requires: frozenset[str]
    supports: tuple[Rule, ...]
    opposes: tuple[Rule, ...]


def compile_modes(modes: tuple[FailureMode, ...]) -> tuple[CompiledMode, ...]:
    return tuple(
        CompiledMode(mode, index, frozenset(mode.requires_any),
                     tuple((r.feature, r.absent, r.weight, r.note) for r in mode.supports),
                     tuple((r.feature, r.absent, r.weight, r.note) for r in mode.opposes))
        for index, mode in enumerate(modes))


def _weigh(rules: tuple[Rule, ...], found_by_id: dict[str, Feature], *, sentences: int
           ) -> tuple[float, list[tuple[float, str]]]:
    """Π(1 − weight·strength) over the rules that apply, and their evidence sentences
    (``absent`` rules apply with strength 1 when their feature is missing)."""
    product = 1.0
    items: list[tuple[float, str]] = []
    for feature, absent, weight, note in rules:
        if feature is not None:
            found = found_by_id.get(feature)
            if found is None:
                continue
            part = weight * found.strength
            product *= 1.0 - part
            if found.evidence:
                items.extend((part, sentence) for sentence in found.evidence[:sentences])
            elif note:
                items.append((part, note))
        elif absent is not None and absent not in found_by_id:
            product *= 1.0 - weight
            items.append((weight, note or ""))
    return product, items


def score(ctx: Context, modes: tuple[CompiledMode, ...]) -> list[Hypothesis]:
    found_by_id = ctx.features.mapping()
    out: list[tuple[int, Hypothesis]] = []
    for compiled in modes:
        if compiled.requires and compiled.requires.isdisjoint(found_by_id):
            continue
        kept, evidence = _weigh(compiled.supports, found_by_id, sentences=3)
        if not evidence:
            continue
        confidence = 1.0 - (1.0 - compiled.mode.prior) * kept
        spared, against = _weigh(compiled.opposes, found_by_id, sentences=2)
        confidence *= spared
        hypothesis = Hypothesis(
            mode=compiled.mode,
            confidence=round(min(0.99, max(0.0, confidence)), 2),
            evidence=_ranked(evidence),
            counter_evidence=_ranked(against),
            weight_for=evidence,
        )
        if hypothesis.evidence:
            out.append((compiled.order, hypothesis))
    out.sort(key=lambda pair: (-pair[1].confidence, pair[0]))
    # one hypothesis per category: the best failure mode speaks for it
    seen: set[str] = set()
    best: list[Hypothesis] = []
    for _, hypothesis in out:
        if hypothesis.mode.category in seen:
            continue
        seen.add(hypothesis.mode.category)
        best.append(hypothesis)
    return best


def _ranked(items: list[tuple[float, str]], limit: int = 5) -> list[str]:
    ordered = sorted(items, key=lambda item: -item[0])
    out: list[str] = []
    for _, sentence in ordered:
        if sentence and sentence not in out:
            out.append(sentence)
        if len(out) >= limit:
            break
    return out
