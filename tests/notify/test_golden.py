"""The rendered messages of the bundled example (new, with a similar past incident, and
resolved) on every channel, compared with tests/notify/golden/ (never rewritten here)."""

from __future__ import annotations

import difflib

import pytest

from .messages import CASES, GOLDEN, REGENERATE, golden_files


@pytest.mark.parametrize("case", list(CASES))
def test_messages_match_golden(case: str) -> None:
    for name, content in golden_files(case).items():
        path = GOLDEN / name
        assert path.is_file(), f"missing {path}; run {REGENERATE}"
        expected = path.read_text(encoding="utf-8")
        if content != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True),
                                                content.splitlines(True), str(path), "now"))
            pytest.fail(f"{name} changed; if deliberate run {REGENERATE}\n{diff}")
