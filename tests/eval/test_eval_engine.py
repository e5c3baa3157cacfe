"""The engine on the labeled corpus must meet the pinned thresholds (the quality bar)."""

from __future__ import annotations

from opsagent.evaluation import DEFAULT_THRESHOLDS, default_corpus_dir, evaluate
from opsagent.evaluation.render import render_table


def test_the_engine_meets_the_pinned_thresholds_on_the_corpus() -> None:
    run = evaluate(default_corpus_dir())
    violations = DEFAULT_THRESHOLDS.violations(run.aggregate)
    assert not violations, "\n" + render_table(run, DEFAULT_THRESHOLDS, violations)
