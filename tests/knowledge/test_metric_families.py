"""The metric judges' table (metric_families.yaml): every family claims its example
names and none of its counter-examples, and a reading past its bound becomes evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsagent import analyze
from opsagent.engine.judges import MetricJudges, name_words
from opsagent.knowledge.loader import load_knowledge

KB = load_knowledge()
JUDGES = MetricJudges(KB.metric_families)
EXAMPLES = [(f.id, name, True) for f in KB.metric_families for name in f.examples.match] + \
           [(f.id, name, False) for f in KB.metric_families for name in f.examples.no_match]


@pytest.mark.parametrize(("family", "name", "claimed"), EXAMPLES)
def test_every_family_claims_its_examples_and_not_its_counter_examples(
        family: str, name: str, claimed: bool) -> None:
    found = JUDGES.family(name)
    assert ((found is not None and found.id == family) is claimed), (name, found and found.id)


def test_every_family_has_examples_both_ways() -> None:
    for family in KB.metric_families:
        assert family.examples.match and family.examples.no_match, family.id


def test_names_split_the_way_integrations_write_them() -> None:
    assert name_words("HTTPCode_Target_5XX_Count") == "http code target 5xx count"
    assert name_words("postgresql.percent_usage_connections") == \
        "postgresql percent usage connections"


def test_a_count_of_errors_far_over_its_threshold_is_elevated_errors() -> None:
    report = analyze({"service": "storefront", "environment": "production",
                      "metrics": {"HTTPCode_Target_5XX_Count": 3400}},
                     now="2026-03-14T10:30:00Z")
    assert report.severity.level.value == "LOW"  # no threshold or baseline: not judged
    judged = analyze({"service": "storefront", "environment": "production",
                      "metrics": {"HTTPCode_Target_5XX_Count": {"value": 3400,
                                                                "baseline": 12}}},
                     now="2026-03-14T10:30:00Z")
    assert judged.severity.level.value in ("MEDIUM", "HIGH"), judged.severity.reasons
    assert any("httpcode_target_5xx_count" in r.lower() for r in judged.severity.reasons)


def test_a_team_can_add_a_family_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "families.yaml").write_text(
        "metric_families:\n"
        "  - id: checkout_declines\n"
        "    names: ['\\bdeclin\\w*\\b']\n"
        "    feature: errors.elevated\n"
        "    examples: {match: [card_declines_total], no_match: [card_approvals]}\n",
        encoding="utf-8")
    kb = load_knowledge([tmp_path])
    assert kb.metric_families[0].id == "checkout_declines"
    assert MetricJudges(kb.metric_families).family("card_declines_total") is not None
