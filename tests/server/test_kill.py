"""kill -9 at random moments: every acknowledged delivery is stored and triaged into its
incident exactly once (SQLite and PostgreSQL, a server with its worker plus a separate
worker process, several rounds)."""

from __future__ import annotations

import json
import random
import threading
import time

from opsagent.plugins import default_registry
from opsagent.store import open_store

from .conftest import Process, Service, sample

ROUNDS = 3
POSTERS = 4
GROUPS = 5
PER_POSTER = 15  # deliveries per poster and round at most (bounds the test's time)


def alert(n: int) -> bytes:
    """A real Alertmanager notification of one of a few groups, its own by its text."""
    doc = json.loads(sample("alertmanager/firing_checkout.json"))
    group = n % GROUPS
    doc["groupKey"] = f"{doc['groupKey']}/g{group}"
    for item in doc["alerts"]:
        item["labels"]["service"] = f"checkout-g{group}"
        item["annotations"]["description"] += f" (notification {n})"
    return json.dumps(doc).encode()


def post_until(server: Process, stop: threading.Event, counter: list[int],
               acked: dict[str, set[str]], lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(PER_POSTER):
        if stop.is_set():
            return
        with lock:
            counter[0] += 1
            n = counter[0]
        repeat = n > 10 and rng.random() < 0.2  # a sender's retry of an earlier delivery
        body = alert(rng.randrange(1, n) if repeat else n)
        try:
            answer = server.post("alertmanager", body, timeout=5)
        except OSError:  # killed mid-request: not acknowledged, the sender retries
            continue
        if answer.status == 202:
            with lock:
                acked.setdefault(answer.json()["delivery_id"], set()).add(
                    body.decode())


def test_acknowledged_deliveries_survive_kill_9_and_are_triaged_once(service: Service
                                                                   ) -> None:
    # a killed worker's claims lapse after the lease; short, so the test does not wait
    (service.cwd / "opsagent.yaml").write_text("serve:\n  lease: 2s\n", encoding="utf-8")
    rng = random.Random(20261201)
    acked: dict[str, set[str]] = {}
    lock = threading.Lock()
    counter = [0]
    for round_no in range(ROUNDS):
        server = service.process("serve")
        worker = service.process("worker")
        worker.start()
        server.start()
        stop = threading.Event()
        posters = [threading.Thread(target=post_until, args=(server, stop, counter, acked,
                                                             lock, round_no * 10 + i))
                   for i in range(POSTERS)]
        for poster in posters:
            poster.start()
        time.sleep(rng.uniform(0.3, 1.2))
        worker.kill()  # SIGKILL, wherever it is
        time.sleep(rng.uniform(0.2, 1.0))
        server.kill()
        stop.set()
        for poster in posters:
            poster.join(timeout=30)
    assert len(acked) > 20, "too few deliveries were acknowledged to mean anything"
    # every body acknowledged under one id was acknowledged under that id only
    bodies = [b for found in acked.values() for b in found]
    assert len(bodies) == len(set(bodies))

    final = service.serve()
    final.drained(timeout=120)
    assert final.terminate() == 0

    store = open_store(service.db_url, default_registry())
    try:
        linked: dict[str, str] = {}
        for delivery_id in acked:
            stored = store.delivery(delivery_id)
            assert stored is not None, f"acknowledged {delivery_id} is not stored"
            assert stored.status == "processed", (delivery_id, stored.status, stored.error)
            assert stored.incident_id is not None
            linked[delivery_id] = stored.incident_id
        incidents = {row.id: row for row in store.incidents(limit=500)}
        assert set(linked.values()) <= set(incidents)
        assert len(incidents) == GROUPS  # one incident per group key, none opened twice
        for incident_id in incidents:
            deliveries = store.incident_deliveries(incident_id, bodies=False)
            revisions = store.revisions(incident_id)
            # one revision per delivery, each over one more delivery: none triaged twice
            assert [r.revision for r in revisions] == list(range(1, len(deliveries) + 1))
            assert [r.delivery_count for r in revisions] == list(
                range(1, len(deliveries) + 1))
            assert incidents[incident_id].revision == len(deliveries)
        stats = store.stats(now=time.time())
        assert stats.queue_depth == 0
        assert sum(stats.deliveries.values()) >= len(acked)
    finally:
        store.close()
