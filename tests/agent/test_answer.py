"""The answer parser: lenient with the usual slips, precise about the rest."""

from __future__ import annotations

import json

from opsagent.agent.answer import parse_answer, response_model
from opsagent.agent.providers import strict_schema
from opsagent.models import CATEGORIES, Level

GOOD = {
    "summary": "Checkout fails 18% of requests since the deploy; roll it back.",
    "severity": {"level": "HIGH", "reason": ""},
    "root_causes": [{"category": "deploy_regression", "title": "Bad deploy",
                     "confidence": 0.8, "evidence": ["E1"], "counter_evidence": []}],
    "actions": [{"title": "Roll back", "kind": "mitigate", "risk": "low",
                 "rationale": "fast", "cause": "deploy_regression"}],
}


def test_a_good_answer_parses() -> None:
    parsed = parse_answer(json.dumps(GOOD), strict=True)
    assert parsed.problems == []
    assert parsed.answer is not None
    assert parsed.answer.severity.level == Level.HIGH
    assert parsed.answer.root_causes[0].category == "deploy_regression"


def test_fences_prose_and_final_answer_markers_are_tolerated() -> None:
    raw = "Thought: done\nFinal Answer: Here it is:\n```json\n" + json.dumps(GOOD) + "\n```"
    assert parse_answer(raw, strict=True).answer is not None


def test_common_slips_are_normalised() -> None:
    data = {**GOOD, "severity": "medium",
            "root_causes": [{"category": "Deploy-Regression", "title": "t",
                             "confidence": "85%", "evidence": "E1"}],
            "actions": ["Roll back the deploy",
                        {"title": "Investigate the gateway", "kind": "investigation?",
                         "risk": "whatever", "cause": "nope"}]}
    parsed = parse_answer(data, strict=True)
    assert parsed.problems == []
    answer = parsed.answer
    assert answer is not None
    assert answer.severity.level == Level.MEDIUM
    assert answer.root_causes[0].category == "deploy_regression"
    assert answer.root_causes[0].confidence == 0.85
    assert answer.root_causes[0].evidence == ["E1"]
    assert [a.kind for a in answer.actions] == ["diagnose", "diagnose"]
    assert answer.actions[1].risk == "medium" and answer.actions[1].cause is None


def test_json_that_is_almost_right_is_repaired() -> None:
    raw = json.dumps(GOOD)[:-2]  # truncated: the closing brackets are missing
    assert parse_answer(raw, strict=True).answer is not None


def test_problems_are_listed_for_the_repair() -> None:
    parsed = parse_answer({"summary": "", "severity": {"level": "CRITICAL"},
                           "root_causes": {}}, strict=True)
    assert parsed.answer is None
    assert any("summary" in p for p in parsed.problems)
    assert any("severity.level" in p for p in parsed.problems)
    assert any("root_causes" in p for p in parsed.problems)
    assert parse_answer("no json here", strict=True).problems == [
        "the answer holds no JSON object"]


def test_strict_reports_bad_items_lenient_drops_them() -> None:
    data = {**GOOD, "root_causes": [*GOOD["root_causes"],
                                    {"category": "aliens", "title": "x", "evidence": ["E1"]},
                                    {"category": "dns", "title": "y", "evidence": []}]}
    strict = parse_answer(data, strict=True)
    assert len(strict.problems) == 2
    assert "not a taxonomy id" in strict.problems[0]
    lenient = parse_answer(data, strict=False)
    assert lenient.problems == []
    assert lenient.answer is not None and len(lenient.answer.root_causes) == 1
    assert len(lenient.dropped) == 2


def test_the_schema_carries_the_taxonomy_and_for_local_models_the_evidence_ids() -> None:
    loose = response_model(["E1", "E2"], constrained=False).model_json_schema()
    cause = loose["$defs"]["AgentRootCause"]["properties"]
    assert cause["category"]["enum"] == list(CATEGORIES)
    assert "enum" not in cause["evidence"].get("items", {})
    tight = response_model(["E1", "E2"], constrained=True).model_json_schema()
    cause = tight["$defs"]["AgentRootCause"]["properties"]
    assert cause["evidence"]["items"]["enum"] == ["E1", "E2"]
    assert cause["evidence"]["minItems"] == 1
    assert tight["properties"]["summary"]["maxLength"] > 0


def test_strict_schema_closes_every_object() -> None:
    schema = strict_schema(response_model(["E1"], constrained=False).model_json_schema())
    for definition in schema["$defs"].values():
        assert definition["additionalProperties"] is False
        assert set(definition["required"]) == set(definition["properties"])
    assert schema["additionalProperties"] is False
