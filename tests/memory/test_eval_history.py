"""``opsagent eval --history``: the corpus replayed with memory, as a user runs it."""

from __future__ import annotations

import json

import pytest

from opsagent.cli import main

from ..conftest import run_cli


def test_eval_history_prints_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "--history", "-k", "ledger-calls", "-k", "recs-engine",
                 "-k", "s015"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Memory replay of " in out and ": 7 incidents in time order" in out
    assert "| top-1 category accuracy | 100.0 % | 100.0 % |" in out
    # every ledger and recs-engine incident after the first of its kind finds its kin
    assert "| similar-incident precision | – | 100.0 % (4 with a similar incident) |" in out


def test_eval_history_json_in_a_real_process() -> None:
    result = run_cli("eval", "--history", "--json", "-k", "ledger-calls")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["incidents"] == 3
    assert data["similar"] == {"precision": 1.0, "cases": 2}
    assert data["feedback"] == 2
    assert data["top1"] == {"without": 1.0, "with": 1.0}
    assert data["recurrence"] == {"top1": 1.0, "top3": 1.0}


def test_eval_history_refuses_an_llm() -> None:
    result = run_cli("eval", "--history", "--llm", "openai:gpt-4o-mini")
    assert result.code == 2
    assert "--history replays the engine alone" in result.stderr
