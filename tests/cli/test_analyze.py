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
    assert "| 1 | Roll back the last deployment of checkout-service |" in out


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
    ("bad deploy time", b'{"service": "api", "error_rate": 0.1, "last_deploy": "soonish"}',
     "field 'last_deploy'"),
    ("wrong type nested", b'{"service": "api", "changes": [{"type": "deploy", "at": []}]}',
     "field 'changes[0].at'"),
    ("unknown change type", b'{"service": "api", "changes": [{"type": "teleport"}]}',
     "field 'changes[0].type'"),
    ("service not a string", b'{"service": 7, "error_rate": 0.2}', "field 'service'"),
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


def test_every_bad_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{")
    (tmp_path / "b.json").write_text('{"service": "x", "error_rate": "?"}')
    (tmp_path / "c.json").write_text('{"service": "x", "error_rate": "5%"}')
    result = run_cli("analyze", str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                     str(tmp_path / "c.json"))
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "a.json" in lines[0] and "b.json" in lines[1]


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
