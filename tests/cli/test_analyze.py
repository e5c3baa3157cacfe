"""`opsagent analyze` as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..conftest import EXAMPLE, NOW, ROOT, run_cli


def test_text_report_has_the_classic_layout() -> None:
    result = run_cli("analyze", str(EXAMPLE), "--now", NOW)
    assert result.code == 0, result.stderr
    out = result.stdout
    headings = ["Issue Summary:", "Severity:", "Possible Root Causes:", "Recommended Actions:"]
    positions = [out.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "\nHIGH\n" in out
    assert "- Roll back the last deployment of checkout-service" in out
    assert result.stderr == ""


def test_brief_text_is_exactly_the_classic_layout() -> None:
    out = run_cli("analyze", str(EXAMPLE), "--now", NOW, "--brief").stdout
    lines = out.splitlines()
    assert lines[0] == "Issue Summary:"
    assert lines[3:5] == ["Severity:", "HIGH"]
    assert all(not line.startswith("    ") for line in lines)


def test_json_report_follows_the_contract() -> None:
    result = run_cli("analyze", str(EXAMPLE), "--now", NOW, "--format", "json")
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["schema_version"] == 1
    assert set(report) >= {"incident", "summary", "severity", "root_causes", "actions",
                           "analysis"}
    assert report["incident"]["services"] == ["checkout-service"]
    assert report["incident"]["regions"] == ["ap-south-1"]
    assert report["incident"]["signal_count"] == 5
    assert report["severity"]["level"] == "HIGH"
    assert 0 <= report["severity"]["score"] <= 1
    cause = report["root_causes"][0]
    assert set(cause) >= {"category", "title", "confidence", "evidence", "counter_evidence"}
    action = report["actions"][0]
    assert set(action) >= {"title", "kind", "risk", "rationale", "cause"}
    assert report["analysis"]["engine"].startswith("opsagent ")
    assert report["analysis"]["agent"] is None
    assert report["analysis"]["fallback"] is None
    assert report["analysis"]["duration_ms"] > 0


def test_markdown_report() -> None:
    out = run_cli("analyze", str(EXAMPLE), "--now", NOW, "-f", "markdown").stdout
    assert out.startswith("# Incident triage: HIGH")
    assert "## Possible root causes" in out
    assert ("| 1 | Page the on-call engineer for checkout-service, and open an incident "
            "channel |") in out
    assert "| 2 | Roll back the last deployment of checkout-service |" in out


def test_stdin_and_dash() -> None:
    payload = EXAMPLE.read_text()
    for args in (("analyze", "-"), ("analyze",)):
        result = run_cli(*args, "--now", NOW, stdin=payload)
        assert result.code == 0, result.stderr
        assert "Deployment introduced a regression" in result.stdout


def test_several_files_are_one_incident(write_json: Any) -> None:
    a = write_json("a.json", {"service": "cart", "error_rate": "9%", "region": "eu-west-1"})
    b = write_json("b.json", {"service": "cart-service", "logs": ["FATAL: too many clients"],
                              "region": "eu-west-1"})
    report = run_cli("analyze", str(a), str(b), "--now", NOW, "-f", "json").json()
    assert report["incident"]["services"] == ["cart-service"] or \
        report["incident"]["services"] == ["cart"]
    assert len(report["incident"]["services"]) == 1
    assert report["root_causes"][0]["category"] == "database"


def test_json_array_ndjson_and_directories(tmp_path: Path) -> None:
    events = [{"service": "api", "error_rate": "3%"}, {"service": "api", "latency": "3s"}]
    (tmp_path / "array.json").write_text(json.dumps(events))
    (tmp_path / "lines.ndjson").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    for target in ("array.json", "lines.ndjson"):
        report = run_cli("analyze", str(tmp_path / target), "--now", NOW, "-f", "json").json()
        assert report["incident"]["signal_count"] == 2
    report = run_cli("analyze", str(tmp_path), "--now", NOW, "-f", "json").json()
    assert report["incident"]["signal_count"] == 2  # duplicates across files fold


def test_output_file_and_log_sink(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    log = tmp_path / "reports.ndjson"
    for _ in range(2):
        result = run_cli("analyze", str(EXAMPLE), "--now", NOW, "-f", "markdown",
                         "-o", str(out), "--log-file", str(log))
        assert result.code == 0 and result.stdout == ""
    assert out.read_text().startswith("# Incident triage")
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["severity"]["level"] == "HIGH"


BAD_INPUTS: list[tuple[str, bytes, str]] = [
    ("invalid JSON", b'{"service": "api", "error_rate": }', "invalid JSON"),
    ("empty file", b"", "empty payload"),
    ("whitespace only", b"  \n\t ", "empty payload"),
    ("binary data", bytes(range(256)) * 4, "binary data"),
    ("not UTF-8", b'{"service": "\xff\xfe"}', "not UTF-8"),
    ("a JSON string", b'"hello"', "expected a JSON object"),
    ("a JSON number", b"42", "expected a JSON object"),
    ("an empty array", b"[]", "empty JSON array"),
    ("not an event", b'{"foo": 1, "bar": [1, 2]}', "not a recognised payload"),
    ("nothing to analyse", b'{"service": "api"}', "nothing to analyse"),
    ("bad error rate", b'{"service": "api", "error_rate": "lots"}', "field 'error_rate'"),
    ("ratio out of range", b'{"service": "api", "error_rate": -3}', "field 'error_rate'"),
    ("bad latency unit", b'{"service": "api", "latency": "3 parsecs"}', "field 'latency'"),
    ("only a broken change", b'{"service": "api", "changes": [{"type": {"is": "deploy"}}]}',
     "field 'changes[0].type'"),
    ("alertmanager v3", b'{"version": "3", "groupKey": "{}", "receiver": "ops", "alerts": []}',
     "Prometheus Alertmanager webhook with version '3'; supported: "),
    ("NaN", b'{"service": "api", "error_rate": NaN}', "invalid JSON"),
    ("deep nesting", b"[" * 100000 + b"]" * 100000, "nested too deeply"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path, name: str, data: bytes,
                                                 expected: str) -> None:
    path = tmp_path / "payload.json"
    path.write_bytes(data)
    result = run_cli("analyze", str(path))
    assert result.code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in lines[0]
    assert expected in lines[0]


NOTED: list[tuple[str, dict[str, Any], str]] = [
    ("one unreadable metric", {"service": "api", "error_rate": "9%", "metrics": {
        "connections": "500/500", "cpu": "lots"}}, "metrics.cpu"),
    ("a deploy time that is not a time", {"service": "api", "error_rate": 0.1,
                                          "last_deploy": "soonish"}, "last_deploy"),
    ("a change time of the wrong type", {"service": "api", "error_rate": "4%",
                                         "changes": [{"type": "deploy", "at": []}]},
     "changes[0].at"),
    ("a service that is not a name", {"service": 7, "error_rate": 0.2}, "service"),
    ("an ambiguous bare 1", {"service": "checkout", "error_rate": 1}, "error_rate"),
]


@pytest.mark.parametrize(("name", "event", "field"), NOTED, ids=[n[0] for n in NOTED])
def test_a_value_that_cannot_be_read_is_a_note_and_the_rest_is_triaged(
        write_json: Any, name: str, event: dict[str, Any], field: str) -> None:
    path = write_json("event.json", event)
    result = run_cli("analyze", str(path), "--now", NOW, "-f", "json")
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["severity"]["level"] in ("LOW", "MEDIUM", "HIGH")
    assert [n["field"] for n in report["input_notes"]] == [field]
    assert report["input_notes"][0]["source"] == str(path)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"opsagent: note: {path}: field '{field}': expected ")

    strict = run_cli("analyze", str(path), "--now", NOW, "--strict")
    assert strict.code == 2 and strict.stdout == ""
    lines = strict.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"opsagent: error: {path}: field '{field}': expected ")


def test_human_forms_of_values_are_read_not_refused(write_json: Any) -> None:
    path = write_json("db.json", {
        "service": "orders-api", "error_rate": "12%", "metrics": {
            "db_connections": "500/500", "cpu": "96% (app-2), 93% (app-4)",
            "rps": "1.6x baseline", "memory": "4.1GB"},
        "changes": [{"type": "migration job", "at": "2 months ago"},
                    {"type": "script", "description": "cleanup of old sessions"}],
        "last_config_change": "6 months ago"})
    result = run_cli("analyze", str(path), "--now", NOW, "-f", "json", "--strict")
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    report = result.json()
    assert report["input_notes"] == []
    evidence = " ".join(e for c in report["root_causes"] for e in c["evidence"])
    assert "100%" in evidence  # the pool at 500 of 500 is saturated


def test_every_bad_file_is_a_note_and_the_good_ones_are_triaged(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{")
    (tmp_path / "b.json").write_text('{"service": "x", "error_rate": "?"}')
    (tmp_path / "c.json").write_text('{"service": "x", "error_rate": "5%"}')
    files = [str(tmp_path / name) for name in ("a.json", "b.json", "c.json")]
    result = run_cli("analyze", *files, "--now", NOW)
    assert result.code == 0, result.stderr
    assert "Issue Summary:" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"opsagent: note: {files[0]}:1: invalid JSON")
    assert lines[1].startswith(f"opsagent: note: {files[1]}: field 'error_rate': ")
    strict = run_cli("analyze", *files, "--now", NOW, "--strict")
    assert strict.code == 2
    lines = strict.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"opsagent: error: {files[0]}:1: invalid JSON")
    assert lines[1].startswith(f"opsagent: error: {files[1]}: field 'error_rate': ")


def test_one_bad_line_of_ndjson_costs_that_line_only(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text('{"service": "api", "error_rate": "8%"}\n{not json\n'
                    '{"service": "api", "logs": ["FATAL: too many clients"]}\n')
    result = run_cli("analyze", str(path), "--now", NOW, "-f", "json")
    assert result.code == 0, result.stderr
    assert result.json()["incident"]["signal_count"] == 2
    assert result.stderr.startswith(f"opsagent: note: {path}:2: invalid JSON line")


def test_a_file_that_cannot_be_read_is_still_a_usage_error(write_json: Any) -> None:
    good = write_json("good.json", {"service": "api", "error_rate": "5%"})
    result = run_cli("analyze", str(good), "missing.json", "--now", NOW)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.strip() == "opsagent: error: missing.json: file not found"


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: costs no disk
    result = run_cli("analyze", str(path))
    assert result.code == 2
    assert "limit is 50 MiB" in result.stderr


def test_missing_file_and_usage_errors() -> None:
    missing = run_cli("analyze", "no-such-file.json")
    assert missing.code == 2 and "no-such-file.json: file not found" in missing.stderr
    for args in (("analyze", str(EXAMPLE), "--format", "yaml"),
                 ("analyze", str(EXAMPLE), "--bogus"),
                 ("analyze", str(EXAMPLE), "--now", "yesterday-ish"),
                 ("nonsense",)):
        result = run_cli(*args)
        assert result.code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_relative_times_need_now_only_when_nothing_else_anchors_them(write_json: Any) -> None:
    path = write_json("e.json", {"service": "api", "error_rate": "9%",
                                 "timestamp": "2026-01-15T11:00:00Z",
                                 "last_deploy": "30 minutes ago"})
    report = run_cli("analyze", str(path), "-f", "json").json()
    assert report["incident"]["now"] == "2026-01-15T11:00:00Z"  # latest timestamp found
    assert any("30 min" in e for e in report["root_causes"][0]["evidence"])


def test_same_input_and_now_give_the_same_report_byte_for_byte() -> None:
    for fmt in ("text", "markdown"):
        first = run_cli("analyze", str(EXAMPLE), "--now", NOW, "-f", fmt).stdout
        second = run_cli("analyze", str(EXAMPLE), "--now", NOW, "-f", fmt).stdout
        assert first == second
    reports = [run_cli("analyze", str(EXAMPLE), "--now", NOW, "-f", "json").json()
               for _ in range(2)]
    for report in reports:  # the one measured field
        report["analysis"].pop("duration_ms")
    assert reports[0] == reports[1]


def test_run_py_prints_the_example_triage_without_an_api_key() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM")}
    proc = subprocess.run([sys.executable, "run.py"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Issue Summary:\ncheckout-service")
    assert "\nHIGH\n" in proc.stdout
    assert "Note:" not in proc.stdout  # no agent configured, nothing fell back


def test_engine_only_runs_import_no_llm_stack() -> None:
    code = (
        "import sys, opsagent.cli as c\n"
        "c.main(['analyze', sys.argv[1], '--now', '2026-01-15T12:00:00Z'])\n"
        "heavy = [m for m in ('crewai', 'litellm', 'openai', 'anthropic', 'llama_cpp',"
        " 'opsagent.agent.refine') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM")}
    proc = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
