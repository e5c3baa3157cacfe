"""``opsagent analyze … --notify NAME`` and ``opsagent notify test NAME`` with a config
file, end to end (the real CLI, a local HTTP receiver)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsagent import cli
from tests.agent.replay import ReplayServer, Reply
from tests.conftest import EXAMPLE, NOW, run_cli

from . import shapes


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "opsagent.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SLACK = """\
notify:
  - name: oncall
    type: slack
    url: ${{SLACK_URL}}/services/T1/B1/${{SLACK_HOOK_TOKEN}}
    report_url: https://ops.example.com/incidents/{{incident}}
    dry_run: {dry_run}
    max_total_s: 1
"""


def test_analyze_notify_posts_to_slack(tmp_path: Path) -> None:
    with ReplayServer([Reply(200, b"ok")]) as server:
        path = config(tmp_path, SLACK.format(dry_run="false"))
        result = run_cli("analyze", str(EXAMPLE), "--now", NOW, "--format", "json",
                         "--config", str(path), "--notify", "oncall",
                         env={"SLACK_URL": server.url, "SLACK_HOOK_TOKEN": "hooktoken"})
    assert result.code == 0, result.stderr
    assert result.json()["severity"]["level"] == "HIGH"  # the report, unchanged
    assert "opsagent: notify oncall: sent" in result.stderr
    assert "hooktoken" not in result.stderr
    [posted] = server.requests
    assert posted.path == "/services/T1/B1/hooktoken"
    assert shapes.slack_message(posted.json) == []


def test_a_failed_notification_is_one_line_and_keeps_the_exit_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with ReplayServer([Reply(503, {"error": "down"})]) as server:
        monkeypatch.setenv("SLACK_URL", server.url)
        monkeypatch.setenv("SLACK_HOOK_TOKEN", "hooktoken")
        path = config(tmp_path, SLACK.format(dry_run="false"))
        code = cli.main(["analyze", str(EXAMPLE), "--now", NOW, "--config", str(path),
                         "--notify", "oncall"])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("Issue Summary:")
    lines = [line for line in err.splitlines() if "notify" in line]
    assert len(lines) == 1 and lines[0].startswith("opsagent: notify oncall: failed")
    assert "HTTP 503" in lines[0] and "hooktoken" not in err


def test_dry_run_is_the_default_and_shows_the_masked_request(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_URL", "https://hooks.slack.com")
    monkeypatch.setenv("SLACK_HOOK_TOKEN", "hooktoken")
    path = config(tmp_path, SLACK.replace("    dry_run: {dry_run}\n", "").format())
    code = cli.main(["analyze", str(EXAMPLE), "--now", NOW, "--config", str(path),
                     "--notify", "oncall"])
    _out, err = capsys.readouterr()
    assert code == 0 and "hooktoken" not in err
    assert "POST https://hooks.slack.com/services/T1/B1/****\n" in err
    body = err.split("\n\n", 1)[1]
    assert shapes.slack_message(json.loads(body)) == []


def test_notify_test_prints_the_sample_request(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_URL", "https://hooks.slack.com")
    monkeypatch.setenv("SLACK_HOOK_TOKEN", "hooktoken")
    path = config(tmp_path, SLACK.format(dry_run="true"))
    assert cli.main(["notify", "test", "oncall", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("POST https://hooks.slack.com/services/T1/B1/****\n")
    assert "Test: HIGH · checkout-service" in out and "dry run" in err


def test_notify_test_sends_for_real(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with ReplayServer([Reply(200, b"ok")]) as server:
        monkeypatch.setenv("SLACK_URL", server.url)
        monkeypatch.setenv("SLACK_HOOK_TOKEN", "t")
        path = config(tmp_path, SLACK.format(dry_run="false"))
        assert cli.main(["notify", "test", "oncall", "--config", str(path)]) == 0
    assert "Test: HIGH" in server.requests[0].json["blocks"][0]["text"]["text"]
    assert "notify oncall: sent" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "argv_tail", "expected"), [
    (SLACK.format(dry_run="false"), ["--notify", "pager"],
     "field '--notify': unknown notify target 'pager'; known: oncall"),
    ("notify:\n  - {name: x, type: pager, url: https://x}\n", ["--notify", "x"],
     "field 'notify.0.type'"),
    ("notify:\n  - {name: x, type: webhook, url: https://x}\n", ["--notify", "x"],
     "a webhook target needs secret"),
    ("notify:\n  - {name: x, type: teams, url: a}\n  - {name: x, type: teams, url: b}\n",
     ["--notify", "x"], "notify target 'x' is defined twice"),
])
def test_bad_notify_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            text: str, argv_tail: list[str],
                                            expected: str) -> None:
    path = config(tmp_path, text)
    code = cli.main(["analyze", str(EXAMPLE), "--now", NOW, "--config", str(path),
                     *argv_tail])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and expected in err and str(path) in err


def test_a_missing_secret_variable_is_named_and_the_triage_still_prints(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_URL", raising=False)
    path = config(tmp_path, SLACK.format(dry_run="false"))
    code = cli.main(["analyze", str(EXAMPLE), "--now", NOW, "--config", str(path),
                     "--notify", "oncall"])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("Issue Summary:")
    assert "notify oncall: failed" in err
    assert "field 'notify.oncall.url': environment variable SLACK_URL is not set" in err
