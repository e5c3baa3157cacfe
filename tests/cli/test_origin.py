"""Errors name where the bad value came from: the config file and its key, or the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

EVENT = '{"service": "checkout", "error_rate": "18%"}'


@pytest.fixture
def event(tmp_path: Path) -> Path:
    path = tmp_path / "event.json"
    path.write_text(EVENT)
    return path


def test_llm_from_the_config_file_is_blamed_on_the_file(opsagent: Run, tmp_path: Path,
                                                       event: Path) -> None:
    (tmp_path / "opsagent.yaml").write_text("llm: openai:gpt-4o-mini\n")
    result = opsagent("analyze", str(event))
    assert result.code == 2
    assert result.stderr.startswith("opsagent: error: opsagent.yaml: field 'llm': ")
    assert "needs an API key: set OPENAI_API_KEY" in result.stderr
    assert "--llm" not in result.stderr  # a flag the user never passed


def test_the_key_blamed_is_the_one_the_file_wrote(opsagent: Run, tmp_path: Path,
                                                  event: Path) -> None:
    (tmp_path / "opsagent.yaml").write_text("llm: {spec: 'bogus:model', timeout_s: 5}\n")
    result = opsagent("analyze", str(event))
    assert result.code == 2
    assert result.stderr.startswith("opsagent: error: opsagent.yaml: field 'llm.spec': "
                                    "'bogus:model': unknown LLM provider 'bogus'")


def test_llm_from_the_flag_is_blamed_on_the_flag(opsagent: Run, event: Path) -> None:
    result = opsagent("analyze", str(event), "--llm", "openai:gpt-4o-mini")
    assert result.code == 2
    assert "--llm 'openai:gpt-4o-mini': needs an API key" in result.stderr


def test_no_llm_overrides_the_config_file(opsagent: Run, tmp_path: Path, event: Path) -> None:
    (tmp_path / "opsagent.yaml").write_text("llm: openai:gpt-4o-mini\n")
    result = opsagent("analyze", str(event), "--no-llm", "-f", "json")
    assert result.code == 0, result.stderr
    assert '"agent": null' in result.stdout


@pytest.mark.parametrize(("text", "key", "what"), [
    ("catalog: services.yaml\n", "catalog", "file 'services.yaml' does not exist"),
    ("knowledge: [./failure-modes]\n", "knowledge", "directory 'failure-modes' does not exist"),
    ("knowledge: [a, b]\n", "knowledge[1]", "directory 'b' does not exist"),
])
def test_a_missing_path_in_the_config_file_names_the_file_and_key(
        opsagent: Run, tmp_path: Path, event: Path, text: str, key: str, what: str) -> None:
    config = tmp_path / "conf" / "opsagent.yaml"
    (config.parent / "a").mkdir(parents=True)
    config.write_text(text)
    result = opsagent("analyze", str(event), "--config", str(config))
    assert result.code == 2
    line = result.stderr.strip()
    assert line.startswith(f"opsagent: error: {config}: field '{key}': "), line
    assert "does not exist (paths are relative to the config file)" in line
    assert what.split("'")[0] in line and len(result.stderr.splitlines()) == 1


def test_paths_in_the_config_file_are_relative_to_it(opsagent: Run, tmp_path: Path,
                                                    event: Path) -> None:
    conf = tmp_path / "conf"
    (conf / "failure-modes").mkdir(parents=True)
    (conf / "services.yaml").write_text(
        "services:\n  checkout:\n    tier: critical\n    oncall: pay-primary\n")
    (conf / "opsagent.yaml").write_text("catalog: services.yaml\nknowledge: [./failure-modes]\n")
    result = opsagent("analyze", str(event), "--config", str(conf / "opsagent.yaml"))
    assert result.code == 0, result.stderr
    assert "Page pay-primary, the on-call engineer for checkout" in result.stdout


@pytest.mark.parametrize("argv", [["analyze", "EVENT", "--knowledge", "no-such-dir"],
                                  ["kb", "lint", "no-such-dir"],
                                  ["kb", "list", "--knowledge", "no-such-dir"]])
def test_a_missing_directory_does_not_exist(opsagent: Run, event: Path,
                                            argv: list[str]) -> None:
    result = opsagent(*[str(event) if a == "EVENT" else a for a in argv])
    assert result.code == 2
    assert "no-such-dir: directory does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_given_as_a_knowledge_directory_is_not_a_directory(opsagent: Run,
                                                                 event: Path) -> None:
    result = opsagent("kb", "lint", str(event))
    assert result.code == 2
    assert f"{event}: is not a directory" in result.stderr


@pytest.mark.parametrize(("argv", "env", "expected"), [
    (["--config", "nowhere.yaml"], {},
     "opsagent: error: nowhere.yaml: field '--config': config file does not exist"),
    ([], {"OPSAGENT_CONFIG": "nowhere.yaml"},
     "opsagent: error: nowhere.yaml: field 'OPSAGENT_CONFIG': config file does not exist"),
    (["--catalog", "nowhere.yaml"], {},
     "opsagent: error: nowhere.yaml: field '--catalog': catalog file does not exist"),
])
def test_a_missing_file_names_the_option_or_variable_that_named_it(
        opsagent: Run, event: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str],
        env: dict[str, str], expected: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = opsagent("analyze", str(event), *argv)
    assert result.code == 2
    assert result.stderr.strip() == expected


def test_a_missing_directory_given_as_a_payload_does_not_exist(opsagent: Run) -> None:
    result = opsagent("analyze", "incident/")
    assert result.code == 2
    assert result.stderr.strip() == "opsagent: error: incident/: directory does not exist"
