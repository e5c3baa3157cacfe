"""Hypothesis scoring: every failure mode of the knowledge base against the features.

confidence = 1 − (1 − prior) · Π(1 − wᵢ·sᵢ) over supporting evidence, then multiplied by
Π(1 − wⱼ·sⱼ) over evidence against it (``absent`` rules count with strength 1 when the
feature is missing). A failure mode whose ``requires_any`` features are all missing is
not considered at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..knowledge.schema import EvidenceRule, FailureMode
from .context import Context
from .features import Feature


@dataclass(slots=True)
class Hypothesis:
    mode: FailureMode
    confidence: float
    evidence: list[str] = field(default_factory=list)
    counter_evidence: list[str] = field(default_factory=list)


# (feature, absent, weight, notes): one evidence rule, unpacked once from the YAML model;
# ``notes`` are the sentences it gives when its feature has none of its own
Rule = tuple[str | None, str | None, float, tuple[str, ...]]
# (weight, sentences) of one rule that applies
Weighed = tuple[float, Sequence[str]]


@dataclass(frozen=True)
class CompiledMode:
    mode: FailureMode
    order: int
    requires: frozenset[str]
    supports: tuple[Rule, ...]
    opposes: tuple[Rule, ...]


def compile_modes(modes: tuple[FailureMode, ...]) -> tuple[CompiledMode, ...]:
    def rules(items: list[EvidenceRule]) -> tuple[Rule, ...]:
        return tuple((r.feature, r.absent, r.weight,
                      (r.note or "",) if r.absent is not None else (r.note,) if r.note else ())
                     for r in items)

    return tuple(CompiledMode(mode, index, frozenset(mode.requires_any),
                              rules(mode.supports), rules(mode.opposes))
                 for index, mode in enumerate(modes))


def _weigh(rules: tuple[Rule, ...], found_by_id: dict[str, Feature]
           ) -> tuple[float, list[Weighed]]:
    """Π(1 − weight·strength) over the rules that apply, and their weights and evidence
    sentences (``absent`` rules apply with strength 1 when their feature is missing)."""
    product = 1.0
    items: list[Weighed] = []
    for feature, absent, weight, notes in rules:
        if feature is not None:
            found = found_by_id.get(feature)
            if found is None:
                continue
            part = weight * found.strength
            product *= 1.0 - part
            if found.evidence:
                items.append((part, found.evidence))
            elif notes:
                items.append((part, notes))
        elif absent is not None and absent not in found_by_id:
            product *= 1.0 - weight
            items.append((weight, notes))
    return product, items


def score(ctx: Context, modes: tuple[CompiledMode, ...],
          adjust: Callable[[list[Hypothesis]], None] | None = None) -> list[Hypothesis]:
    """The hypotheses, best first, one per category. ``adjust`` (memory's hook) sees
    every scored hypothesis before the ranking and may change them in place."""
    found_by_id = ctx.features.mapping()
    found = set(found_by_id)  # a set: isdisjoint then walks the smaller side
    out: list[tuple[int, Hypothesis]] = []
    for compiled in modes:
        if compiled.requires and compiled.requires.isdisjoint(found):
            continue
        kept, evidence = _weigh(compiled.supports, found_by_id)
        if not evidence:
            continue
        ranked = _ranked(evidence, per_rule=3)
        if not ranked:
            continue
        confidence = 1.0 - (1.0 - compiled.mode.prior) * kept
        if compiled.requires:
            # the case for a cause is no stronger than the evidence that defines it: a
            # release tag of unknown time does not make a regression likely, whatever fails
            defining = max(found_by_id[f].strength for f in compiled.requires
                           if f in found_by_id)
            confidence = min(confidence, _DEFINED_FLOOR + (1 - _DEFINED_FLOOR) * defining)
        spared, against = _weigh(compiled.opposes, found_by_id)
        confidence *= spared
        out.append((compiled.order, Hypothesis(
            mode=compiled.mode,
            confidence=round(min(0.99, max(0.0, confidence)), 2),
            evidence=ranked,
            counter_evidence=_ranked(against, per_rule=2) if against else [],
        )))
    if adjust is not None:
        adjust([hypothesis for _, hypothesis in out])
    out.sort(key=_rank_key)
    # one hypothesis per category: the best failure mode speaks for it
    seen: set[str] = set()
    best: list[Hypothesis] = []
    for _, hypothesis in out:
        if hypothesis.mode.category in seen:
            continue
        seen.add(hypothesis.mode.category)
        best.append(hypothesis)
    return best


_DEFINED_FLOOR = 0.3  # the confidence a cause can reach on the faintest defining evidence


def _rank_key(pair: tuple[int, Hypothesis]) -> tuple[float, int]:
    return (-pair[1].confidence, pair[0])


def _heaviest(item: Weighed) -> float:
    return -item[0]


def _ranked(items: list[Weighed], *, per_rule: int, limit: int = 5) -> list[str]:
    """The distinct sentences of the heaviest rules first (at most ``per_rule`` each)."""
    out: list[str] = []
    for _, sentences in sorted(items, key=_heaviest):
        for sentence in sentences[:per_rule]:
            if sentence and sentence not in out:
                out.append(sentence)
                if len(out) >= limit:
                    return out
    return out
