"""`opsagent eval` as a user runs it: a real subprocess, real engine, tiny corpora."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import EXAMPLE, ROOT, CliResult, run_cli
from .conftest import MakeCase

LENIENT = ["--min-severity-accuracy", "0", "--min-severity-balanced-accuracy", "0",
           "--min-top1-accuracy", "0", "--min-top3-accuracy", "0",
           "--min-action-recall", "0", "--max-forbidden-actions", "100",
           "--max-p95-latency-ms", "100000"]


def run_module(*args: str) -> CliResult:
    """``python -m opsagent.evaluation ARGS``: the command without the opsagent CLI."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM")}
    proc = subprocess.run([sys.executable, "-m", "opsagent.evaluation", *args],
                          capture_output=True, cwd=ROOT, env=env, timeout=120)
    return CliResult(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


Runner = Callable[..., CliResult]
RUNNERS: dict[str, Runner] = {
    "opsagent-cli": lambda *a: run_cli("eval", *a),
    "module": run_module,
}


@pytest.fixture(params=sorted(RUNNERS))
def run_eval(request: pytest.FixtureRequest) -> Runner:
    return RUNNERS[request.param]


def example_case(make_case: MakeCase, name: str = "s001-example", root: Path | None = None,
                 **labels: object) -> Path:
    payload = json.loads(EXAMPLE.read_text())
    return make_case(name, {"severity": ["HIGH"], "top1": ["deploy_regression"],
                            "now": "2026-01-15T12:00:00Z", **labels}, payload, root=root)


def test_json_output_is_one_document_with_cases_and_aggregate(make_case: MakeCase,
                                                              tmp_path: Path,
                                                              run_eval: Runner) -> None:
    example_case(make_case, actions=["(?i)roll ?back"])
    result = run_eval(str(tmp_path / "corpus"), "--json", "--max-failures", "1", *LENIENT)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["passed"] is True
    assert [c["name"] for c in data["cases"]] == ["s001-example"]
    case = data["cases"][0]
    assert case["error"] is None, case["error"]
    assert case["got"]["severity"] in {"LOW", "MEDIUM", "HIGH"}
    assert case["latency_ms"] > 0
    assert set(data["aggregate"]) >= {"severity_accuracy", "severity_balanced_accuracy",
                                      "top1_accuracy", "top3_accuracy", "action_recall",
                                      "forbidden_actions", "failures", "latency_mean_ms",
                                      "latency_p95_ms"}


def test_the_table_is_the_default_output(make_case: MakeCase, tmp_path: Path,
                                         run_eval: Runner) -> None:
    example_case(make_case)
    result = run_eval(str(tmp_path / "corpus"), *LENIENT, "--max-failures", "1")
    assert result.code == 0, result.stderr
    assert "s001-example" in result.stdout
    assert "Top-1 category accuracy" in result.stdout
    assert "PASSED all thresholds" in result.stdout


def test_a_broken_case_is_reported_and_fails_the_failure_threshold(
        make_case: MakeCase, tmp_path: Path, run_eval: Runner) -> None:
    example_case(make_case)
    bad = example_case(make_case, "s002-bad", top1=["dnss"])
    result = run_eval(str(tmp_path / "corpus"), *LENIENT, "--max-failures", "0")
    assert result.code == 3  # a threshold not met
    line = next(x for x in result.stderr.splitlines() if "s002-bad" in x)
    assert line == (f"opsagent: error: {bad / 'expected.yaml'}: field 'top1[0]': unknown "
                    "category 'dnss'; expected one of: deploy_regression, config_change, "
                    "dependency_failure, database, capacity, resource_exhaustion, network, "
                    "dns, certificate, cloud_provider, cache, rate_limit, security, data, "
                    "clock")
    assert "s001-example" in result.stdout  # the good case still ran
    assert "case(s) failed" in result.stdout


def test_below_a_threshold_exits_3_and_says_which(make_case: MakeCase, tmp_path: Path,
                                                   run_eval: Runner) -> None:
    example_case(make_case, actions=["(?i)this action title never exists"])
    result = run_eval(str(tmp_path / "corpus"), *LENIENT, "--max-failures", "1",
                      "--min-action-recall", "1")
    assert result.code == 3  # a threshold not met
    assert "action recall 0.000 is below the minimum 1.000" in result.stdout


def test_an_unusable_corpus_exits_2_with_one_line(make_case: MakeCase, tmp_path: Path,
                                                  run_eval: Runner) -> None:
    missing = run_eval(str(tmp_path / "nowhere"))
    assert missing.code == 2
    assert missing.stderr.strip() == (f"opsagent: error: {tmp_path / 'nowhere'}: corpus "
                                      "directory does not exist")
    example_case(make_case, "s001-bad", top1=["nope"])
    example_case(make_case, "s002-bad", unknown_field=1)
    all_bad = run_eval(str(tmp_path / "corpus"))
    assert all_bad.code == 2
    lines = all_bad.stderr.strip().splitlines()
    assert len(lines) == 3
    assert "field 'unknown_field': unknown field" in lines[1]
    assert lines[2].startswith("opsagent: error: no usable case in")
    assert "Traceback" not in all_bad.stderr


def test_bad_options_and_empty_filters_exit_2(make_case: MakeCase, tmp_path: Path,
                                              run_eval: Runner) -> None:
    example_case(make_case)
    result = run_eval(str(tmp_path / "corpus"), "--min-top1-accuracy", "1.5")
    assert result.code == 2
    assert "--min-top1-accuracy" in result.stderr and "between 0 and 1" in result.stderr
    result = run_eval(str(tmp_path / "corpus"), "-k", "no-such-case")
    assert result.code == 2
    assert "no case in" in result.stderr and "no-such-case" in result.stderr


def test_the_default_corpus_is_found_from_the_repository(tmp_path: Path) -> None:
    result = run_cli("eval", "--json", "-k", "s001-storefront-friday-evening", *LENIENT,
                     "--max-failures", "1", cwd=tmp_path)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["corpus"].endswith(os.path.join("benchmarks", "scenarios"))
    assert [c["name"] for c in data["cases"]] == ["s001-storefront-friday-evening"]


def test_a_blind_split_is_reported_apart_and_never_gates(make_case: MakeCase,
                                                          tmp_path: Path) -> None:
    tuned = tmp_path / "corpus"
    example_case(make_case)
    blind = tmp_path / "blind"
    example_case(make_case, "b001-example", root=blind, top1=["clock"])
    (blind / "split.yaml").write_text("split: blind\n", encoding="utf-8")
    result = run_cli("eval", str(tuned), str(blind), "--json", *LENIENT)
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [c["name"] for c in data["cases"]] == ["s001-example"]
    assert data["blind"]["corpus"] == str(blind)
    assert data["blind"]["aggregate"]["top1_accuracy"] == 0.0
    assert any("top-1 accuracy" in m for m in data["blind"]["target_misses"])
    assert data["blind"]["aggregate"]["category_confusion"] == {"clock": {"deploy_regression": 1}}
    table = run_cli("eval", str(tuned), str(blind), *LENIENT)
    assert table.code == 0, table.stderr
    before, after = table.stdout.split("Blind split (never tuned on)")
    assert "s001-example" in before and "b001-example" not in after
    assert "Generalization targets not met" in after and "Category confusion" in after
    assert "Calibration of the top cause" in after and "By input format" in after


def test_a_split_file_with_an_unknown_split_exits_2(make_case: MakeCase,
                                                    tmp_path: Path) -> None:
    example_case(make_case)
    (tmp_path / "corpus" / "split.yaml").write_text("split: secret\n", encoding="utf-8")
    result = run_cli("eval", str(tmp_path / "corpus"), *LENIENT)
    assert result.code == 2
    assert "split.yaml" in result.stderr and "split" in result.stderr
