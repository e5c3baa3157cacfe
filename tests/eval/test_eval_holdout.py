"""The hold-out corpus (never used to tune the engine) stays loadable and runnable.

It is deliberately not scored against thresholds here: a pinned bar would turn it into a
tuning target. Its figures are reported in the README."""

from __future__ import annotations

import json

from ..conftest import ROOT, run_cli


def test_holdout_corpus_runs_without_failures() -> None:
    result = run_cli("eval", str(ROOT / "benchmarks" / "holdout"), "--json",
                     "--min-severity-accuracy", "0", "--min-severity-balanced-accuracy", "0",
                     "--min-top1-accuracy", "0", "--min-top3-accuracy", "0",
                     "--min-action-recall", "0", "--max-forbidden-actions", "100")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["cases"]) == 20
    assert report["aggregate"]["failures"] == 0
