"""Loading a corpus and running it: malformed cases, failures, filters, rendering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest

from opsagent.evaluation import CorpusError, evaluate, load_corpus
from opsagent.evaluation.cases import load_expected
from opsagent.evaluation.render import render_json, render_table
from opsagent.evaluation.thresholds import DEFAULT_THRESHOLDS
from opsagent.models.report import TriageReport

from .conftest import MakeCase, fake_analyze, fake_payload


def test_a_failing_case_is_recorded_and_the_others_still_run(make_case: MakeCase,
                                                             tmp_path: Path) -> None:
    make_case("c1", {"actions": ["(?i)dns"]}, fake_payload())
    make_case("c2", {"severity": ["LOW"]}, fake_payload(fail="engine exploded"))
    make_case("c3", {"top1": ["cache"]}, fake_payload(categories=("network",)))
    run = evaluate(tmp_path / "corpus", analyze=fake_analyze)
    by_name = {r.name: r for r in run.results}
    assert list(by_name) == ["c1", "c2", "c3"]
    assert by_name["c1"].severity_ok and by_name["c1"].top1_ok
    assert by_name["c2"].error == "RuntimeError: engine exploded"
    assert by_name["c2"].latency_ms is not None
    assert not by_name["c3"].top1_ok and by_name["c3"].got_top1 == "network"
    agg = run.aggregate
    assert agg.failures == 1
    assert agg.top1_accuracy == pytest.approx(1 / 3)


def test_a_report_of_the_wrong_type_is_a_failure(make_case: MakeCase, tmp_path: Path) -> None:
    make_case("c1", None, fake_payload())
    not_a_report = cast(Any, lambda *p, **k: {"severity": "HIGH"})
    run = evaluate(tmp_path / "corpus", analyze=not_a_report)
    assert run.results[0].error == "analyze returned dict, not a TriageReport"


def test_the_pinned_now_and_options_reach_the_analysis(make_case: MakeCase,
                                                       tmp_path: Path) -> None:
    seen: list[tuple[object, dict[str, object]]] = []

    def spy(*payloads: Any, now: object = None, **options: object) -> TriageReport:
        seen.append((now, options))
        return fake_analyze(*payloads)

    make_case("c1", {"now": "2026-01-02T03:04:05+01:00"}, fake_payload())
    evaluate(tmp_path / "corpus", analyze=spy, options={"llm": "ollama:x"})
    now, options = seen[-1]
    assert str(now) == "2026-01-02 02:04:05+00:00"
    assert options == {"llm": "ollama:x"}


def test_every_payload_file_of_a_case_is_one_incident(make_case: MakeCase,
                                                      tmp_path: Path) -> None:
    directory = make_case("c1", None, [fake_payload(), {"service": "x"}],
                          payload_name="a.json")
    (directory / "b.ndjson").write_text("{}\n{}\n")  # not *.json: ignored
    (directory / "c.json").write_text('{"service": "y"}')
    cases, broken = load_corpus(tmp_path / "corpus")
    assert not broken
    assert cases[0].payload_files == ("a.json", "c.json")
    assert len(cases[0].payloads) == 3  # the array is split into its documents


def test_warmup_runs_the_first_case_once_more_untimed(make_case: MakeCase,
                                                      tmp_path: Path) -> None:
    calls: list[int] = []

    def counting(*payloads: Any, **kw: object) -> TriageReport:
        calls.append(1)
        return fake_analyze(*payloads)

    make_case("c1", None, fake_payload())
    make_case("c2", None, fake_payload())
    evaluate(tmp_path / "corpus", analyze=counting)
    assert len(calls) == 3
    calls.clear()
    evaluate(tmp_path / "corpus", analyze=counting, options={"llm": "x"})
    assert len(calls) == 2  # no warm-up call with an LLM (cost)


@pytest.mark.parametrize(
    ("expected", "field", "words"),
    [
        ({"top1": ["dnss"]}, "top1[0]", "unknown category 'dnss'"),
        ({"top3": ["dns", "bogus"]}, "top3[1]", "unknown category 'bogus'"),
        ({"severity": ["CRITICAL"]}, "severity[0]", "unknown severity 'CRITICAL'"),
        ({"difficulty": "trivial"}, "difficulty", "unknown difficulty"),
        ({"actions": ["(?i)roll(back"]}, "actions[0]", "invalid regular expression"),
        ({"forbidden_actions": ["["]}, "forbidden_actions[0]", "invalid regular expression"),
        ({"expected_top1": ["dns"]}, "expected_top1", "unknown field"),
        ({"now": "yesterday-ish"}, "now", "ISO 8601"),
        ({"top1": []}, "top1", "at least one"),
        ({"actions": "(?i)ok", "tags": ["Bad Tag"]}, "tags[0]", "invalid tag"),
        ({"summary": ""}, "summary", "non-empty"),
    ],
)
def test_malformed_labels_are_one_line_naming_the_file_and_field(
        make_case: MakeCase, tmp_path: Path, expected: dict[str, object], field: str,
        words: str) -> None:
    directory = make_case("bad", expected, fake_payload())
    with pytest.raises(CorpusError) as info:
        load_expected(directory / "expected.yaml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(directory / "expected.yaml"))
    assert f"field '{field}'" in message
    assert words in message


def test_missing_required_field_and_invalid_yaml(make_case: MakeCase) -> None:
    directory = make_case("bad", "summary: x\nsource: everyday\n", fake_payload())
    with pytest.raises(CorpusError, match="field 'difficulty': required field is missing"):
        load_expected(directory / "expected.yaml")
    directory = make_case("bad2", "summary: [unclosed\n", fake_payload())
    with pytest.raises(CorpusError, match=r"expected\.yaml:\d+: invalid YAML"):
        load_expected(directory / "expected.yaml")
    directory = make_case("bad3", "- just\n- a list\n", fake_payload())
    with pytest.raises(CorpusError, match="expected a mapping"):
        load_expected(directory / "expected.yaml")


def test_a_malformed_case_is_a_failure_and_never_hides_the_others(make_case: MakeCase,
                                                                  tmp_path: Path) -> None:
    make_case("a-good", None, fake_payload())
    make_case("b-bad-label", {"top1": ["nope"]}, fake_payload())
    make_case("c-no-payload", None, None)
    bad_json = make_case("d-bad-json", None, None)
    (bad_json / "event.json").write_text('{"service": ')
    (tmp_path / "corpus" / "e-no-expected").mkdir()
    (tmp_path / "corpus" / "e-no-expected" / "event.json").write_text("{}")
    (tmp_path / "corpus" / "_drafts").mkdir()
    (tmp_path / "corpus" / "_drafts" / "event.json").write_text("{}")
    (tmp_path / "corpus" / "notes").mkdir()  # neither labels nor payloads: not a case
    run = evaluate(tmp_path / "corpus", analyze=fake_analyze)
    errors = {r.name: r.error for r in run.results}
    assert list(errors) == ["a-good", "b-bad-label", "c-no-payload", "d-bad-json",
                            "e-no-expected"]
    assert errors["a-good"] is None
    assert "field 'top1[0]'" in str(errors["b-bad-label"])
    assert "no *.json payload" in str(errors["c-no-payload"])
    assert "invalid JSON" in str(errors["d-bad-json"])
    assert "missing expected.yaml" in str(errors["e-no-expected"])
    assert run.aggregate.failures == 4


def test_a_missing_corpus_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CorpusError, match="expected a directory"):
        load_corpus(tmp_path / "file")


def test_select_filters_cases_by_name(make_case: MakeCase, tmp_path: Path) -> None:
    make_case("s001-a", None, fake_payload())
    make_case("s002-b", None, fake_payload())
    run = evaluate(tmp_path / "corpus", analyze=fake_analyze,
                   select=lambda name: name.endswith("-b"))
    assert [r.name for r in run.results] == ["s002-b"]


def test_the_table_and_json_show_each_case_and_the_aggregate(make_case: MakeCase,
                                                             tmp_path: Path) -> None:
    make_case("c1", {"actions": ["(?i)dns", "(?i)page"], "forbidden_actions": ["(?i)check"]},
              fake_payload())
    make_case("c2", None, fake_payload(fail="boom"))
    run = evaluate(tmp_path / "corpus", analyze=fake_analyze, engine="fake")
    violations = DEFAULT_THRESHOLDS.violations(run.aggregate)
    table = render_table(run, DEFAULT_THRESHOLDS, violations)
    assert "c1" in table and "c2" in table and "ERROR" in table
    assert "c2: error: RuntimeError: boom" in table
    assert "c1: forbidden action: (?i)check ~ Check DNS resolution" in table
    assert "c1: no action matches (?i)page" in table
    assert "Severity balanced accuracy" in table and "FAILED thresholds" in table
    data = json.loads(render_json(run, DEFAULT_THRESHOLDS, violations))
    assert data["passed"] is False and data["violations"] == violations
    assert data["aggregate"]["failures"] == 1
    assert data["aggregate"]["forbidden_actions"] == 1
    assert data["thresholds"]["min_top1_accuracy"] == DEFAULT_THRESHOLDS.min_top1_accuracy
    case = data["cases"][0]
    assert case["expected"] == {"severity": ["HIGH"], "top1": ["dns"], "top3": []}
    assert case["got"]["categories"] == ["dns"]
    assert case["action_recall"] == 0.5
