"""The similar incidents in the rendered reports, and the report contract around them."""

from __future__ import annotations

import json
from pathlib import Path

from opsagent.engine import Engine
from opsagent.evaluation import Case
from opsagent.models import SCHEMA_VERSION, TriageReport
from opsagent.report import render_json, render_markdown, render_text

from .conftest import ROOT, earlier, incident_of, said

GOLDEN = ROOT / "tests" / "golden"


def _with_memory(engine: Engine, corpus: dict[str, Case]) -> TriageReport:
    incident = incident_of(corpus["s015-orders-timeouts-evening"])
    alone = engine.analyze(incident)
    before = earlier(engine.remember(incident, alone), 12, summary="Orders pool exhausted",
                     feedback=[said("database", "correct")],
                     resolution="killed the runaway report query")
    return engine.analyze(incident, past=[before])


def test_text_shows_similar_incidents_in_a_few_lines(engine: Engine,
                                                     corpus: dict[str, Case]) -> None:
    text = render_text(_with_memory(engine, corpus))
    section = text.split("Similar Past Incidents:\n", 1)[1].split("\n\n", 1)[0]
    lines = section.splitlines()
    assert lines[0].startswith("- inc-s015-orders-timeouts-evening-before (2026-")
    assert "% similar): Orders pool exhausted" in lines[0]
    assert lines[1].startswith("    why: shared service: orders-api, orders-pg-primary; ")
    assert lines[2] == "    confirmed: database; resolved by: killed the runaway report query"
    assert len(lines) == 3
    brief = render_text(_with_memory(engine, corpus), detail=False)
    assert brief.split("Similar Past Incidents:\n", 1)[1].count("\n") == 1


def test_markdown_shows_a_section(engine: Engine, corpus: dict[str, Case]) -> None:
    markdown = render_markdown(_with_memory(engine, corpus))
    section = markdown.split("## Similar past incidents\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.startswith("- `inc-s015-orders-timeouts-evening-before` (2026-")
    assert "— Orders pool exhausted _Why: shared service: orders-api, orders-pg-primary;" in section
    assert section.endswith("**confirmed: database; resolved by: killed the runaway report "
                            "query**")


def test_json_carries_them_and_old_reports_still_validate(engine: Engine,
                                                         corpus: dict[str, Case]) -> None:
    data = json.loads(render_json(_with_memory(engine, corpus)))
    assert data["schema_version"] == SCHEMA_VERSION == 1
    first = data["similar_incidents"][0]
    assert set(first) == {"incident", "started_at", "services", "summary", "similarity",
                          "why", "confirmed_cause", "resolution"}
    assert first["confirmed_cause"] == "database"
    assert TriageReport.model_validate(data).similar_incidents is not None
    for golden in sorted(Path(GOLDEN).glob("*.json")):  # reports from before memory
        old = TriageReport.model_validate_json(golden.read_text(encoding="utf-8"))
        assert old.similar_incidents is None
        assert "similar_incidents" not in render_json(old)
