"""``opsagent kb``: lint errors a user can act on (file:line, things by their names) and
titles listed as a report shows them."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run

MODE = """\
id: kafka_rebalance_storm
category: capacity
title: Kafka consumer group rebalancing storm[ on {service}]
summary: consumers stuck in a rebalance loop
requires_any: [text.rebalance]
supports:
  - feature: text.rebalance
    weight: 0.8
  - feature: queue.backlogg
    weight: 0.3
actions:
  - title: Find slow consumers of {service}
    kind: mitigatee
"""


def test_schema_errors_carry_file_line_and_the_names(opsagent: Run, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "kafka.yaml").write_text(MODE)
    result = opsagent("kb", "lint", str(kb))
    assert result.code == 2
    assert result.stderr.splitlines() == [
        f"opsagent: {kb / 'kafka.yaml'}:13: field 'actions[0].kind': failure mode "
        "'kafka_rebalance_storm', action 'Find slow consumers of {service}': expected "
        "'mitigate', 'diagnose', 'escalate', 'communicate' or 'follow_up'"]


def test_unknown_features_carry_the_line_where_they_are_used(opsagent: Run,
                                                             tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "kafka.yaml").write_text(MODE.replace("mitigatee", "mitigate"))
    (kb / "terms.yaml").write_text(
        "terms:\n  - feature: text.rebalance\n    patterns: ['\\brebalanc\\w*']\n")
    result = opsagent("kb", "lint", str(kb))
    assert result.code == 2
    assert result.stderr.splitlines() == [
        f"opsagent: {kb / 'kafka.yaml'}:9: failure mode 'kafka_rebalance_storm': unknown "
        "feature 'queue.backlogg'; did you mean 'queue.backlog'? (see 'opsagent kb features')"]


def test_a_terms_error_names_the_term(opsagent: Run, tmp_path: Path) -> None:
    (tmp_path / "terms.yaml").write_text(
        "terms:\n  - feature: text.ok\n    patterns: [ok]\n"
        "  - feature: text.broken\n    patterns: ['(unclosed']\n")
    result = opsagent("kb", "lint", str(tmp_path))
    assert result.code == 2
    line = result.stderr.strip()
    assert line.startswith(f"opsagent: {tmp_path / 'terms.yaml'}:5: field 'terms[1].patterns': "
                           "term 'text.broken': invalid regular expression '(unclosed'"), line


def test_a_failure_mode_may_carry_its_vocabulary_in_its_own_file(opsagent: Run,
                                                                 tmp_path: Path) -> None:
    fixed = MODE.replace("mitigatee", "mitigate").replace("backlogg", "backlog")
    (tmp_path / "kafka.yaml").write_text(
        fixed + "terms:\n  - feature: text.rebalance\n    patterns: ['\\brebalanc\\w*']\n"
        "cases:\n  match:\n    - name: rebalancing\n"
        "      payload: {service: orders, logs: [\"consumer group is rebalancing\"]}\n")
    result = opsagent("kb", "lint", str(tmp_path))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: 16 failure modes")


def test_kb_list_shows_titles_as_reports_do(opsagent: Run, tmp_path: Path) -> None:
    (tmp_path / "kafka.yaml").write_text(
        MODE.replace("mitigatee", "mitigate").replace("backlogg", "backlog")
        .replace("[ on {service}]", " on {service}"))
    result = opsagent("kb", "list", "--knowledge", str(tmp_path))
    assert result.code == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "Kafka consumer group rebalancing storm on the affected service" in lines[
        "kafka_rebalance_storm"]
    assert "Downstream dependency failing or slow  [" in lines["dependency_failure"]
    assert "{" not in result.stdout and "[ (" not in result.stdout


def test_a_failing_case_carries_the_line_of_its_name(opsagent: Run, tmp_path: Path) -> None:
    fixed = MODE.replace("mitigatee", "mitigate").replace("backlogg", "backlog")
    (tmp_path / "kafka.yaml").write_text(
        fixed + "terms:\n  - feature: text.rebalance\n    patterns: ['\\brebalanc\\w*']\n"
        "cases:\n  match:\n    - name: rebalancing\n"
        "      payload: {service: orders, logs: [\"consumer group is rebalancing\"]}\n"
        "  no_match:\n    - name: a rebalance that is not ours\n"
        "      payload: {service: orders, logs: [\"consumer group is rebalancing\"]}\n")
    result = opsagent("kb", "lint", str(tmp_path))
    assert result.code != 0
    failing = [line for line in result.stderr.splitlines() if "a rebalance that is not" in line]
    assert failing and failing[0].startswith(
        f"opsagent: {tmp_path / 'kafka.yaml'}:22: kafka_rebalance_storm: no_match case "), failing
