"""The memory commands as a user runs them: ``opsagent analyze --history``, ``history
list / show / search / export-cases`` and ``feedback``, through ``cli.main(argv)``, one
real subprocess, and the service's incident endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the history database needs the server extra")

from opsagent import cli

from ..store import databases
from .conftest import CORPUS, ROOT

db_url = databases.db_url  # the fixture: an empty database of every backend in turn

LEDGER = ["s023-ledger-calls-failing-alertmanager", "s042-ledger-calls-failing-grafana"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def analyze(capsys: pytest.CaptureFixture[str], case: str, url: str, *extra: str
            ) -> dict[str, object]:
    code, out, err = run(capsys, "analyze", str(CORPUS / case), "--history", url,
                         "--format", "json", *extra)
    assert code == 0, err
    report: dict[str, object] = json.loads(out)
    return report


def test_analyze_records_and_remembers_feedback_teaches_and_cases_export(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = analyze(capsys, LEDGER[0], db_url)
    assert first["similar_incidents"] == []
    first_id = str(first["incident"]["id"])  # type: ignore[index]
    second = analyze(capsys, LEDGER[1], db_url)
    similar = second["similar_incidents"]
    assert isinstance(similar, list) and similar[0]["incident"] == first_id

    code, out, err = run(capsys, "history", "list", "--history", db_url)
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()][1:] == [first_id]  # newest first
    assert "2 incidents" in err
    code, out, _ = run(capsys, "history", "list", "--history", db_url, "--service",
                       "nobody", "--limit", "5")
    assert (code, out) == (0, "")
    code, out, _ = run(capsys, "history", "list", "--history", db_url, "--since",
                       "2999-01-01T00:00:00Z")
    assert (code, out) == (0, "")
    code, _, err = run(capsys, "history", "list", "--history", db_url, "--since", "soon")
    assert code == 2 and "--since" in err and "ISO 8601" in err
    code, _, err = run(capsys, "history", "show", "inc-missing", "--history", db_url)
    assert code == 2 and "no incident 'inc-missing'" in err
    code, _, err = run(capsys, "history", "show", first_id, "-f", "pdf", "--history", db_url)
    assert code == 2 and "unknown format 'pdf'" in err

    # feedback: validated, recorded with who said it
    code, _, err = run(capsys, "feedback", first_id, "--cause", "no-such-cause", "--correct",
                       "--history", db_url)
    assert code == 2 and "--cause" in err and "unknown cause" in err
    code, _, err = run(capsys, "feedback", first_id, "--cause", "certificate", "--history",
                       db_url)
    assert code == 2 and "exactly one of --correct and --wrong" in err
    code, _, err = run(capsys, "feedback", "inc-missing", "--cause", "certificate",
                       "--wrong", "--history", db_url)
    assert code == 2 and "no incident 'inc-missing'" in err
    code, _, err = run(capsys, "feedback", first_id, "--cause", "certificate", "--correct",
                       "--by", "dana", "--note", "cert expired",
                       "--resolution", "renewed the certificate", "--history", db_url)
    assert code == 0, err
    assert f"recorded: {first_id} certificate correct by dana" in err

    code, out, _ = run(capsys, "history", "show", first_id, "--history", db_url)
    assert code == 0 and out.startswith("Issue Summary:")
    assert "dana: certificate correct; note: cert expired; resolution: renewed the " \
        "certificate" in out
    code, out, _ = run(capsys, "history", "show", first_id, "--format", "json",
                       "--history", db_url)
    shown = json.loads(out)
    assert shown["feedback"][0]["by"] == "dana" and shown["revisions"] == 1
    assert shown["report"]["incident"]["id"] == first_id
    code, out, _ = run(capsys, "history", "show", first_id, "-f", "markdown",
                       "--history", db_url)
    assert "## Feedback" in out
    code, out, _ = run(capsys, "history", "search", "certificate", "--history", db_url)
    assert code == 0 and "certificate (confirmed: certificate)" in out
    assert out.split()[0] == first_id

    # the same incident analysed again is a new revision, and it finds the confirmed one
    third = analyze(capsys, LEDGER[1], db_url)
    assert third["similar_incidents"][0]["confirmed_cause"] == "certificate"  # type: ignore[index]
    assert third["similar_incidents"][0]["resolution"] == "renewed the certificate"  # type: ignore[index]
    code, out, _ = run(capsys, "history", "show", str(third["incident"]["id"]),  # type: ignore[index]
                       "-f", "json", "--history", db_url)
    assert json.loads(out)["revisions"] == 2

    # confirmed incidents become labeled eval cases that `opsagent eval` scores
    cases = tmp_path / "cases"
    code, _, err = run(capsys, "history", "export-cases", str(cases), "--history", db_url)
    assert code == 0 and "1 case written" in err
    (case,) = list(cases.iterdir())
    assert sorted(p.name for p in case.iterdir()) == ["expected.yaml", "payload-01.json"]
    expected = (case / "expected.yaml").read_text()
    assert "top1:\n- certificate" in expected and "severity:\n- HIGH" in expected
    code, out, err = run(capsys, "eval", str(cases), "--json")
    assert code == 0, err
    scored = json.loads(out)
    assert scored["aggregate"]["cases"] == 1 and scored["aggregate"]["failures"] == 0
    assert scored["aggregate"]["top1_accuracy"] == 1.0
    assert scored["aggregate"]["severity_accuracy"] == 1.0


def test_history_from_the_config_file_and_a_bare_file_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "opsagent.yaml").write_text("history:\n  database: memory.db\n"
                                            "  retention_days: 30\n")
    code, _, err = run(capsys, "analyze", str(CORPUS / LEDGER[0]), "--config",
                       "opsagent.yaml")
    assert code == 0, err
    assert (tmp_path / "memory.db").is_file()
    code, out, _ = run(capsys, "history", "list", "--config", "opsagent.yaml")
    assert code == 0 and len(out.splitlines()) == 1
    (tmp_path / "bad.yaml").write_text("history:\n  retention_days: -1\n")
    code, _, err = run(capsys, "history", "list", "--config", "bad.yaml")
    assert code == 2 and "history.retention_days" in err
    (tmp_path / "none.yaml").write_text("llm: null\n")
    code, _, err = run(capsys, "history", "list", "--config", "none.yaml")
    assert code == 2 and "no history database" in err


def test_history_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")}
    env["PYTHONPATH"] = str(ROOT / "src")
    argv = [sys.executable, "-m", "opsagent.cli"]
    db = tmp_path / "h.db"
    for case in LEDGER:
        done = subprocess.run([*argv, "analyze", str(CORPUS / case), "--history", str(db)],
                              env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    assert "Similar Past Incidents:" in done.stdout
    listed = subprocess.run([*argv, "history", "list", "--history", str(db)], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 2
    assert "Traceback" not in listed.stderr


def test_the_service_triages_with_memory_and_shows_similar_incidents(tmp_path: Path) -> None:
    pytest.importorskip("starlette", reason="the service needs the server extra")
    from ..server.conftest import Service, tagged
    from ..server.test_service import accepted, incident_of

    running = Service(f"sqlite:///{tmp_path / 'opsagent.db'}", tmp_path)
    try:
        server = running.serve()
        triggered = accepted(server, "pagerduty",
                             tagged("pagerduty/v3_incident_triggered.json", "m1"))
        opened = incident_of(server, triggered["delivery_id"])
        assert opened["similar_incidents"] == []
        resolved = accepted(server, "pagerduty",
                            tagged("pagerduty/v3_incident_resolved.json", "m1"))
        assert incident_of(server, resolved["delivery_id"])["status"] == "resolved"
        again = accepted(server, "pagerduty",
                         tagged("pagerduty/v3_incident_triggered.json", "m1")
                         .replace(b"01DZJ4X3NW5JBH7ZK0Q3C5W3T9", b"01DZJ4X3NW5JBH7ZK0Q3C5W3ZZ"))
        later = incident_of(server, again["delivery_id"])
        assert later["id"] != opened["id"]
        similar = later["similar_incidents"]
        assert [s["incident"] for s in similar] == [opened["id"]]
        assert similar == later["report"]["similar_incidents"]
        assert any(w.startswith("shared service: ") for w in similar[0]["why"])
    finally:
        running.stop_all()


def test_the_service_keeps_its_history_within_the_bound(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("starlette", reason="the service needs the server extra")
    from ..server.conftest import Service, tagged
    from ..server.test_service import accepted, incident_of

    url = f"sqlite:///{tmp_path / 'opsagent.db'}"
    recorded = [str(analyze(capsys, case, url)["incident"]["id"])  # type: ignore[index]
                for case in LEDGER]
    config = tmp_path / "opsagent.yaml"
    config.write_text("history:\n  max_incidents: 2\n")
    running = Service(url, tmp_path)
    try:
        server = running.serve("--config", str(config))
        ack = accepted(server, "pagerduty", tagged("pagerduty/v3_incident_triggered.json", "m2"))
        new = incident_of(server, ack["delivery_id"])["id"]
        # the worker deletes the oldest incident beyond history.max_incidents after a triage
        listed = server.wait_for(lambda: (lambda ids: ids if len(ids) == 2 else None)(
            [i["id"] for i in server.get("/v1/incidents").json()["incidents"]]))
        assert sorted(listed) == sorted([new, recorded[1]])
        assert server.get(f"/v1/incidents/{recorded[0]}").status == 404
    finally:
        running.stop_all()
