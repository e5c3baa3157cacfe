"""The frozen blind split stays loadable and every incident in it is triaged.

Its figures are a measurement, not a gate: a pinned bar would turn it into a tuning
target. They are reported in the README; this only checks that no incident is lost."""

from __future__ import annotations

import json

from ..conftest import ROOT, run_cli

BLIND = ROOT / "benchmarks" / "blind"


def test_the_blind_split_is_marked_blind_and_frozen() -> None:
    from opsagent.evaluation.cases import corpus_split

    assert corpus_split(BLIND) == "blind"
    assert corpus_split(ROOT / "benchmarks" / "holdout") == "blind"
    assert corpus_split(ROOT / "benchmarks" / "scenarios") == "tuned"


def test_every_blind_incident_is_triaged() -> None:
    result = run_cli("eval", str(BLIND), "--json")
    assert result.code == 0, result.stderr  # a blind split alone never gates
    report = json.loads(result.stdout)
    assert len(report["cases"]) == 90
    assert report["aggregate"]["failures"] == 0
    assert all(case["got"]["severity"] for case in report["cases"])
