"""The report says when the evidence does not single out a cause (and what would)."""

from __future__ import annotations

import opsagent
from opsagent.report.markdown import render_markdown
from opsagent.report.text import render_text

from ..conftest import EXAMPLE, NOW


def test_a_clear_case_concludes_with_its_cause() -> None:
    import json

    report = opsagent.analyze(json.loads(EXAMPLE.read_text()), now=NOW)
    assert report.conclusion is not None
    assert report.conclusion.outcome == "cause_identified"
    assert "insufficient evidence" not in render_text(report)


def test_thin_evidence_is_said_to_be_thin_with_the_checks_that_would_decide() -> None:
    report = opsagent.analyze({"service": "search", "error_rate": "3%",
                               "symptoms": ["some searches are slow"]}, now=NOW)
    assert report.conclusion is not None
    assert report.conclusion.outcome == "insufficient_evidence"
    assert "does not single out a cause" in report.summary or not report.root_causes
    assert report.actions and report.actions[0].kind == "diagnose"
    assert any("changed around the onset" in a.title for a in report.actions)
    assert all(a.risk == "low" for a in report.actions if a.kind == "mitigate")
    text = render_text(report)
    if report.root_causes:
        assert "insufficient evidence" in text
        assert "Insufficient evidence" in render_markdown(report)


def test_the_json_report_carries_the_conclusion() -> None:
    report = opsagent.analyze({"service": "search", "error_rate": "3%"}, now=NOW)
    data = report.model_dump(mode="json")
    assert data["conclusion"]["outcome"] in ("cause_identified", "insufficient_evidence")
    assert data["conclusion"]["reason"]
