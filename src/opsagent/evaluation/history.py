"""``opsagent eval --history``: the corpus replayed in time order, with memory and without.

Cases are taken in the order of their incidents' onsets (then by name). Each one is
triaged twice by the engine: alone, and with every earlier case as a past incident. An
earlier case carries feedback on a deterministic subset: the first, third, fifth … case
of its kind (its first accepted top-1 category) is confirmed with that label, and when
the engine's top cause for it was not an accepted one, that cause is marked wrong. The
past incident is what the memory run remembered of it (``Engine.remember``).

Measured: top-1 and top-3 category accuracy with memory against without; the same when
each incident recurs (a week after a first occurrence whose label was confirmed and
whose wrong top cause, if any, was marked wrong), which is what the feedback can teach;
and the precision of ``similar_incidents``: among the cases with at least one, the share
whose first similar incident is labelled with one of the case's accepted top-1
categories.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..api import as_documents
from ..engine import Engine
from ..ingest import build_incident
from ..knowledge.loader import KnowledgeBase
from ..models import Feedback, Incident, PastIncident
from .cases import Case
from .scoring import CaseResult, score_report

MEASURES = (("top1", "top-1"), ("top3", "top-3"))
RECURS_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class Step:
    """One case of the replay."""

    name: str
    kind: str
    without: CaseResult
    with_memory: CaseResult
    first_similar: str | None = None  # the case the first similar incident is
    similar_ok: bool | None = None  # None: no similar incident listed
    taught: bool = False  # its own feedback is given to later cases
    # the same incident again a week later, its cause confirmed the first time
    recurred: CaseResult | None = None


@dataclass
class Replay:
    steps: list[Step] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "case: error", not replayed

    def _share(self, values: list[bool]) -> float:
        return sum(values) / len(values) if values else 0.0

    def accuracy(self, measure: str, *, memory: bool) -> float:
        """``top1`` or ``top3`` category accuracy, with memory or without."""
        return self._share([getattr(s.with_memory if memory else s.without, f"{measure}_ok")
                            for s in self.steps])

    def recurrence(self, measure: str) -> float:
        """The accuracy when every incident recurs after its cause was confirmed."""
        return self._share([getattr(s.recurred, f"{measure}_ok") for s in self.steps
                            if s.recurred is not None])

    @property
    def with_similar(self) -> int:
        return sum(1 for s in self.steps if s.similar_ok is not None)

    @property
    def similar_precision(self) -> float:
        return self._share([s.similar_ok for s in self.steps if s.similar_ok is not None])

    @property
    def taught(self) -> int:
        return sum(1 for s in self.steps if s.taught)

    def changed(self) -> tuple[list[str], list[str]]:
        """The cases whose top-1 memory fixed, and the ones it broke."""
        fixed = [s.name for s in self.steps if s.with_memory.top1_ok and not s.without.top1_ok]
        broke = [s.name for s in self.steps if s.without.top1_ok and not s.with_memory.top1_ok]
        return fixed, broke


def replay(cases: Sequence[Case], knowledge: KnowledgeBase | None = None) -> Replay:
    """Replay ``cases`` in time order (see the module)."""
    if knowledge is None:
        from ..api import default_knowledge

        knowledge = default_knowledge()
    engine = Engine(knowledge)
    out = Replay()
    incidents: list[tuple[datetime, str, Case, Incident]] = []
    for case in cases:
        try:
            incident = build_incident(as_documents(case.payloads, case.name),
                                      now=case.expected.now)
        except Exception as exc:  # one bad case never stops the replay
            out.failures.append(f"{case.name}: {' '.join(str(exc).split())}")
            continue
        incident = incident.model_copy(update={"id": case.name})
        incidents.append((incident.started_at or incident.now, case.name, case, incident))
    incidents.sort(key=lambda item: (item[0], item[1]))
    past: list[PastIncident] = []
    kinds: dict[str, str] = {}  # case name -> its label
    seen_of_kind: dict[str, int] = {}
    for _, name, case, incident in incidents:
        kind = case.expected.top1[0]
        alone = engine.analyze(incident)
        with_memory = engine.analyze(incident, past=past)
        first = with_memory.similar_incidents[0].incident \
            if with_memory.similar_incidents else None
        similar_ok = None if first is None else kinds[first] in case.expected.top1
        taught = seen_of_kind.get(kind, 0) % 2 == 0
        seen_of_kind[kind] = seen_of_kind.get(kind, 0) + 1
        record = engine.remember(incident, with_memory)
        top = with_memory.root_causes[0].category if with_memory.root_causes else None
        feedback = [Feedback(cause=kind, verdict="correct", by="label")]
        if top is not None and top not in case.expected.top1:
            feedback.insert(0, Feedback(cause=top, verdict="wrong", by="label"))
        first_time = record.model_copy(update={
            "id": f"{name}@before", "feedback": feedback,
            "started_at": (record.started_at or incident.now) - RECURS_AFTER})
        again = engine.analyze(incident, past=[*past, first_time])
        out.steps.append(Step(name, kind, score_report(name, case.expected, alone),
                              score_report(name, case.expected, with_memory), first,
                              similar_ok, taught,
                              score_report(name, case.expected, again)))
        past.append(record.model_copy(update={"feedback": feedback}) if taught else record)
        kinds[name] = kind
    return out


def render_replay(result: Replay, corpus: str) -> str:
    """The small table ``opsagent eval --history`` prints."""
    fixed, broke = result.changed()

    def pct(value: float) -> str:
        return f"{value * 100:.1f} %"

    lines = [
        f"Memory replay of {corpus}: {len(result.steps)} incidents in time order, "
        f"feedback on {result.taught} (every other one of each kind)",
        "",
        "| measure | without memory | with memory |",
        "|---|---|---|",
        *(f"| {label} category accuracy | {pct(result.accuracy(key, memory=False))} | "
          f"{pct(result.accuracy(key, memory=True))} |" for key, label in MEASURES),
        *(f"| {label} when it recurs, its cause confirmed | "
          f"{pct(result.accuracy(key, memory=False))} | {pct(result.recurrence(key))} |"
          for key, label in MEASURES),
        f"| similar-incident precision | – | {pct(result.similar_precision)} "
        f"({result.with_similar} with a similar incident) |",
        "",
        f"top-1 fixed by memory: {', '.join(fixed) or 'none'}",
        f"top-1 broken by memory: {', '.join(broke) or 'none'}",
    ]
    lines.extend(f"not replayed: {failure}" for failure in result.failures)
    return "\n".join(lines)


def replay_json(result: Replay, corpus: str) -> str:
    """The same figures for machines (``--history --json``)."""
    fixed, broke = result.changed()
    return json.dumps({
        "corpus": corpus, "incidents": len(result.steps), "feedback": result.taught,
        **{key: {"without": round(result.accuracy(key, memory=False), 4),
                 "with": round(result.accuracy(key, memory=True), 4)}
           for key, _ in MEASURES},
        "recurrence": {key: round(result.recurrence(key), 4) for key, _ in MEASURES},
        "similar": {"precision": round(result.similar_precision, 4),
                    "cases": result.with_similar},
        "fixed": fixed, "broken": broke, "failures": result.failures,
    }, indent=2)
