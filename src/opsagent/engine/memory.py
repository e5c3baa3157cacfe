"""Memory in the triage: similar past incidents, and what people confirmed about them.

Past incidents are input data (``Engine.analyze(incident, past=[...])``): this module
finds the similar ones (:mod:`opsagent.memory.similar`) and lets their standing feedback
move the hypotheses before they are ranked. Only past incidents that share a service
with this one teach. For one hypothesis (a failure mode; feedback naming its category
counts for every failure mode of the category):

* each similar past incident whose confirmed cause it is gives support
  ``w = SUPPORT_WEIGHT × similarity``; together ``W = min(MAX_SUPPORT, 1 − Π(1 − w))``,
  halved (``CONTESTED``) when the engine found evidence against the hypothesis; the
  confidence becomes ``1 − (1 − c)(1 − W)``, and the evidence names the past incident;
* each one where the cause was marked wrong takes support away the same way: the
  confidence becomes ``c × (1 − W)``, with a counter-evidence line.

With these bounds a confirmed cause the engine put at 30 % rises to at most 55 %: enough
to pass a close rival, never enough to beat a cause the signals support strongly, and
only a hypothesis the engine already considered (its required features present, some
evidence for it) can gain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..memory import Match, find_similar
from ..models import Incident, PastIncident, SignalKind
from ..values import format_time
from .actions import render_template
from .context import Context
from .hypotheses import Hypothesis

SUPPORT_WEIGHT = 0.3
MAX_SUPPORT = 0.35
CONTESTED = 0.5

__all__ = ["CONTESTED", "MAX_SUPPORT", "SUPPORT_WEIGHT", "Recall", "remembered"]


def remembered(incident: Incident, features: Sequence[str], categories: Sequence[str],
               failure_modes: Sequence[str], summary: str = "") -> PastIncident:
    """``incident`` as memory keeps it (and as it is compared with past ones)."""
    alerts: list[str] = []
    for signal in incident.of_kind(SignalKind.ALERT):
        if signal.name and signal.name not in alerts:
            alerts.append(signal.name)
    return PastIncident(id=incident.id, started_at=incident.started_at or incident.now,
                        services=list(incident.services), alerts=alerts, summary=summary,
                        features=sorted(features), categories=list(categories),
                        failure_modes=list(failure_modes))


class Recall:
    """The hook of hypothesis scoring: called once with every scored hypothesis, it
    finds the similar past incidents (kept in :attr:`matches`) and applies their
    feedback to the hypotheses in place."""

    def __init__(self, ctx: Context, past: Sequence[PastIncident],
                 text_rank: Mapping[str, float] | None = None) -> None:
        self._ctx = ctx
        self._past = past
        self._text_rank = text_rank
        self.matches: list[Match] = []

    def __call__(self, hypotheses: list[Hypothesis]) -> None:
        ranked = sorted(hypotheses, key=lambda h: -h.confidence)  # stable: mode order
        categories: list[str] = []
        for h in ranked:
            if h.mode.category not in categories:
                categories.append(h.mode.category)
        current = remembered(self._ctx.incident, self._ctx.features.ids(), categories,
                             [h.mode.id for h in ranked])
        self.matches = find_similar(current, self._past, self._text_rank)
        teachers = [m for m in self.matches if m.shared_services]
        if not teachers:
            return
        for h in hypotheses:
            contested = CONTESTED if h.counter_evidence else 1.0
            support: list[float] = []
            against: list[float] = []
            for match in teachers:
                for feedback in match.past.verdicts().values():
                    if feedback.cause not in (h.mode.id, h.mode.category):
                        continue
                    weight = SUPPORT_WEIGHT * match.similarity
                    if feedback.verdict == "correct":
                        support.append(weight)
                        h.evidence.append(_before(match.past, "confirmed: "
                                                  + _name(h)))
                    else:
                        against.append(weight)
                        h.counter_evidence.append(_before(match.past, "marked wrong: "
                                                          + _name(h)))
            if support:
                gained = _combined(support) * contested
                h.confidence = round(min(0.99, 1.0 - (1.0 - h.confidence) * (1.0 - gained)),
                                     2)
            if against:
                h.confidence = round(max(0.0, h.confidence * (1.0 - _combined(against))), 2)


def _combined(weights: list[float]) -> float:
    kept = 1.0
    for weight in weights:
        kept *= 1.0 - weight
    return min(MAX_SUPPORT, 1.0 - kept)


def _before(past: PastIncident, said: str) -> str:
    when = format_time(past.started_at)
    on = f" on {when[:10]}" if when else ""
    return f"this happened before: {past.id}{on}, {said}"


def _name(h: Hypothesis) -> str:
    title = render_template(h.mode.title, {})
    return title[:1].lower() + title[1:]
