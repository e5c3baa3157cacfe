"""Scoring of one report and of a whole run: the numbers `opsagent eval` prints."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import pytest

from opsagent.evaluation import (
    DEFAULT_THRESHOLDS,
    CaseResult,
    Expected,
    Thresholds,
    aggregate,
    percentile,
    score_report,
)
from opsagent.evaluation.scoring import failed_case
from opsagent.models.report import TriageReport

from .conftest import fake_analyze, fake_payload

NOW = datetime(2026, 3, 14, 10, 30, tzinfo=timezone.utc)


BASE = Expected(summary="s", source="everyday", difficulty="easy", now=NOW,
                severity=("HIGH",), top1=("dns",))


def expected(**overrides: Any) -> Expected:
    return replace(BASE, **overrides)


def report(severity: str = "HIGH", categories: tuple[str, ...] = ("dns",),
           actions: tuple[str, ...] = ("Check DNS resolution",)) -> TriageReport:
    return fake_analyze(fake_payload(severity, categories, actions))


def test_a_matching_report_scores_ok_everywhere() -> None:
    result = score_report("c", expected(top3=("dns", "network"),
                                        actions=("(?i)dns",),
                                        forbidden_actions=("(?i)roll ?back",)),
                          report(categories=("dns", "cache", "network")), 1.5)
    assert (result.severity_ok, result.top1_ok, result.top3_ok) == (True, True, True)
    assert result.action_recall == 1.0
    assert result.forbidden_hits == []
    assert result.latency_ms == 1.5
    assert not result.failed


def test_any_accepted_level_or_category_counts() -> None:
    result = score_report("c", expected(severity=("MEDIUM", "HIGH"), top1=("dns", "network")),
                          report(severity="HIGH", categories=("network",)))
    assert result.severity_ok and result.top1_ok


def test_wrong_severity_and_top1_are_reported_with_what_the_engine_said() -> None:
    result = score_report("c", expected(), report(severity="LOW", categories=("cache", "dns")))
    assert not result.severity_ok and not result.top1_ok
    assert result.got_severity == "LOW" and result.got_top1 == "cache"


def test_top3_needs_every_listed_category_among_the_first_three() -> None:
    exp = expected(top3=("dns", "network"))
    assert not score_report("c", exp,
                            report(categories=("dns", "cache", "data", "network"))).top3_ok
    assert score_report("c", exp, report(categories=("network", "cache", "dns"))).top3_ok
    assert score_report("c", expected(), report(categories=())).top3_ok  # nothing required


def test_action_recall_is_the_share_of_patterns_matched_and_lists_the_misses() -> None:
    result = score_report("c", expected(actions=("(?i)dns", "(?i)roll ?back", "(?i)page")),
                          report(actions=("Flush the DNS cache", "Page the owner")))
    assert result.action_recall == pytest.approx(2 / 3)
    assert result.missed_actions == ["(?i)roll ?back"]
    assert score_report("c", expected(), report()).action_recall is None  # no patterns


def test_forbidden_actions_are_counted_per_matching_title() -> None:
    result = score_report("c", expected(forbidden_actions=("(?i)roll ?back",)),
                          report(actions=("Roll back the deploy", "Rollback the config",
                                          "Check DNS")))
    assert len(result.forbidden_hits) == 2
    assert "Roll back the deploy" in result.forbidden_hits[0]


def _result(level: str, ok: bool, *, top1: bool = True, latency: float | None = 1.0,
            recall: float | None = None, error: str | None = None) -> CaseResult:
    return CaseResult(name=f"{level}-{ok}", difficulty="easy", tags=[],
                      expected_severity=[level], expected_top1=["dns"], expected_top3=[],
                      primary_level=level, got_severity=None if error else level,
                      severity_ok=ok, top1_ok=top1, top3_ok=top1, action_recall=recall,
                      latency_ms=latency, error=error)


def test_balanced_accuracy_is_the_mean_of_per_level_recall() -> None:
    results = [_result("LOW", True), _result("LOW", True), _result("LOW", True),
               _result("LOW", False), _result("MEDIUM", False), _result("HIGH", True)]
    agg = aggregate(results)
    assert agg.severity_accuracy == pytest.approx(4 / 6)
    assert agg.severity_recall == {"LOW": 0.75, "MEDIUM": 0.0, "HIGH": 1.0}
    assert agg.severity_balanced_accuracy == pytest.approx((0.75 + 0.0 + 1.0) / 3)


def test_levels_without_cases_are_left_out_of_balanced_accuracy() -> None:
    agg = aggregate([_result("LOW", True), _result("HIGH", False)])
    assert agg.severity_recall["MEDIUM"] is None
    assert agg.severity_balanced_accuracy == pytest.approx(0.5)


def test_a_case_counts_under_its_first_accepted_level() -> None:
    result = score_report("c", expected(severity=("MEDIUM", "HIGH")), report(severity="HIGH"))
    agg = aggregate([result])
    assert agg.severity_recall == {"LOW": None, "MEDIUM": 1.0, "HIGH": None}
    assert agg.severity_confusion == {"MEDIUM": {"HIGH": 1}}


def test_failures_count_as_wrong_with_zero_recall_and_keep_their_message() -> None:
    failed = failed_case("broken", expected(actions=("(?i)dns",)),
                         "RuntimeError: boom\n  at line 3", 2.0)
    assert failed.error == "RuntimeError: boom at line 3"
    assert failed.action_recall == 0.0
    agg = aggregate([failed, _result("HIGH", True, recall=1.0)])
    assert agg.failures == 1
    assert agg.severity_accuracy == 0.5 and agg.top1_accuracy == 0.5
    assert agg.action_recall == 0.5
    assert agg.severity_confusion["HIGH"] == {"ERROR": 1, "HIGH": 1}


def test_a_case_whose_labels_could_not_load_is_a_failure_outside_the_level_counts() -> None:
    agg = aggregate([failed_case("bad", None, "bad yaml"), _result("LOW", True)])
    assert agg.failures == 1
    assert agg.severity_accuracy == 0.5
    assert agg.severity_balanced_accuracy == 1.0


def test_latency_mean_and_nearest_rank_p95() -> None:
    results = [_result("LOW", True, latency=float(ms)) for ms in range(1, 101)]
    agg = aggregate(results)
    assert agg.latency_mean_ms == pytest.approx(50.5)
    assert agg.latency_p95_ms == 95.0
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0], 50) == 1.0
    with pytest.raises(ValueError):
        percentile([], 95)


def test_an_empty_run_scores_zero_and_fails_the_default_thresholds() -> None:
    agg = aggregate([])
    assert agg.cases == 0 and agg.severity_accuracy == 0.0 and agg.latency_p95_ms is None
    assert DEFAULT_THRESHOLDS.violations(agg)


def test_thresholds_name_every_metric_that_misses() -> None:
    agg = aggregate([_result("HIGH", False, top1=False, recall=0.0, latency=900.0),
                     failed_case("x", None, "boom")])
    agg.forbidden_actions = Thresholds().max_forbidden_actions + 1
    text = "\n".join(Thresholds().violations(agg))
    for word in ("severity accuracy", "balanced", "top-1", "top-3", "action recall",
                 "forbidden", "failed", "p95 latency"):
        assert word in text
    lenient = Thresholds(0, 0, 0, 0, 0, max_forbidden_actions=agg.forbidden_actions,
                         max_failures=1,
                         max_p95_latency_ms=None)
    assert lenient.violations(agg) == []


def test_overrides_replace_only_the_given_values() -> None:
    changed = DEFAULT_THRESHOLDS.with_overrides(min_top1_accuracy=0.1, max_failures=None)
    assert changed.min_top1_accuracy == 0.1
    assert changed.max_failures == DEFAULT_THRESHOLDS.max_failures


def test_agent_fallbacks_are_recorded_per_case_and_counted() -> None:
    fell_back = report().model_copy(update={"analysis": report().analysis.model_copy(
        update={"fallback": "LLM error: timeout"})})
    result = score_report("c", expected(), fell_back)
    assert result.fallback == "LLM error: timeout"
    assert result.as_dict()["fallback"] == "LLM error: timeout"
    assert aggregate([result, score_report("d", expected(), report())]).fallbacks == 1


def confident(result: CaseResult, confidence: float) -> CaseResult:
    result.top_confidence = confidence
    return result


def test_the_confusion_matrix_counts_expected_against_given_top1() -> None:
    results = [score_report("a", expected(top1=("dns",)), report(categories=("dns",))),
               score_report("b", expected(top1=("dns",)), report(categories=("network",))),
               score_report("c", expected(top1=("cache",)), report(categories=())),
               failed_case("d", expected(top1=("cache",)), "boom")]
    confusion = aggregate(results).category_confusion
    assert confusion == {"dns": {"dns": 1, "network": 1}, "cache": {"none": 1, "ERROR": 1}}


def test_calibration_bands_compare_confidence_with_how_often_the_top_cause_was_right(
) -> None:
    right = score_report("a", expected(), report(categories=("dns",)))
    wrong = score_report("b", expected(), report(categories=("cache",)))
    results = [confident(right, 0.8), confident(replace(wrong, name="b"), 0.75),
               confident(replace(right, name="c"), 0.2)]
    agg = aggregate(results)
    bands = {b["band"]: b for b in agg.calibration}
    assert bands["70%-90%"]["cases"] == 2 and bands["70%-90%"]["top1_accuracy"] == 0.5
    assert bands["0%-30%"]["top1_accuracy"] == 1.0 and bands["50%-70%"]["cases"] == 0
    # |0.775 - 0.5| over two cases and |0.2 - 1.0| over one, weighted by cases
    assert agg.calibration_error == pytest.approx((2 * 0.275 + 0.8) / 3, abs=1e-4)


def test_a_case_counts_under_every_format_it_uses() -> None:
    one = score_report("a", expected(), report(), formats=["alertmanager", "generic"])
    two = score_report("b", expected(), report(severity="LOW"), formats=["generic"])
    by_format = aggregate([one, two]).by_format
    assert by_format["alertmanager"]["cases"] == 1
    assert by_format["generic"] == {"cases": 2, "severity_accuracy": 0.5,
                                    "top1_accuracy": 1.0, "top3_accuracy": 1.0}


def test_abstentions_are_counted_and_the_others_scored_apart() -> None:
    from opsagent.models.report import Conclusion

    thin = report(categories=("cache",))
    thin = thin.model_copy(update={"conclusion": Conclusion(outcome="insufficient_evidence",
                                                            reason="thin")})
    results = [score_report("a", expected(), thin), score_report("b", expected(), report())]
    agg = aggregate(results)
    assert results[0].abstained and not results[1].abstained
    assert agg.abstentions == 1 and agg.top1_when_concluded == 1.0
