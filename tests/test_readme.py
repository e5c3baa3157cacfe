"""The README's examples work as written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import opsagent
from opsagent.catalog import load_catalog
from opsagent.models import Level

from .cli.conftest import closed_port
from .conftest import EXAMPLE, NOW, ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_the_two_setup_commands_are_there() -> None:
    bash = "\n".join(_blocks("bash"))
    assert "pip install -r requirements.txt && python run.py" in bash
    assert "bash scripts/test.sh" in bash
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def test_generic_event_example_triages() -> None:
    events = [json.loads(b) for b in _blocks("json") if '"service"' in b and "schema" not in b]
    assert len(events) >= 2
    for event in events:
        report = opsagent.analyze(event, now=NOW)
        assert report.root_causes


def test_printed_example_matches_the_real_output() -> None:
    printed = re.search(r"```\n(Issue Summary:.*?)```", README, flags=re.S).group(1)  # type: ignore[union-attr]
    real = run_cli("analyze", str(ROOT / "examples" / "checkout-service.json"), "--brief",
                   "--now", NOW).stdout
    # the summary line carries relative times; every other line must match exactly
    assert printed.splitlines()[2:] == real.splitlines()[2:]


def test_catalog_and_failure_mode_examples_are_valid(tmp_path: Path) -> None:
    yamls = _blocks("yaml")
    catalog = next(b for b in yamls if b.startswith("services:"))
    path = tmp_path / "services.yaml"
    path.write_text(catalog)
    entry = load_catalog(path).entry("Checkout API")
    assert entry.tier == "critical" and entry.slo.error_rate == 0.005
    mode = next(b for b in yamls if b.startswith("id: kafka_rebalance_storm"))
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "kafka.yaml").write_text(mode)
    (kb_dir / "terms.yaml").write_text(yaml.safe_dump(
        {"terms": [{"feature": "text.rebalance", "patterns": [r"rebalanc\w*"]}]}))
    result = run_cli("kb", "lint", str(kb_dir))
    assert result.code == 0, result.stderr


def _first_block(lang: str, start: str) -> str:
    return next(b for b in _blocks(lang) if b.startswith(start))


def test_the_library_example_runs_and_its_comments_are_true(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    code = _first_block("python", "import opsagent")
    scope: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)  # the README's own code
    report = scope["report"]
    assert report.severity.level == Level.HIGH
    assert report.root_causes[0].category == "deploy_regression"
    assert report.input_notes == []
    assert json.loads(capsys.readouterr().out)["schema_version"] == 1
    # what the comments promise
    assert "# Level.HIGH" in code and '# "deploy_regression"' in code


def test_the_note_example_is_the_real_message(tmp_path: Path) -> None:
    shown = re.search(r"`(opsagent: note: event\.json: field 'metrics\.cpu': [^`]*)`",
                      " ".join(README.split()))
    assert shown is not None
    (tmp_path / "event.json").write_text(json.dumps(
        {"service": "checkout", "error_rate": "18%", "metrics": {"cpu": "lots"}}))
    result = run_cli("analyze", "event.json", "--no-llm", cwd=tmp_path)
    assert result.code == 0
    assert result.stderr.splitlines() == [shown.group(1)]


def _config_dir(tmp_path: Path) -> Path:
    """The README's configuration example, with the catalog and knowledge it names."""
    (tmp_path / "opsagent.yaml").write_text(_first_block("yaml", "llm: openai:gpt-4o-mini"))
    (tmp_path / "services.yaml").write_text(_first_block("yaml", "services:"))
    (tmp_path / "failure-modes").mkdir()
    (tmp_path / "failure-modes" / "kafka.yaml").write_text(
        _first_block("yaml", "id: kafka_rebalance_storm"))
    (tmp_path / "event.json").write_text(EXAMPLE.read_text())
    return tmp_path


def test_the_config_file_example_works(tmp_path: Path) -> None:
    pytest.importorskip("crewai")
    port = closed_port()  # a provider address where nothing listens
    where = _config_dir(tmp_path)
    result = run_cli("analyze", "event.json", "--now", NOW, cwd=where,
                     env={"OPENAI_API_KEY": "sk-test", "HOME": str(tmp_path),
                          "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
                          "OPSAGENT_LLM_MAX_RETRIES": "0"})
    assert result.code == 0, result.stderr
    # the catalog of the file: its on-call is paged; the agent was tried and said so
    assert "Page payments-primary, the on-call engineer for checkout-service" in result.stdout
    assert "the LLM agent (openai:gpt-4o-mini) was not used" in result.stdout


def test_the_config_file_example_without_a_key_names_the_file(tmp_path: Path) -> None:
    where = _config_dir(tmp_path)
    result = run_cli("analyze", "event.json", cwd=where, env={"HOME": str(tmp_path)})
    assert result.code == 2
    assert result.stderr.startswith("opsagent: error: opsagent.yaml: field 'llm")
    assert "set OPENAI_API_KEY" in result.stderr and "--llm" not in result.stderr
    engine_only = run_cli("analyze", "event.json", "--no-llm", cwd=where,
                          env={"HOME": str(tmp_path)})
    assert engine_only.code == 0, engine_only.stderr


def test_the_failure_mode_example_lints_as_shown(tmp_path: Path) -> None:
    text = " ".join(README.split())
    saved = re.search(r"Saved as `([^`]+)`, it lints as:", text)
    assert saved is not None
    path = tmp_path / saved.group(1)
    path.parent.mkdir(parents=True)
    path.write_text(_first_block("yaml", "id: kafka_rebalance_storm"))
    command = re.search(r"```bash\n(opsagent kb lint [^\n]+)\n```\n```\n(ok: [^\n]+)\n```",
                        README)
    assert command is not None
    result = run_cli(*command.group(1).split()[1:], cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == command.group(2)
    # and the error the README quotes is the real one
    quoted = re.search(r"\(`(our-failure-modes/[^`]+)`\)", text)
    assert quoted is not None
    path.write_text(path.read_text().replace("feature: queue.backlog", "feature: queue.backlogg"))
    broken = run_cli("kb", "lint", "./our-failure-modes", cwd=tmp_path)
    assert broken.code == 2
    assert broken.stderr.startswith(f"opsagent: {quoted.group(1).split(' ')[0]}")
    assert " ".join(quoted.group(1).split()) in broken.stderr
