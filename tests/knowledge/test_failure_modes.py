"""Every failure mode's own cases, and the knowledge base as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest

import opsagent
from opsagent.knowledge import load_knowledge
from opsagent.knowledge.cases import run_cases
from opsagent.models import CATEGORIES

KB = load_knowledge()
RESULTS = run_cases(KB)


@pytest.mark.parametrize("result", RESULTS, ids=[f"{r.mode}:{r.expected}:{r.case}"
                                                 for r in RESULTS])
def test_case(result: object) -> None:
    assert result.ok, result.describe()  # type: ignore[attr-defined]


def test_all_fifteen_categories_have_a_failure_mode_with_cases() -> None:
    covered = {fm.category for fm in KB.failure_modes}
    assert covered == set(CATEGORIES)
    for fm in KB.failure_modes:
        assert len(fm.cases.match) >= 2, fm.id
        assert len(fm.cases.no_match) >= 1, fm.id
        assert any(a.kind == "mitigate" for a in fm.actions), fm.id
        assert any(a.kind == "diagnose" for a in fm.actions), fm.id


def test_no_action_is_a_destructive_command() -> None:
    dangerous = ("rm -rf", "drop table", "delete namespace", "terraform destroy", "kubectl delete")
    for fm in KB.failure_modes:
        for action in fm.actions:
            assert not any(d in action.title.lower() for d in dangerous), action.title


def test_a_user_directory_adds_a_failure_mode(tmp_path: Path) -> None:
    (tmp_path / "kafka_rebalance.yaml").write_text(
        "id: kafka_rebalance_storm\n"
        "category: capacity\n"
        "title: Kafka consumer group rebalancing storm\n"
        "summary: consumers stuck in a rebalance loop\n"
        "requires_any: [text.rebalance]\n"
        "supports:\n"
        "  - feature: text.rebalance\n"
        "    weight: 0.8\n"
        "  - feature: queue.backlog\n"
        "    weight: 0.3\n"
        "actions:\n"
        "  - title: Raise max.poll.interval.ms for {service} and check for slow consumers\n"
        "    kind: mitigate\n"
    )
    (tmp_path / "words.yaml").write_text(
        "terms:\n"
        "  - feature: text.rebalance\n"
        "    patterns: ['rebalanc\\w*']\n"
    )
    event = {"service": "order-consumer", "logs": ["consumer group is rebalancing again"],
             "metrics": {"queue_depth": {"value": 90000, "baseline": 200}}}
    without = opsagent.analyze(event, now="2026-01-15T12:00:00Z")
    assert all(c.failure_mode != "kafka_rebalance_storm" for c in without.root_causes)
    report = opsagent.analyze(event, now="2026-01-15T12:00:00Z", knowledge=[tmp_path])
    top = report.root_causes[0]
    assert top.failure_mode == "kafka_rebalance_storm"
    assert top.title == "Kafka consumer group rebalancing storm"
    first = next(a.title for a in report.actions if a.kind == "mitigate")
    assert first.startswith("Raise max.poll.interval.ms for order-consumer")
