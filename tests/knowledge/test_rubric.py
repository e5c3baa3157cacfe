"""The severity rubric is knowledge data: its thresholds are a YAML file a team can
override, and a bad key is a lint error naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import opsagent
from opsagent.knowledge.loader import lint, load_knowledge

from ..conftest import NOW

EVENT = {"service": "checkout-service", "error_rate": "7%"}


def test_the_built_in_rubric_is_a_file_the_engine_reads() -> None:
    kb = load_knowledge()
    assert kb.rubric["critical_error_rate"] == 0.05
    assert opsagent.analyze(EVENT, now=NOW).severity.level.value == "HIGH"


def test_a_team_raises_a_threshold_in_its_own_knowledge(tmp_path: Path) -> None:
    (tmp_path / "severity.yaml").write_text("severity_rubric:\n  critical_error_rate: 0.10\n",
                                            encoding="utf-8")
    report = opsagent.analyze(EVENT, now=NOW, knowledge=[tmp_path])
    assert report.severity.level.value == "MEDIUM"


def test_an_unknown_or_bad_threshold_is_a_lint_error(tmp_path: Path) -> None:
    (tmp_path / "severity.yaml").write_text("severity_rubric:\n  critical_eror_rate: 0.10\n",
                                            encoding="utf-8")
    _kb, errors = lint([tmp_path])
    assert any("severity.yaml" in str(e) and "critical_eror_rate" in str(e) for e in errors)


def test_kb_lint_tries_a_teams_own_term_examples(tmp_path: Path) -> None:
    from opsagent.cli import main

    (tmp_path / "words.yaml").write_text(
        "terms:\n  - feature: text.ledger_lag\n    patterns: ['\\bledger (?:lag|behind)\\b']\n"
        "    examples:\n      match: [the ledger is behind by an hour]\n"
        "      no_match: [ledger lag is normal]\n", encoding="utf-8")
    # "the ledger is behind" does not match 'ledger (lag|behind)': the example catches it
    assert main(["kb", "lint", str(tmp_path)]) == 2
