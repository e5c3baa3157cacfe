"""The service notifying, as on-call engineers see it: real ``opsagent serve`` and
``opsagent worker`` processes receive Alertmanager deliveries and post to a real HTTP
receiver on 127.0.0.1 (a signed webhook and a Slack incoming webhook), over SQLite and
PostgreSQL; one notification per (revision, target) decision, retries, failures in the
incident and in ``/metrics``, and a sender killed between record and send."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from opsagent.plugins import default_registry
from opsagent.server.notifier import KILL_AFTER_CLAIM_ENV
from opsagent.store import open_store
from opsagent.store.sql import SqlStore

from .conftest import Process, Service, tagged

HOOK_SECRET = "hook-secret-9d1e"
SLACK_PATH = "/services/T1/B1/slackpathsecret"


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP receiver: per path a list of (status, headers, body) answers, the
    last repeating (200 ``ok`` by default); every POST is kept."""

    answers: dict[str, list[tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    posts: list[Posted] = field(default_factory=list)
    url: str = ""

    def on(self, path: str) -> list[Posted]:
        return [p for p in self.posts if p.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.posts.append(Posted(self.path, {k.lower(): v for k, v in
                                                      self.headers.items()}, body,
                                          time.monotonic()))
                queue = state.answers.get(self.path, [])
                status, headers, answer = queue.pop(0) if len(queue) > 1 else (
                    queue[0] if queue else (200, {}, b"ok"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def configure(service: Service, receiver: Receiver, targets: str, lease: str = "4s") -> None:
    (service.cwd / "opsagent.yaml").write_text(
        f"serve:\n  lease: {lease}\n  poll_interval: 0.2\nnotify:\n"
        + targets.replace("RECEIVER", receiver.url), encoding="utf-8")


HOOK_AND_SLACK = f"""\
  - name: hook
    type: webhook
    url: RECEIVER/hook
    secret: ${{HOOK_SECRET}}
    dry_run: false
  - name: slack
    type: slack
    url: RECEIVER{SLACK_PATH}
    report_url: https://ops.example.com/incidents/{{incident}}
    dry_run: false
"""


def start(service: Service, kind: str, **env: str) -> Process:
    process = service.process(kind)
    process.env.update({"HOOK_SECRET": HOOK_SECRET, **env})
    return process.start()


def firing(tag: str, note: str = "") -> bytes:
    doc = json.loads(tagged("alertmanager/firing_checkout.json", tag))
    for alert in doc["alerts"]:
        alert["annotations"]["description"] += note
    return json.dumps(doc).encode()


def warning(tag: str) -> bytes:
    """One instance's latency a little high: a LOW incident of the same group."""
    doc = json.loads(firing(tag))
    doc["alerts"] = doc["alerts"][:1]
    alert = doc["alerts"][0]
    alert["labels"].update(severity="warning", alertname="CheckoutLatencyElevated")
    alert["annotations"] = {"summary": "checkout p95 latency slightly elevated",
                            "description": "p95 latency 450ms"}
    return json.dumps(doc).encode()


def resolved(tag: str) -> bytes:
    doc = json.loads(firing(tag))
    doc["status"] = "resolved"
    for alert in doc["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2024-05-14T12:00:00Z"  # after every startsAt of the sample
    return json.dumps(doc).encode()


def incident_of(server: Process, delivery_id: str) -> str:
    def linked() -> str | None:
        found = server.get(f"/v1/deliveries/{delivery_id}").json()
        assert found["status"] != "failed", found
        return found["incident_id"] if found["status"] == "processed" else None

    found: str = server.wait_for(linked, timeout=60)
    return found


def post(server: Process, body: bytes) -> str:
    answer = server.post("alertmanager", body)
    assert answer.status == 202, answer.body
    delivery_id: str = answer.json()["delivery_id"]
    return delivery_id


def notifications(server: Process, incident_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = server.get(f"/v1/incidents/{incident_id}").json()[
        "notifications"]
    return found


def series(server: Process, name: str, **labels: str) -> float:
    """The value of the series of ``/metrics`` with exactly ``labels`` (0 when absent)."""
    for line in server.get("/metrics").body.decode().splitlines():
        if not line.startswith(name + "{"):
            continue
        inside, value = line[len(name) + 1:].rsplit("} ", 1)
        found = dict(part.split("=", 1) for part in inside.split(","))
        if {k: v.strip('"') for k, v in found.items()} == labels:
            return float(value)
    return 0.0


def verified(post: Posted) -> bool:
    timestamp = post.headers["x-opsagent-timestamp"]
    mac = hmac.new(HOOK_SECRET.encode(), timestamp.encode() + b"." + post.body,
                   hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, post.headers["x-opsagent-signature"])


def assert_no_secrets_stored(db_url: str, *secrets: str) -> None:
    store = open_store(db_url, default_registry())
    assert isinstance(store, SqlStore)
    try:
        with store.engine.connect() as conn:
            import sqlalchemy as sa

            rows = conn.execute(sa.text("SELECT * FROM notifications")).all()
    finally:
        store.close()
    text = json.dumps([[str(v) for v in row] for row in rows])
    assert rows and not [s for s in secrets if s in text]


def both(receiver: Receiver, count: int) -> bool:
    """The webhook and the Slack incoming webhook got at least ``count`` posts each."""
    return len(receiver.on("/hook")) >= count and len(receiver.on(SLACK_PATH)) >= count


def test_each_decision_reaches_each_target_once_across_processes(
        service: Service, receiver: Receiver) -> None:
    configure(service, receiver, HOOK_AND_SLACK)
    server = start(service, "serve")
    start(service, "worker")  # a second process, with its own worker and sender
    tags = ["n0", "n1", "n2"]
    incidents = {tag: incident_of(server, post(server, firing(tag))) for tag in tags}
    server.wait_for(lambda: both(receiver, 3), timeout=60)

    # a LOW incident, then its severity raised by the critical alert of the same group
    low = incident_of(server, post(server, warning("n3")))
    server.wait_for(lambda: len(receiver.on("/hook")) >= 4, timeout=60)
    assert incident_of(server, post(server, firing("n3"))) == low
    server.wait_for(lambda: len(receiver.on("/hook")) >= 5, timeout=60)

    # a new revision of the same severity: nothing new for targets that post messages
    again = incident_of(server, post(server, firing("n0", " (still failing)")))
    assert again == incidents["n0"]
    server.wait_for(lambda: server.get(f"/v1/incidents/{again}").json()["revision"] == 2)
    # the alert resolves: both targets hear it
    closed = incident_of(server, post(server, resolved("n0")))
    assert closed == incidents["n0"]
    server.wait_for(lambda: both(receiver, 6), timeout=60)
    time.sleep(5)  # longer than the lease: nothing is sent a second time

    hooks = receiver.on("/hook")
    assert all(verified(p) for p in hooks)
    told = sorted((p.json["incident"]["id"], p.headers["x-opsagent-event"]) for p in hooks)
    assert told == sorted([(incidents[t], "new") for t in tags] + [(closed, "resolved"),
                                                                    (low, "new"), (low, "raised")])
    raised = next(p for p in hooks if p.headers["x-opsagent-event"] == "raised")
    assert raised.json["severity"]["level"] == "HIGH"
    last = next(p for p in hooks if p.headers["x-opsagent-event"] == "resolved")
    latest = server.get(f"/v1/incidents/{closed}").json()
    assert latest["status"] == "resolved" and latest["revision"] == 3
    assert last.json == latest["report"]  # the report of the resolving revision
    slack = receiver.on(SLACK_PATH)
    assert len(slack) == 6
    headers = sorted(p.json["blocks"][0]["text"]["text"] for p in slack)
    assert sum(h.startswith("✅ Resolved: ") for h in headers) == 1
    assert sum(h.startswith("🔴 HIGH · checkout-service-n") for h in headers) == 3
    assert "🔴 Severity raised: HIGH · checkout-service-n3" in headers
    assert "🟡 LOW · checkout-service-n3" in headers

    rows = notifications(server, closed)
    assert sorted((r["revision"], r["target"], r["event"], r["status"], r["attempts"])
                  for r in rows) == [(1, "hook", "new", "sent", 1), (1, "slack", "new", "sent", 1),
                                     (3, "hook", "resolved", "sent", 1),
                                     (3, "slack", "resolved", "sent", 1)]
    slack_row = next(r for r in rows if r["target"] == "slack")
    assert slack_row["request"] == {"method": "POST",
                                    "url": receiver.url + "/services/T1/B1/****"}
    assert series(server, "opsagent_outbox_pending", target="hook") == 0
    assert_no_secrets_stored(service.db_url, HOOK_SECRET, "slackpathsecret")
    logs = "".join(p.log.read_text() for p in service.started)
    assert HOOK_SECRET not in logs and "slackpathsecret" not in logs


BOT_TOKEN = "xoxb-1-2-botsecret"
BOT = """\
  - name: bot
    type: slack
    token: ${SLACK_BOT_TOKEN}
    channel: C0TEST
    api_url: RECEIVER/api/
    dry_run: false
"""


def test_a_slack_bot_posts_once_then_updates_its_message_and_replies_in_the_thread(
        service: Service, receiver: Receiver) -> None:
    ok = json.dumps({"ok": True, "channel": "C0TEST", "ts": "1700000000.000100"}).encode()
    json_headers = {"Content-Type": "application/json"}
    receiver.answers = {"/api/chat.postMessage": [(200, json_headers, ok)],
                        "/api/chat.update": [(200, json_headers, ok)]}
    configure(service, receiver, BOT)
    server = start(service, "serve", SLACK_BOT_TOKEN=BOT_TOKEN)
    incident_id = incident_of(server, post(server, warning("b1")))
    server.wait_for(lambda: [r for r in notifications(server, incident_id)
                             if r["status"] == "sent"])
    # the same severity again: the message is updated in place, quietly
    post(server, warning("b1").replace(b"450ms", b"470ms"))
    server.wait_for(lambda: len(receiver.on("/api/chat.update")) == 1, timeout=60)
    # raised: the message is updated and the thread says so
    post(server, firing("b1"))
    server.wait_for(lambda: len(receiver.on("/api/chat.update")) == 2
                    and len(receiver.on("/api/chat.postMessage")) == 2)
    time.sleep(3)
    first, reply = receiver.on("/api/chat.postMessage")
    assert first.json["channel"] == "C0TEST" and "thread_ts" not in first.json
    assert reply.json["thread_ts"] == "1700000000.000100"
    assert "Severity raised from LOW to HIGH" in reply.json["text"]
    quiet, raised = receiver.on("/api/chat.update")
    assert quiet.json["ts"] == raised.json["ts"] == "1700000000.000100"
    assert raised.json["blocks"][0]["text"]["text"].startswith("🔴 Severity raised: HIGH")
    assert all(p.headers["authorization"] == f"Bearer {BOT_TOKEN}" for p in receiver.posts)
    rows = notifications(server, incident_id)
    assert [(r["revision"], r["event"], r["status"]) for r in rows] == [
        (1, "new", "sent"), (2, "updated", "sent"), (3, "raised", "sent")]
    assert_no_secrets_stored(service.db_url, BOT_TOKEN)
    assert BOT_TOKEN not in server.log.read_text()


FAILING = """\
  - name: flaky
    type: webhook
    url: RECEIVER/flaky
    secret: s1
    dry_run: false
  - name: down
    type: webhook
    url: RECEIVER/down
    secret: s2
    max_total_s: 1
    dry_run: false
  - name: refused
    type: webhook
    url: RECEIVER/refused
    secret: s3
    dry_run: false
  - name: unset
    type: webhook
    url: RECEIVER/unset
    secret: ${NOT_SET_ANYWHERE_5c1}
    dry_run: false
  - name: preview
    type: webhook
    url: RECEIVER/preview
    secret: s4
"""


def test_retries_and_failures_show_in_the_incident_and_metrics_and_never_fail_triage(
        service: Service, receiver: Receiver) -> None:
    receiver.answers = {"/flaky": [(503, {"Retry-After": "1"}, b"busy"), (200, {}, b"ok")],
                        "/down": [(500, {}, b"down")], "/refused": [(401, {}, b"no")]}
    configure(service, receiver, FAILING)
    server = start(service, "serve")
    incident_id = incident_of(server, post(server, firing("f1")))

    def settled() -> dict[str, dict[str, Any]] | None:
        rows = {r["target"]: r for r in notifications(server, incident_id)}
        done = rows.get("flaky", {}).get("status") == "sent" and all(
            rows.get(t, {}).get("status") == "failed" for t in ("down", "refused", "unset"))
        return rows if done else None

    rows = server.wait_for(settled, timeout=60)
    incident = server.get(f"/v1/incidents/{incident_id}").json()
    assert incident["report"]["severity"]["level"] == "HIGH"  # the triage is whole
    assert rows["flaky"]["attempts"] == 2
    first, second = receiver.on("/flaky")
    assert second.at - first.at >= 0.9  # the receiver's Retry-After was waited
    assert rows["down"]["attempts"] >= 1 and "HTTP 500" in rows["down"]["last_error"]
    assert rows["down"]["next_attempt_at"] is not None  # tried again later
    assert "HTTP 401" in rows["refused"]["last_error"]
    assert rows["refused"]["next_attempt_at"] is None  # it will not get better
    assert "NOT_SET_ANYWHERE_5c1" in rows["unset"]["last_error"]
    assert rows["unset"]["attempts"] == 0 and receiver.on("/unset") == []
    assert rows["preview"]["status"] == "dry_run" and receiver.on("/preview") == []
    assert rows["preview"]["request"]["url"] == receiver.url + "/preview"

    assert series(server, "opsagent_notifications_total", target="flaky", type="new",
                  outcome="sent") == 1
    assert series(server, "opsagent_notifications_total", target="flaky", type="new",
                  outcome="recorded") == 1
    assert series(server, "opsagent_notifications_total", target="preview", type="new",
                  outcome="dry_run") == 1
    assert series(server, "opsagent_notifications_total", target="unset", type="new",
                  outcome="failed") == 1
    assert series(server, "opsagent_notifications_total", target="down", type="new",
                  outcome="failed") >= 1
    assert series(server, "opsagent_outbox_pending", target="down") == 1
    assert series(server, "opsagent_outbox_failed", target="refused") == 1
    assert series(server, "opsagent_outbox_failed", target="unset") == 1
    assert series(server, "opsagent_outbox_pending", target="flaky") == 0
    delivery = server.get("/v1/incidents/" + incident_id).json()["deliveries"][0]
    assert delivery["status"] == "processed"


def test_a_sender_killed_between_record_and_send_sends_once_after_restart(
        service: Service, receiver: Receiver) -> None:
    configure(service, receiver, HOOK_AND_SLACK.split("  - name: slack")[0], lease="2s")
    # the sender SIGKILLs its process right after claiming: recorded, claimed, not sent
    server = start(service, "serve", **{KILL_AFTER_CLAIM_ENV: "1"})
    post(server, firing("k1"))
    assert server.proc is not None
    assert server.proc.wait(timeout=60) == -9
    # again, in a worker process: the lapsed lease is claimed, and killed again
    worker = start(service, "worker", **{KILL_AFTER_CLAIM_ENV: "1"})
    assert worker.proc is not None
    assert worker.proc.wait(timeout=60) == -9
    assert receiver.on("/hook") == []

    final = start(service, "serve")
    final.wait_for(lambda: receiver.on("/hook"), timeout=30)
    time.sleep(5)  # two leases more: it is not sent again
    [sent] = receiver.on("/hook")
    assert sent.headers["x-opsagent-event"] == "new" and verified(sent)
    rows = notifications(final, sent.json["incident"]["id"])
    assert [(r["revision"], r["status"], r["attempts"]) for r in rows] == [(1, "sent", 1)]
    assert final.terminate() == 0
