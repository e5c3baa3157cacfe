"""``opsagent formats`` and ``opsagent detect``: what a user reads about the input formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsagent import cli
from opsagent.registry import default_registry

from ..conftest import run_cli
from .conftest import SAMPLES, sample_paths


def main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_formats_lists_every_format_in_detection_order_with_what_it_detects_on(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = main(capsys, "formats")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines() if line and not line[0].isspace()]
    assert names[:-1] == [a.name for a in default_registry().adapters()]
    assert len(names) - 1 >= 17
    assert 'detects on: schemaId "azureMonitorCommonAlertSchema" + data.essentials' in out
    assert out.count("detects on: ") == len(names) - 1


def test_detect_names_the_taker_of_each_document(capsys: pytest.CaptureFixture[str]) -> None:
    groups = SAMPLES / "alertmanager_groups" / "groups.json"
    zabbix = SAMPLES / "zabbix" / "resolved.json"
    code, out, _ = main(capsys, "detect", str(groups), str(zabbix))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{groups}[0]: taken by alertmanager_groups (")
    assert lines[1].startswith(f"{groups}[1]: taken by alertmanager_groups (")
    assert lines[2].startswith(f"{zabbix}: taken by zabbix (Zabbix webhook")
    assert "which detects on: an event id" in lines[2]


def test_detect_says_why_none_takes_a_document(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    v3 = tmp_path / "am.json"
    v3.write_text(json.dumps({"version": "3", "groupKey": "{}", "receiver": "ops",
                              "alerts": [{"labels": {"alertname": "Down"}}]}))
    near = tmp_path / "near.json"
    near.write_text(json.dumps({"schemaId": "azureMonitorCommonAlertSchema", "data": {}}))
    odd = tmp_path / "odd.json"
    odd.write_text("[1, 2]")
    code, out, _ = main(capsys, "detect", str(v3), str(near), str(odd))
    assert code == 2
    first, second, third, fourth = out.splitlines()
    assert first == (f"{v3}: not supported: a Prometheus Alertmanager webhook with version "
                     "'3'; supported: webhook notifications of version \"4\" and the alerts "
                     "that GET /api/v2/alerts lists (one object each)")
    assert second.startswith(f"{near}: no format takes it (fields: data, schemaId); nearest: "
                             "Azure Monitor alert (common alert schema)")
    assert third == f"{odd}[0]: not a JSON object (a number); every format is an object"
    assert fourth.startswith(f"{odd}[1]: not a JSON object")


def test_detect_of_a_missing_file_is_one_line_and_exit_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = main(capsys, "detect", str(tmp_path / "nope.json"))
    assert code == 2
    assert err == f"opsagent: error: {tmp_path / 'nope.json'}: file not found\n"


def test_detect_takes_every_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = main(capsys, "detect", *map(str, sample_paths()))
    assert code == 0
    for line in out.splitlines():
        source, _, why = line.partition(": taken by ")
        vendor = Path(source.split("[")[0]).parent.name
        assert why.startswith(f"{vendor} ("), line


def test_the_commands_run_as_a_user_runs_them() -> None:
    listed = run_cli("formats")
    assert listed.code == 0 and "opsgenie" in listed.stdout
    sample = SAMPLES / "opsgenie" / "close.json"
    taken = run_cli("detect", "-", stdin=sample.read_bytes())
    assert taken.code == 0
    assert taken.stdout.startswith("<stdin>: taken by opsgenie (Opsgenie outgoing webhook)")
    assert "--help" not in taken.stderr
