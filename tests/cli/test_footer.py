"""The text and Markdown footers say what the agent did, and never contradict it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsagent.models import AgentInfo, TriageReport
from opsagent.report import render_markdown, render_text

from ..conftest import EXAMPLE, NOW
from .conftest import Run, closed_port


def _report(opsagent: Run) -> TriageReport:
    result = opsagent("analyze", str(EXAMPLE), "--now", NOW, "-f", "json")
    assert result.code == 0, result.stderr
    return TriageReport.model_validate(json.loads(result.stdout))


def test_engine_only_reports_have_no_agent_footer(opsagent: Run) -> None:
    text = opsagent("analyze", str(EXAMPLE), "--now", NOW).stdout
    assert "LLM agent" not in text and "Reviewed" not in text


@pytest.mark.parametrize("render", [render_text, render_markdown])
def test_an_agent_that_failed_is_not_said_to_have_reviewed(opsagent: Run, render: object
                                                           ) -> None:
    report = _report(opsagent)
    report.analysis.agent = AgentInfo(provider="openai", model="gpt-4o-mini")
    report.analysis.fallback = "LLM error: cannot connect to the provider"
    out = render(report)  # type: ignore[operator]
    assert "eviewed" not in out
    assert ("the LLM agent (openai:gpt-4o-mini) was not used: LLM error: cannot connect "
            "to the provider; this is the engine's report.") in out.replace("`", "")


@pytest.mark.parametrize("render", [render_text, render_markdown])
def test_an_agent_that_reviewed_says_so_once(opsagent: Run, render: object) -> None:
    report = _report(opsagent)
    report.analysis.agent = AgentInfo(provider="ollama", model="llama3.1")
    out = render(report)  # type: ignore[operator]
    assert out.replace("`", "").count("Reviewed by the LLM agent (ollama:llama3.1).") == 1
    assert "not used" not in out


def test_a_real_unreachable_provider_gives_one_consistent_footer(
        opsagent: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("crewai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("OPSAGENT_LLM_MAX_RETRIES", "0")
    for fmt, marker in (("text", "Note: the LLM agent"), ("markdown", "· Note: the LLM agent")):
        result = opsagent("analyze", str(EXAMPLE), "--now", NOW, "-f", fmt, "--llm",
                          "openai:gpt-4o-mini")
        assert result.code == 0, result.stderr
        assert marker in result.stdout and "was not used" in result.stdout
        assert "eviewed" not in result.stdout
