"""``opsagent serve``'s own worker process, as an operator sees it: real processes on
127.0.0.1. serve triages through the child it starts; a child killed is logged and
started again; a serve killed leaves no child behind; SIGTERM ends both; serve's
``/metrics`` shows what the child does."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from prometheus_client import generate_latest

from opsagent.server.logs import JsonLog
from opsagent.server.metrics import Metrics
from opsagent.server.supervisor import Supervisor

from .conftest import Process, Service, metric, tagged
from .test_service import accepted, incident_of


def events(process: Process, name: str | None = None) -> list[dict[str, Any]]:
    found = [json.loads(line) for line in process.log.read_text().splitlines()
             if line.startswith("{")]
    return [e for e in found if name is None or e["event"] == name]


def running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def child_pid(server: Process, started: int = 1) -> int:
    """The pid of serve's ``started``-th worker process, once it is working."""
    def found() -> int | None:
        seen = events(server, "worker_started")
        return int(seen[started - 1]["pid"]) if len(seen) >= started else None

    pid: int = server.wait_for(found)
    server.wait_for(lambda: server.get("/readyz").status == 200)
    return pid


def test_serve_triages_through_its_own_worker_process(service: Service) -> None:
    server = service.serve()
    pid = child_pid(server)
    assert server.proc is not None and pid != server.proc.pid and running(pid)
    ack = accepted(server, "alertmanager", tagged("alertmanager/firing_checkout.json", "s1"))
    incident = incident_of(server, ack["delivery_id"])
    assert incident["services"] == ["checkout-service-s1"]
    triaged = [e for e in events(server, "triaged") if e["delivery"] == ack["delivery_id"]]
    assert [(e["process"], e["worker"].split(":")[1]) for e in triaged] == [
        ("worker", str(pid))]  # the child's log line, on serve's stderr
    # serve's /metrics shows the child's triage
    assert metric(server, "opsagent_triage_seconds_count") >= 1
    assert metric(server, 'opsagent_deliveries_total{outcome="processed",'
                          'source="alertmanager"}') >= 1
    # SIGTERM to serve: the child is stopped first, both exit cleanly
    assert server.terminate() == 0
    assert not running(pid)
    logged = [(e["process"], e["event"]) for e in events(server)]
    assert ("worker", "stopped") in logged and logged[-1] == ("serve", "stopped")
    assert not events(server, "worker_exited")  # a stop asked for is no crash


def test_a_killed_worker_process_is_logged_restarted_and_the_delivery_triaged(
        service: Service) -> None:
    (service.cwd / "opsagent.yaml").write_text("serve:\n  lease: 2s\n", encoding="utf-8")
    server = service.serve()
    first = child_pid(server)
    os.kill(first, signal.SIGKILL)
    # /readyz says not ready while no worker process runs
    status = server.wait_for(lambda: server.get("/readyz").json()["status"] == "no_worker"
                             and "no_worker", timeout=10)
    assert status == "no_worker"
    ack = accepted(server, "alertmanager", tagged("alertmanager/firing_checkout.json", "s2"))
    exited = server.wait_for(lambda: events(server, "worker_exited"))
    assert exited[0]["signal"] == "SIGKILL" and exited[0]["level"] == "error"
    assert exited[0]["restart_in_s"] == 0.5
    second = child_pid(server, 2)
    assert second != first and not running(first)
    assert incident_of(server, ack["delivery_id"])["services"] == ["checkout-service-s2"]
    assert server.terminate() == 0


def test_a_killed_serve_leaves_no_worker_process(service: Service) -> None:
    server = service.serve()
    pid = child_pid(server)
    server.kill()  # SIGKILL
    deadline = time.monotonic() + 5
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid), "the worker process outlived serve"
    assert ("worker", "stopped") in [(e["process"], e["event"]) for e in events(server)]


def test_serve_with_no_workers_starts_no_worker_process(service: Service) -> None:
    server = service.serve("--workers", "0")
    assert server.get("/readyz").status == 200
    assert not events(server, "worker_started")
    assert server.terminate() == 0


def test_a_crashing_worker_process_is_restarted_with_a_growing_bounded_backoff(
        tmp_path: Path) -> None:
    stream = io.StringIO()
    crash = [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit(3)"]
    supervisor = Supervisor(crash, {}, env=dict(os.environ), log=JsonLog(stream),
                            metrics=Metrics(), backoff_s=(0.05, 0.2))
    supervisor.start()
    deadline = time.monotonic() + 30
    while stream.getvalue().count('"worker_exited"') < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    supervisor.stop(timeout_s=10)
    exits = [json.loads(line) for line in stream.getvalue().splitlines()
             if '"worker_exited"' in line]
    assert [e["exit_code"] for e in exits[:5]] == [3] * 5
    assert [e["restart_in_s"] for e in exits[:5]] == [0.05, 0.1, 0.2, 0.2, 0.2]
    assert not supervisor.ready


def test_serve_applies_the_worker_processes_reports_and_nothing_else() -> None:
    reporting: list[dict[str, Any]] = []
    child = Metrics(report=reporting.append)
    child.count("deliveries", "grafana", "processed")
    child.count("leases_lost")
    child.count("notifications", "hook", "new", "recorded")
    child.observe("triage_seconds", 0.12)
    parent = Metrics()
    assert all(parent.apply(json.loads(json.dumps(update))) for update in reporting)
    shown = generate_latest(parent.registry).decode()
    assert 'opsagent_deliveries_total{outcome="processed",source="grafana"} 1.0' in shown
    assert "opsagent_leases_lost_total 1.0" in shown
    assert 'opsagent_notifications_total{outcome="recorded",target="hook",type="new"} 1.0' \
        in shown
    assert "opsagent_triage_seconds_count 1.0" in shown
    for bad in ({"count": "queue_depth", "labels": [], "by": 5},  # a gauge serve sets
                {"count": "deliveries", "labels": ["grafana"], "by": 1},  # a label short
                {"count": "leases_lost", "labels": [], "by": "x"},
                {"observe": "triage_seconds"}, {"set": "open_incidents", "value": 3}):
        assert parent.apply(bad) is False


def test_a_signal_handler_logging_in_the_middle_of_a_write_does_not_hang_the_process(
        ) -> None:
    """SIGTERM twice (serve's and the kernel's when serve dies): the second handler logs
    while the first one's write holds the log's lock, in the same thread."""
    class Interrupted(io.StringIO):
        nested = False

        def write(self, text: str) -> int:
            if not self.nested:
                self.nested = True
                log.event("stopping", signal="SIGTERM")  # the handler, mid-write
            return super().write(text)

    stream = Interrupted()
    log = JsonLog(stream, process="worker")
    writer = threading.Thread(target=log.event, args=("stopping",), daemon=True)
    writer.start()
    writer.join(timeout=5)
    assert not writer.is_alive(), "the log's lock is not reentrant"
    assert stream.getvalue().count('"stopping"') == 2
