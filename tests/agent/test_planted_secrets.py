"""Planted secrets (corpus/planted.yaml) counted on the way out: in everything the model
is sent (task, repair feedback) and in every tool result. The target is 0 for every kind."""

from __future__ import annotations

from collections import Counter
from typing import Any

from opsagent.agent import refine
from opsagent.agent.evidence import EvidenceCatalog
from opsagent.agent.testing import ScriptedLLM
from opsagent.agent.toolbox import Toolbox, tool_specs

from .conftest import engine_case, load_yaml

KINDS: dict[str, list[dict[str, str]]] = load_yaml("planted.yaml")["kinds"]


def planted_payload() -> dict[str, Any]:
    lines = [item["line"] for items in KINDS.values() for item in items]
    half = len(lines) // 2
    return {"service": "checkout-service", "region": "eu-west-1", "error_rate": "21%",
            "symptoms": ["customers cannot pay at checkout", *lines[:half]],
            "logs": lines[half:]}


def leaked(secret: str, sent: str) -> bool:
    """The secret, or any 8 characters of it in a row (a partial redaction leaks too)."""
    size = min(8, len(secret))
    return any(secret[i:i + size] in sent for i in range(len(secret) - size + 1))


def leaks(texts: list[str]) -> Counter[str]:
    sent = "\n".join(texts)
    return Counter(kind for kind, items in KINDS.items() for item in items
                   if leaked(item["secret"], sent))


def test_no_planted_secret_reaches_the_model() -> None:
    case = engine_case(planted_payload())
    llm = ScriptedLLM(["not json", "still not json"])  # a repair round as well
    refine(case.report, case.incident, llm.settings())
    sent = [m["content"] for request in llm.requests for m in request]
    assert len(llm.requests) == 2
    found = leaks(sent)
    assert found == Counter(), f"leaks by kind: {dict(found)}"


def test_no_planted_secret_in_a_tool_result() -> None:
    case = engine_case(planted_payload())
    catalog = EvidenceCatalog.build(case.report, case.incident)
    box = Toolbox(catalog, "0123abcd", services=list(case.incident.services))
    results = []
    for spec in tool_specs(box):
        for argument in ("", "checkout", "password", "key", "database"):
            results.append(spec.run(argument))
    found = leaks(results)
    assert found == Counter(), f"leaks by kind: {dict(found)}"


def test_the_corpus_covers_every_documented_kind() -> None:
    assert set(KINDS) == {"slack", "url_query", "url_credentials", "password_with_at",
                          "private_key", "email", "card_number", "json_escaped", "aws",
                          "azure", "key_like_field"}
    # the lines really hold their secrets (a corpus typo would make the test vacuous)
    for items in KINDS.values():
        for item in items:
            assert item["secret"] in item["line"]
