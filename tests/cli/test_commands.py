"""The other commands: schemas, knowledge listing and linting, version."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..conftest import EXAMPLE, run_cli


def test_schema_input_describes_the_generic_event_and_accepts_the_example() -> None:
    result = run_cli("schema", "input")
    assert result.code == 0
    schema = result.json()
    assert schema["title"] == "opsagent generic event"
    for field in ("service", "error_rate", "latency_ms", "last_deploy", "symptoms", "changes",
                  "dependencies", "metrics", "logs"):
        assert field in schema["properties"]
    jsonschema = __import__("pytest").importorskip("jsonschema")
    jsonschema.validate(json.loads(EXAMPLE.read_text()), schema)


def test_schema_report_validates_a_real_report() -> None:
    schema = run_cli("schema", "report").json()
    report = run_cli("analyze", str(EXAMPLE), "-f", "json").json()
    jsonschema = __import__("pytest").importorskip("jsonschema")
    jsonschema.validate(report, schema)
    assert set(schema["properties"]) >= {"schema_version", "incident", "summary", "severity",
                                         "root_causes", "actions", "analysis"}


def test_kb_list_shows_every_category() -> None:
    result = run_cli("kb", "list")
    assert result.code == 0
    for category in ("deploy_regression", "dns", "clock", "security", "data"):
        assert category in result.stdout
    assert "15 failure modes" in result.stdout


def test_kb_lint_passes_on_the_builtin_knowledge() -> None:
    result = run_cli("kb", "lint")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: 15 failure modes")


def test_kb_lint_collects_every_error_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\ncategory: [unclosed\n")
    (tmp_path / "bad_category.yaml").write_text(
        "id: quota_typo\n"
        "category: quota\n"
        "title: Some failure\n"
        "summary: some failure\n"
        "supports:\n  - feature: text.rate_limit\n    weight: 0.5\n"
        "actions:\n  - title: Do something sensible\n    kind: mitigate\n"
    )
    (tmp_path / "unknown_feature.yaml").write_text(
        "id: custom_thing\n"
        "category: data\n"
        "title: Custom failure\n"
        "summary: a custom failure\n"
        "supports:\n  - feature: text.nonexistent\n    weight: 0.5\n"
        "actions:\n  - title: Do something sensible\n    kind: diagnose\n"
    )
    result = run_cli("kb", "lint", str(tmp_path))
    assert result.code == 2
    err = result.stderr
    assert re.search(r"broken\.yaml:\d+: invalid YAML", err)
    assert "bad_category.yaml:2" in err and "field 'category'" in err
    assert "unknown_feature.yaml" in err and "text.nonexistent" in err
    assert "Traceback" not in err


def test_kb_features_lists_engine_and_vocabulary_features() -> None:
    out = run_cli("kb", "features").stdout
    assert "change.deploy.recent" in out and "text.oom" in out


def test_version() -> None:
    assert run_cli("version").stdout.startswith("opsagent 0.")


def test_config_file_with_llm_options_as_a_mapping(tmp_path: Path) -> None:
    config = tmp_path / "opsagent.yaml"
    config.write_text("llm:\n  spec: none\n  timeout_s: 5\nengine:\n  critical_error_rate: 0.05\n")
    result = run_cli("analyze", str(EXAMPLE), "--config", str(config), "--brief")
    assert result.code == 0, result.stderr
    assert "\nHIGH\n" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("llm: [1, 2]\n")
    result = run_cli("analyze", str(EXAMPLE), "--config", str(bad))
    assert result.code == 2 and "bad.yaml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
