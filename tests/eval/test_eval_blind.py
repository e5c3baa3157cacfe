"""The frozen blind splits stay loadable and every incident in them is triaged.

Their figures are a measurement, not a gate: a pinned bar would turn them into a tuning
target. They are reported in the README; this only checks that no incident is lost."""

from __future__ import annotations

import json

import pytest

from ..conftest import ROOT, run_cli

BENCHMARKS = ROOT / "benchmarks"
BLIND_SPLITS = {"blind": 90, "blind2": 60, "blind3": 60, "blind4": 40}


def test_the_blind_splits_are_marked_blind_and_frozen() -> None:
    from opsagent.evaluation.cases import corpus_split

    for name in (*BLIND_SPLITS, "holdout"):
        assert corpus_split(BENCHMARKS / name) == "blind", name
    assert corpus_split(BENCHMARKS / "scenarios") == "tuned"


def test_eval_without_a_directory_measures_every_blind_split() -> None:
    from opsagent.evaluation.command import default_corpora

    names = [path.name for path in default_corpora()]
    assert names[0] == "scenarios"
    assert sorted(names[1:]) == sorted([*BLIND_SPLITS, "holdout"])


@pytest.mark.parametrize(("split", "count"), sorted(BLIND_SPLITS.items()))
def test_every_blind_incident_is_triaged(split: str, count: int) -> None:
    result = run_cli("eval", str(BENCHMARKS / split), "--json")
    assert result.code == 0, result.stderr  # a blind split alone never gates
    report = json.loads(result.stdout)
    assert len(report["cases"]) == count
    assert report["aggregate"]["failures"] == 0
    assert all(case["got"]["severity"] for case in report["cases"])
