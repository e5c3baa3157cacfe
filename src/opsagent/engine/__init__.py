"""The deterministic triage engine: a pure function of the incident, the knowledge base,
the service catalog and the configuration. No I/O, no clock, no randomness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._version import __version__
from ..catalog import EMPTY_CATALOG, ServiceCatalog
from ..knowledge.loader import KnowledgeBase
from ..models import Incident, PastIncident, TriageReport
from ..values import format_time
from .actions import _values, compile_actions, plan, render_template
from .assess import Assessor
from .context import Context, EngineConfig
from .correlate import correlate
from .hypotheses import CompiledMode, Hypothesis, compile_modes, score
from .judges import MetricJudges
from .memory import Recall, remembered
from .observed import ObservedText
from .scope import determine_scope
from .severity import grade
from .summary import summarize
from .vocabulary import TermSet

__all__ = ["Engine", "EngineConfig"]

ENGINE_NAME = f"opsagent {__version__}"


class Engine:
    """Compile the knowledge once, then triage any number of incidents."""

    def __init__(self, knowledge: KnowledgeBase, catalog: ServiceCatalog | None = None,
                 config: EngineConfig | None = None) -> None:
        self.knowledge = knowledge
        self.catalog = catalog or EMPTY_CATALOG
        # the rubric of the knowledge base, then what the configuration sets explicitly
        rubric = EngineConfig.model_validate(knowledge.rubric)
        self.config = rubric if config is None else rubric.model_copy(
            update={name: getattr(config, name) for name in config.model_fields_set})
        self._terms = TermSet(knowledge.terms)
        self._modes: tuple[CompiledMode, ...] = compile_modes(knowledge.failure_modes)
        self._actions = {mode.id: compile_actions(mode.actions)
                         for mode in knowledge.failure_modes}
        self._general = compile_actions(knowledge.general_actions)
        self._observed = ObservedText(knowledge.observations) \
            if knowledge.observations is not None else None
        self._judges = MetricJudges(knowledge.metric_families)

    def analyze(self, incident: Incident, *, past: Sequence[PastIncident] | None = None,
                text_rank: Mapping[str, float] | None = None) -> TriageReport:
        """Triage ``incident``. ``past`` (earlier incidents, with their feedback) turns
        memory on: the report lists the similar ones and confirmed causes teach
        (:mod:`.memory`); ``text_rank`` is a full-text score in [0, 1] per past id."""
        ctx = self.assess(incident)
        ctx.dependency = _pick_dependency(ctx)
        recall = Recall(ctx, past, text_rank) if past is not None else None
        hypotheses = score(ctx, self._modes, recall)
        severity = grade(ctx)
        shown = _shown(hypotheses, self.config)
        values = _values(ctx, {h.mode.category for h in shown})
        conclusion = _conclude(ctx, shown, self.config)
        unsure = conclusion["outcome"] == "insufficient_evidence"
        actions = plan(ctx, shown, severity, self._general, values, self._actions,
                       unsure=unsure)
        summary = summarize(ctx, shown, severity, values, unsure=unsure)
        # one validation of the whole report (pydantic-core) is cheaper than one per part
        report = TriageReport.model_validate({
            "incident": {
                "id": incident.id,
                "services": list(incident.services),
                "regions": list(incident.regions),
                "started_at": format_time(incident.started_at),
                "signal_count": len(incident.signals),
                "environments": list(incident.environments),
                "zones": list(incident.zones),
                "now": format_time(incident.now),
            },
            "summary": summary,
            "severity": severity,
            "root_causes": [_cause(h, values) for h in shown],
            "actions": actions,
            "analysis": {"engine": ENGINE_NAME, "duration_ms": 0.0,
                         "knowledge": list(self.knowledge.sources)},
            "conclusion": conclusion,
        })
        if recall is not None:
            report.similar_incidents = [match.as_report() for match in recall.matches]
        return report

    def remember(self, incident: Incident, report: TriageReport | None = None
                 ) -> PastIncident:
        """``incident`` as memory keeps it, for later triages to compare with: its
        services, alert names, the engine's features, and the causes of ``report``.
        Without a report, the causes the engine ranks (no summary): the probe a store
        selects candidates with before the triage that uses them."""
        ctx = self.assess(incident)
        if report is None:
            ranked = score(ctx, self._modes)
            return remembered(incident, ctx.features.ids(),
                              [h.mode.category for h in ranked], [h.mode.id for h in ranked])
        return remembered(incident, ctx.features.ids(),
                          [cause.category for cause in report.root_causes],
                          [cause.failure_mode for cause in report.root_causes
                           if cause.failure_mode], report.summary)

    def assess(self, incident: Incident) -> Context:
        """The first stages alone (features, impacts, changes, scope), for explanation."""
        ctx = Context(incident=incident, catalog=self.catalog, config=self.config)
        Assessor(ctx, self._terms, self._observed, self._judges).run()
        correlate(ctx)
        determine_scope(ctx)
        return ctx


def _pick_dependency(ctx: Context) -> str | None:
    for hint in ctx.dependency_hints:
        return hint
    if ctx.service:
        deps = ctx.entry(ctx.service).dependencies
        if deps:
            return deps[0]
    return None


def _conclude(ctx: Context, shown: list[Hypothesis], config: EngineConfig
              ) -> dict[str, str]:
    """Whether the evidence supports a cause well enough to act on it."""
    if "change.only" in ctx.features:
        return {"outcome": "cause_identified",
                "reason": "only a change was reported and nothing is failing"}
    if not shown:
        return {"outcome": "insufficient_evidence",
                "reason": "no failure mode is supported by the signals given"}
    top = shown[0]
    if top.confidence < config.abstain_below:
        return {"outcome": "insufficient_evidence",
                "reason": f"the leading cause has only {round(top.confidence * 100)}% "
                          f"confidence (below {round(config.abstain_below * 100)}%)"}
    return {"outcome": "cause_identified",
            "reason": f"the leading cause has {round(top.confidence * 100)}% confidence"}


def _shown(hypotheses: list[Hypothesis], config: EngineConfig) -> list[Hypothesis]:
    shown = [h for h in hypotheses if h.confidence >= config.min_confidence]
    if not shown and hypotheses and hypotheses[0].confidence >= 0.1:
        shown = hypotheses[:1]
    return shown[: config.max_causes]


def _cause(h: Hypothesis, values: dict[str, str]) -> dict[str, Any]:
    return {"category": h.mode.category, "title": render_template(h.mode.title, values),
            "confidence": h.confidence, "evidence": h.evidence,
            "counter_evidence": h.counter_evidence, "failure_mode": h.mode.id}
