"""The agent refines the engine's report; the similar incidents and the memory evidence
stay (the scripted model double, through CrewAI)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from opsagent.agent.evidence import EvidenceCatalog
from opsagent.api import as_documents
from opsagent.engine import Engine
from opsagent.ingest import build_incident

from ..conftest import EXAMPLE, NOW
from .conftest import said


def test_a_refined_report_keeps_its_similar_incidents(engine: Engine) -> None:
    from opsagent.agent import refine
    from opsagent.agent.testing import ScriptedLLM

    incident = build_incident(as_documents([json.loads(EXAMPLE.read_text())]),
                              now=datetime.fromisoformat(NOW))
    alone = engine.analyze(incident)
    top = alone.root_causes[0]
    record = engine.remember(incident, alone)
    before = record.model_copy(update={
        "id": "inc-earlier", "started_at": incident.now - timedelta(days=5),
        "feedback": [said(top.category, "correct")], "resolution": "rolled back"})
    report = engine.analyze(incident, past=[before])
    memory_line = report.root_causes[0].evidence[-1]
    assert memory_line.startswith("this happened before: inc-earlier on ")
    catalog = EvidenceCatalog.build(report, incident)
    cited = [item.id for item in catalog.items if item.text == memory_line]
    assert cited, "the memory line is evidence the agent may cite"
    answer = {
        "summary": "The checkout deploy broke payments again, as it did five days ago.",
        "severity": {"level": report.severity.level.value, "reason": ""},
        "root_causes": [{"category": top.category, "title": "The same regression again",
                         "confidence": 0.8, "evidence": cited, "counter_evidence": []}],
        "actions": [{"title": a.title, "kind": a.kind, "risk": a.risk,
                     "rationale": a.rationale, "cause": a.cause}
                    for a in report.actions[:2]],
    }
    llm = ScriptedLLM([answer])
    refined = refine(report, incident, llm.settings())
    assert refined.analysis.fallback is None
    assert refined.summary.startswith("The checkout deploy broke payments again")
    assert refined.similar_incidents == report.similar_incidents
    assert memory_line in refined.root_causes[0].evidence
