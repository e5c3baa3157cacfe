"""Redaction: every secret of the corpus is removed, every piece of evidence survives."""

from __future__ import annotations

from typing import Any

import pytest

from opsagent.agent.redact import redact, redact_data

from .conftest import load_yaml

CORPUS = load_yaml("secrets.yaml")


@pytest.mark.parametrize("case", CORPUS["secrets"], ids=lambda c: c["name"])
def test_the_secret_is_gone(case: dict[str, Any]) -> None:
    out = redact(case["text"])
    assert str(case["secret"]) not in out
    assert "[REDACTED:" in out


@pytest.mark.parametrize("text", CORPUS["keep"])
def test_evidence_is_kept(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    for case in CORPUS["secrets"]:
        once = redact(case["text"])
        assert redact(once) == once


def test_labels_and_context_stay_readable() -> None:
    out = redact("connect postgres://orders:S3cr3t@orders-db.internal:5432 failed")
    assert out == "connect postgres://[REDACTED:credentials]@orders-db.internal:5432 failed"
    assert redact("Authorization: Bearer abcdefghijklmnop") == \
        "Authorization: Bearer [REDACTED:credentials]"


def test_nested_data_is_redacted() -> None:
    data = {"labels": {"owner": "ops@example.com"}, "notes": ["token=abc123def456"]}
    assert redact_data(data) == {"labels": {"owner": "[REDACTED:email]"},
                                 "notes": ["token=[REDACTED:secret]"]}
