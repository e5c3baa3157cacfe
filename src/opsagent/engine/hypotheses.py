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


@dataclass
class Hypothesis:
    mode: FailureMode
    confidence: float
    evidence: list[str] = field(default_factory=list)
    counter_evidence: list[str] = field(default_factory=list)
    weight_for: list[tuple[float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CompiledMode:
    mode: FailureMode
    order: int
    requires: frozenset[str]


def compile_modes(modes: tuple[FailureMode, ...]) -> tuple[CompiledMode, ...]:
    return tuple(CompiledMode(mode, index, frozenset(mode.requires_any))
                 for index, mode in enumerate(modes))


def score(ctx: Context, modes: tuple[CompiledMode, ...]) -> list[Hypothesis]:
    features = ctx.features
    present = features.keys()
    out: list[tuple[int, Hypothesis]] = []
    for compiled in modes:
        mode = compiled.mode
        if compiled.requires and compiled.requires.isdisjoint(present):
            continue
        keep = 1.0 - mode.prior
        evidence: list[tuple[float, str]] = []
        for rule in mode.supports:
            if rule.feature is not None:
                found = features.get(rule.feature)
                if found is None:
                    continue
                contribution = rule.weight * found.strength
                keep *= 1.0 - contribution
                for sentence in found.evidence[:3]:
                    evidence.append((contribution, sentence))
                if rule.note and not found.evidence:
                    evidence.append((contribution, rule.note))
            elif rule.absent is not None and rule.absent not in features:
                keep *= 1.0 - rule.weight
                evidence.append((rule.weight, rule.note or ""))
        confidence = 1.0 - keep
        against: list[tuple[float, str]] = []
        for rule in mode.opposes:
            if rule.feature is not None:
                found = features.get(rule.feature)
                if found is None:
                    continue
                penalty = rule.weight * found.strength
                confidence *= 1.0 - penalty
                sentences = found.evidence[:2] or ([rule.note] if rule.note else [])
                for sentence in sentences:
                    against.append((penalty, rule.note if rule.note and not found.evidence
                                    else sentence))
            elif rule.absent is not None and rule.absent not in features:
                confidence *= 1.0 - rule.weight
                against.append((rule.weight, rule.note or ""))
        hypothesis = Hypothesis(
            mode=mode,
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
