"""The service over HTTP, as senders and on-call engineers use it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from opsagent.server.runner import worker_count

from ..conftest import EXAMPLE, run_cli
from ..store.databases import database
from .conftest import TOKEN, Process, Service, basic, metric, sample, tagged


def incident_of(server: Process, delivery_id: str) -> dict[str, Any]:
    """The incident a delivery was triaged into, once it is."""
    def linked() -> str | None:
        found = server.get(f"/v1/deliveries/{delivery_id}").json()
        assert found["status"] != "failed", found
        return found["incident_id"] if found["status"] == "processed" else None

    incident_id = server.wait_for(linked)
    answer = server.get(f"/v1/incidents/{incident_id}")
    assert answer.status == 200
    found: dict[str, Any] = answer.json()
    return found


def accepted(server: Process, source: str, body: bytes, **kwargs: Any) -> dict[str, Any]:
    answer = server.post(source, body, **kwargs)
    assert answer.status == 202, answer.body
    found: dict[str, Any] = answer.json()
    return found


def test_an_alert_becomes_an_incident_with_a_report_in_every_format(server: Process) -> None:
    ack = accepted(server, "alertmanager", tagged("alertmanager/firing_checkout.json", "t1"))
    assert ack["duplicate"] is False and ack["delivery_id"].startswith("dlv-")
    incident = incident_of(server, ack["delivery_id"])
    assert incident["id"].startswith("inc-")
    assert incident["services"] == ["checkout-service-t1"]
    assert (incident["status"], incident["severity"]) == ("open", "HIGH")
    assert incident["top_cause"] == incident["report"]["root_causes"][0]["category"]
    assert [d["id"] for d in incident["deliveries"]] == [ack["delivery_id"]]
    assert incident["deliveries"][0]["adapter"] == "alertmanager"
    assert incident["report"]["schema_version"] == 1
    assert incident["report"]["incident"]["id"] == incident["id"]
    assert incident["revisions"] == []  # only the latest report so far
    listed = server.get("/v1/incidents?status=open&service=checkout-service-t1").json()
    assert [i["id"] for i in listed["incidents"]] == [incident["id"]]
    resolved = server.get("/v1/incidents?status=resolved").json()["incidents"]
    assert incident["id"] not in [i["id"] for i in resolved]
    text = server.get(f"/v1/incidents/{incident['id']}/report?format=text")
    assert text.status == 200 and text.body.decode().startswith("Issue Summary:")
    markdown = server.get(f"/v1/incidents/{incident['id']}/report?format=markdown")
    assert markdown.status == 200 and markdown.body.decode().lstrip().startswith("#")
    as_json = server.get(f"/v1/incidents/{incident['id']}/report").json()
    assert as_json["severity"]["level"] == "HIGH"
    bad = server.get(f"/v1/incidents/{incident['id']}/report?format=pdf")
    assert bad.status == 400 and "json" in bad.json()["error"]
    assert server.get("/v1/incidents/inc-nope").status == 404


def test_a_retried_delivery_is_acknowledged_and_counted_once(server: Process) -> None:
    before = {outcome: metric(server, f'opsagent_deliveries_total{{outcome="{outcome}",'
                                      'source="alertmanager"}')
              for outcome in ("accepted", "duplicate")}
    body = tagged("alertmanager/firing_checkout.json", "t2")
    first = accepted(server, "alertmanager", body)
    assert accepted(server, "alertmanager", body) == {**first, "duplicate": True}
    deploy = tagged("github/deployment_status_success.json", "t2")
    headers = {"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
               "X-GitHub-Event": "deployment_status"}
    one = accepted(server, "github", deploy, headers=headers)
    # the same delivery id: a retry, even if the body differs in a byte
    two = accepted(server, "github", deploy + b"\n", headers=headers)
    assert two == {**one, "duplicate": True}
    server.drained()
    for outcome in ("accepted", "duplicate"):
        series = f'opsagent_deliveries_total{{outcome="{outcome}",source="alertmanager"}}'
        assert metric(server, series) == before[outcome] + 1
    assert metric(server, 'opsagent_stored_deliveries{source="github",status="processed"}'
                  ) == 1


def test_a_deploy_and_an_alert_of_one_service_are_one_incident(server: Process) -> None:
    deploy = accepted(server, "auto", tagged("github/deployment_status_success.json", "t3"))
    first = incident_of(server, deploy["delivery_id"])
    alert = accepted(server, "auto", tagged("alertmanager/firing_checkout.json", "t3"))
    second = incident_of(server, alert["delivery_id"])
    assert second["id"] == first["id"]
    assert len(second["deliveries"]) == 2 and len(second["revisions"]) == 1
    assert second["report"]["incident"]["signal_count"] > first["report"]["incident"][
        "signal_count"]
    assert second["severity"] == "HIGH"  # re-triaged with the alert


def test_an_incident_resolves_when_its_alerts_resolve(server: Process) -> None:
    triggered = accepted(server, "pagerduty", tagged("pagerduty/v3_incident_triggered.json", "t4"))
    opened = incident_of(server, triggered["delivery_id"])
    assert opened["status"] == "open"
    resolved = accepted(server, "pagerduty", tagged("pagerduty/v3_incident_resolved.json", "t4"))
    closed = incident_of(server, resolved["delivery_id"])
    assert closed["id"] == opened["id"]  # the same PagerDuty incident
    assert closed["status"] == "resolved" and closed["resolved_at"] is not None
    assert [r["revision"] for r in closed["revisions"]] == [1]
    assert closed["revision"] == 2
    listed = server.get("/v1/incidents?status=resolved").json()["incidents"]
    assert opened["id"] in [i["id"] for i in listed]
    # a new alert of the same PagerDuty incident later opens a new incident
    again = accepted(server, "pagerduty", tagged("pagerduty/v3_incident_triggered.json", "t4")
                     .replace(b"01DZJ4X3NW5JBH7ZK0Q3C5W3T9", b"01DZJ4X3NW5JBH7ZK0Q3C5W3ZZ"))
    assert incident_of(server, again["delivery_id"])["id"] != opened["id"]


def test_credentials_are_required_everywhere_but_healthz(server: Process) -> None:
    assert server.get("/healthz", auth=False).status == 200
    body = tagged("alertmanager/firing_checkout.json", "t5")
    for answer in (server.get("/readyz", auth=False), server.get("/metrics", auth=False),
                   server.get("/v1/incidents", auth="Bearer wrong"),
                   server.post("alertmanager", body, auth=False),
                   server.post("alertmanager", body, auth=basic("wrong")),
                   server.request("POST", "/v1/analyze", EXAMPLE.read_bytes(), auth=False)):
        assert answer.status == 401
        assert answer.json()["error"]
        assert TOKEN not in answer.body.decode()
    # senders that only do basic auth give the token as the password
    assert server.post("alertmanager", body, auth=basic(TOKEN)).status == 202
    ready = server.get("/readyz").json()
    assert ready["status"] == "ready" and "queue_depth" in ready
    assert TOKEN not in server.log.read_text()  # never logged


def test_bad_input_gets_a_clear_answer_and_nothing_is_half_stored(server: Process) -> None:
    too_large = 'opsagent_deliveries_total{outcome="too_large",source="auto"}'
    before = metric(server, too_large)
    not_json = server.post("auto", b"{not json")
    assert not_json.status == 400 and "not JSON" in not_json.json()["error"]
    huge = server.post("auto", b'{"pad": "' + b"x" * 1_100_000 + b'"}')
    assert huge.status == 413 and "limit" in huge.json()["error"]
    unknown = server.post("nagios", b"{}")
    assert unknown.status == 404
    assert {"auto", "alertmanager", "github"} <= set(unknown.json()["known"])
    # a body the named adapter does not take: stored, then failed with the reason
    wrong = accepted(server, "sentry", sample("github/deployment_status_failure.json"))
    nothing = accepted(server, "auto", json.dumps({"hello": "world"}).encode())

    def settled(delivery_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] = server.get(f"/v1/deliveries/{delivery_id}").json()
        return found if found["status"] != "queued" else None

    failed = server.wait_for(lambda: settled(wrong["delivery_id"]))
    assert failed["status"] == "failed" and failed["incident_id"] is None
    assert "Sentry" in failed["error"] and "GitHub" in failed["error"]
    unreadable = server.wait_for(lambda: settled(nothing["delivery_id"]))
    assert unreadable["status"] == "failed" and unreadable["error"]
    assert metric(server, 'opsagent_stored_deliveries{source="sentry",status="failed"}') == 1
    assert metric(server, too_large) == before + 1
    # still serving
    good = accepted(server, "alertmanager", tagged("alertmanager/firing_checkout.json", "t6"))
    assert incident_of(server, good["delivery_id"])["severity"] == "HIGH"


def test_analyze_answers_with_the_report(server: Process) -> None:
    answer = server.request("POST", "/v1/analyze", b"[" + EXAMPLE.read_bytes() + b"]")
    assert answer.status == 200
    report = answer.json()
    assert report["severity"]["level"] == "HIGH" and report["root_causes"]
    refused = server.request("POST", "/v1/analyze", b'[{"hello": "world"}]')
    assert refused.status == 400 and refused.json()["error"]


def test_sigterm_stops_accepting_and_exits_cleanly(service: Service) -> None:
    server = service.serve()
    ack = accepted(server, "alertmanager", tagged("alertmanager/firing_checkout.json", "t7"))
    assert server.terminate() == 0
    events = [json.loads(line)["event"] for line in server.log.read_text().splitlines()
              if line.startswith("{")]
    assert events[-2:] == ["stopping", "stopped"] or events[-1] == "stopped"
    restarted = service.serve()  # what was acknowledged is there after the restart
    assert incident_of(restarted, ack["delivery_id"])["services"] == ["checkout-service-t7"]


def test_serve_refuses_to_start_without_a_token_or_with_a_bad_database(tmp_path: Path
                                                                     ) -> None:
    no_token = run_cli("serve", "--database", f"sqlite:///{tmp_path / 'a.db'}", cwd=tmp_path,
                       env={"OPSAGENT_SERVE_TOKEN": ""})
    assert no_token.code == 2
    assert "OPSAGENT_SERVE_TOKEN" in no_token.stderr and "Traceback" not in no_token.stderr
    bad = run_cli("serve", "--database", "mysql://db/x", cwd=tmp_path,
                  env={"OPSAGENT_SERVE_TOKEN": TOKEN})
    assert bad.code == 2 and "unsupported database 'mysql'" in bad.stderr
    missing = run_cli("worker", "--database", f"sqlite:///{tmp_path}/no/such/dir/a.db",
                      cwd=tmp_path)
    assert missing.code == 2 and "does not exist" in missing.stderr


def test_a_worker_process_with_no_workers_is_refused_and_its_count_is_explained(
        tmp_path: Path) -> None:
    zero = run_cli("worker", "--workers", "0", "--database",
                   f"sqlite:///{tmp_path / 'a.db'}", cwd=tmp_path)
    assert zero.code == 2 and "Traceback" not in zero.stderr
    assert "--workers 0 would triage nothing" in zero.stderr
    assert not (tmp_path / "a.db").exists()  # refused before anything was set up
    assert worker_count(None, 0) == 1  # a shared config's `serve.workers: 0` is serve's
    assert (worker_count(None, 3), worker_count(2, 0)) == (3, 2)


def test_on_postgresql_a_separate_worker_is_woken_by_the_commit_not_its_poll(
        tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as url:
        (tmp_path / "opsagent.yaml").write_text("serve:\n  poll_interval: 60s\n",
                                                encoding="utf-8")
        running = Service(url, tmp_path)
        try:
            server = running.serve("--workers", "0")
            worker = running.process("worker").start()
            worker.wait_for(lambda: b'"event":"working"' in worker.log.read_bytes())
            assert b'"event":"listening_for_jobs"' in worker.log.read_bytes()
            time.sleep(1.5)  # past the worker's first claim: now it waits 60 s to poll
            sent = time.monotonic()
            ack = accepted(server, "alertmanager",
                           tagged("alertmanager/firing_checkout.json", "t9"))
            server.wait_for(lambda: server.get(f"/v1/deliveries/{ack['delivery_id']}")
                            .json()["status"] == "processed", timeout=40)
            assert time.monotonic() - sent < 15  # not the 60 s poll
        finally:
            running.stop_all()
