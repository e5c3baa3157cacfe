"""Retrieval cost of incident memory: N stored incidents (synthetic, bulk-inserted, one
in 25 with a confirmed cause), then the time to find the similar incidents of a new one:
the store's candidates (service keys, alert names, confirmed causes, full-text top N)
loaded as past incidents, and their ranking.

    PYTHONPATH=src python benchmarks/memory.py                      # 100,000 on SQLite
    PYTHONPATH=src python benchmarks/memory.py --database postgresql://…/db --incidents 20000

Prints p50 / p99 / max over ``--probes`` new incidents (target: p99 under 20 ms on
SQLite), the same for the CPU time of the lookups (what the time would be with no other
process on the machine), and the load average before and after (the machine may be
shared). The database is a fresh temporary SQLite file unless ``--database`` is given;
a database (or ``--keep`` file) that already holds incidents is measured as it is.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from opsagent.memory import find_similar
from opsagent.models import CATEGORIES, PastIncident
from opsagent.plugins import default_registry
from opsagent.store import open_store
from opsagent.store.memory import MemoryStore, feedback
from opsagent.store.schema import incidents

SERVICES = [f"svc-{i:03d}" for i in range(500)]
ALERTS = [f"Alert{i:03d}" for i in range(300)]
FEATURES = [f"feature.{i:02d}" for i in range(80)]
WORDS = ["errors", "latency", "timeouts", "pool", "exhausted", "certificate", "expired",
         "disk", "full", "memory", "leak", "deploy", "rollback", "queue", "backlog", "cache",
         "miss", "dns", "failure", "throttled"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def synthetic(rng: random.Random, index: int) -> PastIncident:
    return PastIncident(
        id=f"inc-{index:08d}", started_at=START + timedelta(minutes=5 * index),
        services=rng.sample(SERVICES, rng.choice((1, 1, 2))),
        alerts=rng.sample(ALERTS, rng.choice((1, 2))),
        summary=" ".join(rng.sample(WORDS, 6)),
        features=sorted(rng.sample(FEATURES, 6)),
        categories=rng.sample(CATEGORIES, 3),
        failure_modes=[f"mode_{rng.randrange(120)}" for _ in range(3)])


def fill(memory: MemoryStore, count: int, rng: random.Random, batch: int = 5000) -> None:
    now = time.time()
    for start in range(0, count, batch):
        records = [synthetic(rng, i) for i in range(start, min(count, start + batch))]
        with memory.engine.begin() as conn:
            conn.execute(incidents.insert(), [dict(
                id=r.id, group_key=None, services=r.services, status="resolved",
                title=r.summary, severity="MEDIUM", top_cause=r.categories[0],
                started_at=r.started_at.timestamp() if r.started_at else None,
                created_at=now, updated_at=now, resolved_at=now, revision=1)
                for r in records])
        memory.record_many(records, now=now)
        with memory.engine.begin() as conn:  # one incident in 25 has a confirmed cause
            conn.execute(feedback.insert(), [dict(
                incident_id=r.id, cause=r.categories[0], verdict="correct", by="oncall",
                at=now, note="", resolution="restarted it")
                for r in records if int(r.id[4:]) % 25 == 0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--database", help="an empty database [default: a temporary "
                        "SQLite file]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="FILE", type=Path,
                        help="a SQLite file to fill once and measure again on later runs")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "memory.db"
        url = args.database or f"sqlite:///{path}"
        store = open_store(url, default_registry())
        memory = MemoryStore.of(store)
        assert memory is not None
        with memory.engine.connect() as conn:
            reuse = bool(conn.execute(sa.select(sa.func.count()).select_from(incidents))
                         .scalar())
        started = time.perf_counter()
        if not reuse:
            fill(memory, args.incidents, rng)
        if memory.dialect == "postgresql":  # fresh statistics after the bulk load
            with memory.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        filled = time.perf_counter() - started
        with memory.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar()
        load_before = os.getloadavg()[0]
        times, cpu, found, candidates = [], [], [], []
        for index in range(args.probes):
            probe = synthetic(rng, 10_000_000 + index).model_copy(
                update={"summary": ""})  # a probe has no summary yet, as before a triage
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            chosen = memory.candidates(probe)
            matches = find_similar(probe, chosen.past, chosen.text_rank)
            times.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.thread_time() - begin_cpu) * 1000)
            found.append(len(matches))
            candidates.append(len(chosen.past))
        store.close()
    how = "reused" if reuse else f"filled in {filled:.1f} s"
    print(f"{memory.dialect}: {stored:,} stored incidents ({how}), {args.probes} probes, "
          f"load average {load_before:.2f} → {os.getloadavg()[0]:.2f}")
    print(f"find similar: {_spread(times)}; candidates per probe "
          f"{statistics.mean(candidates):.0f}, similar found {statistics.mean(found):.1f}")
    print(f"  its CPU time: {_spread(cpu)}")
    return 0


def _spread(times: list[float]) -> str:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return (f"p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, "
            f"max {times[-1]:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
