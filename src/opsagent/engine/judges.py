"""The metric judges' table: a reading under a name no canonical metric claims is read
as the family its name says (``knowledge/builtin/metric_families.yaml``) and judged
against the source's threshold, the family's limit or its baseline."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..knowledge.schema import MetricFamily
from ..models import Signal
from .kinds import RESOLVED
from .strength import ratio_strength

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[\s_.:/\-\[\](){}=,]+")


def name_words(name: str) -> str:
    """``HTTPCode_Target_5XX_Count`` → ``http code target 5xx count``."""
    return " ".join(p for p in _SPLIT.split(_CAMEL.sub(" ", name).lower()) if p)


@dataclass(frozen=True, slots=True)
class Verdict:
    family: MetricFamily
    strength: float  # 0: within bounds
    reference: str  # what it was compared with ("threshold 100", "baseline 4")
    multiple: float | None = None  # the value as a multiple of its baseline, when known


class MetricJudges:
    """The families in order; the first whose names match a metric judges it."""

    _REMEMBERED = 4096  # metric names whose family is kept (integrations repeat theirs)

    def __init__(self, families: Iterable[MetricFamily]) -> None:
        self._families = tuple((family, re.compile("|".join(f"(?:{n})" for n in family.names)))
                               for family in families)
        self._known: dict[str, MetricFamily | None] = {}

    def family(self, name: str) -> MetricFamily | None:
        if name in self._known:
            return self._known[name]
        words = name_words(name)
        found = next((family for family, pattern in self._families if pattern.search(words)),
                     None)
        if len(self._known) >= self._REMEMBERED:
            self._known.clear()
        self._known[name] = found
        return found

    def judge(self, s: Signal, name: str) -> Verdict | None:
        """The verdict on ``s`` (its value under ``name``), or None: no family claims it."""
        family = self.family(name)
        if family is None or s.value is None:
            return None
        value = s.value
        if family.percent and value > 1.0:
            value /= 100.0
        above = family.direction == "above"
        if family.baseline_only and not (s.baseline is not None and s.baseline > 0):
            return Verdict(family, 0.0, "")
        if s.objective is not None and not family.baseline_only:
            limit, reference = s.objective, f"threshold {s.objective:g}"
        elif family.limit is not None:
            limit, reference = family.limit, f"limit {family.limit:g}"
        elif s.baseline is not None and s.baseline > 0:
            factor = family.baseline_factor
            limit = s.baseline * factor if above else s.baseline / factor
            reference = f"baseline {s.baseline:g}"
        elif s.labels.get("alert") and s.status != RESOLVED:
            # read off a firing alert: abnormal by the alert's own rule
            return Verdict(family, 0.6, f"the rule of alert {s.labels['alert']}")
        else:
            return Verdict(family, 0.0, "")
        if above:
            strength = ratio_strength(value, limit) if limit > 0 else (0.6 if value > 0
                                                                        else 0.0)
        else:
            strength = ratio_strength(limit, value) if value > 0 else (0.9 if limit > 0
                                                                        else 0.0)
        multiple = value / s.baseline if s.baseline else None
        if multiple is None and not above and s.objective:
            # a floor (an anomaly band's lower edge, "at least 180 orders"): how far below
            # it, which is no more than how far below normal
            multiple = value / s.objective
        return Verdict(family, strength, reference, multiple)
