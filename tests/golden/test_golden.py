"""Each golden report is what the CLI prints today; a change of judgment shows as a diff.

The test never rewrites a golden file: after a deliberate change, regenerate them with
``python scripts/regen_golden.py`` and review the diff like code.
"""

from __future__ import annotations

import difflib

import pytest

from .reports import (
    CASES,
    CORPUS,
    FORMATS,
    REGENERATE,
    ROOT,
    command,
    golden_path,
    render,
    stray_files,
)

PAIRS = [(case, suffix) for case in CASES for suffix in FORMATS]


@pytest.mark.parametrize(("case", "suffix"), PAIRS, ids=[f"{c}.{s}" for c, s in PAIRS])
def test_report_matches_its_golden_file(case: str, suffix: str) -> None:
    path = golden_path(case, suffix)
    rendered = render(case, suffix)
    regenerate = f"regenerate on purpose: {REGENERATE} {case}"
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing; {regenerate}", pytrace=False)
    golden = path.read_text(encoding="utf-8")
    if rendered != golden:
        diff = "".join(difflib.unified_diff(
            golden.splitlines(keepends=True), rendered.splitlines(keepends=True),
            fromfile=f"golden {path.relative_to(ROOT)}",
            tofile=f"now    {command(case, suffix)}"))
        pytest.fail(f"the report changed:\n{diff}\nIf the change is intended, "
                    f"{regenerate}, and review the diff.", pytrace=False)


def test_golden_cases_are_tuned_corpus_cases() -> None:
    missing = [case for case in CASES if not (ROOT / CORPUS / case / "expected.yaml").is_file()]
    assert not missing, f"not cases of {CORPUS}: {missing}"


def test_every_golden_file_belongs_to_a_listed_case() -> None:
    stray = [p.name for p in stray_files()]
    assert not stray, f"golden files of no listed case: {stray}; {REGENERATE} removes them"
