"""Load benchmark of ``opsagent serve``: real-format webhook deliveries to a local server.
Prints numbers; asserts nothing.

    python benchmarks/load.py                       # SQLite, then PostgreSQL if given
    python benchmarks/load.py --postgres postgresql://user@127.0.0.1:5432/db
    python benchmarks/load.py --quick               # smaller runs
    python benchmarks/load.py --only beside         # one part (inbox or beside)

For each database it starts real server processes on 127.0.0.1 and measures:

* burst: N deliveries over 32 keep-alive connections as fast as they are acknowledged
  (an HTTP-only server, ``--workers 0``): accepted deliveries/s, ack latency p50/p99;
* steady: 200 deliveries/s for 5 s (same server): ack latency p50/p99;
* ack → report: 10 deliveries/s for 10 s to the default server (SQLite: ``opsagent
  serve`` with the worker process it starts) or to an HTTP-only one with two ``opsagent
  worker`` processes (PostgreSQL): the time from the acknowledgement (the delivery's
  commit) to its report revision's commit, p50/p99, read from the store;
* steady beside triage: 200 deliveries/s for 5 s to the default server, whose
  worker process triages meanwhile (it falls behind, on one core):
  ack latency p50/p99, and the CPU serve and its worker process used.

Each figure is printed with the machine's load average at the time.

Bodies are the Alertmanager, Grafana and PagerDuty samples of ``tests/ingest/samples``,
spread over 300 group keys and services so that they group as real streams do.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "ingest" / "samples"
TOKEN = "load-benchmark-token"
GROUPS = 300


def bodies(count: int, offset: int = 0) -> list[tuple[str, bytes]]:
    """(source, body) pairs: real sample payloads, each its own delivery."""
    templates = [("alertmanager", json.loads((SAMPLES / "alertmanager/firing_checkout.json")
                                             .read_text())),
                 ("grafana", json.loads((SAMPLES / "grafana/firing_values.json").read_text())),
                 ("pagerduty", json.loads((SAMPLES / "pagerduty/v3_incident_triggered.json")
                                          .read_text()))]
    out = []
    for n in range(offset, offset + count):
        source, template = templates[n % len(templates)]
        group = n % GROUPS
        text = json.dumps(template).replace("checkout-service", f"checkout-{group}") \
            .replace("payments-api", f"payments-{group}").replace("Q1XK4R7", f"Q{group}")
        doc = json.loads(text)
        if "groupKey" in doc:
            doc["groupKey"] = f"{doc['groupKey']}/{group}"
        if isinstance(doc.get("event"), dict):
            doc["event"]["id"] = f"bench-{n}"
        else:
            doc["commonAnnotations"] = {**doc.get("commonAnnotations", {}),
                                        "bench": f"delivery {n}"}
        out.append((source, json.dumps(doc).encode()))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Processes:
    def __init__(self, database: str, workdir: Path) -> None:
        self.database = database
        self.workdir = workdir
        self.procs: list[subprocess.Popen[bytes]] = []
        self.env = {**{k: v for k, v in os.environ.items()
                       if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")},
                    "OPSAGENT_SERVE_TOKEN": TOKEN, "PYTHONPATH": str(ROOT / "src")}

    def start(self, *args: str) -> int | None:
        port = free_port() if args[0] == "serve" else None
        argv = [sys.executable, "-m", "opsagent.cli", *args, "--database", self.database]
        if port is not None:
            argv += ["--listen", f"127.0.0.1:{port}"]
        path = self.workdir / f"{args[0]}-{len(self.procs)}.log"
        log = path.open("ab")
        self.procs.append(subprocess.Popen(argv, cwd=self.workdir, env=self.env, stdout=log,
                                           stderr=log))
        log.close()
        if port is None:  # a worker: ready once it says so
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and b'"event":"working"' not in path.read_bytes():
                time.sleep(0.1)
        if port is not None:  # a server: ready once its worker process (if any) works
            request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz",
                                             headers={"Authorization": f"Bearer {TOKEN}"})
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(request, timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
        return port

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=60)
        self.procs.clear()


class Connection:
    """One keep-alive HTTP/1.1 connection (the client side stays cheap)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}"
                f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def burst(port: int, items: list[tuple[str, bytes]], concurrency: int
                ) -> tuple[float, list[float]]:
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    latencies: list[float] = []

    async def client() -> None:
        conn = Connection(port)
        while not queue.empty():
            source, body = queue.get_nowait()
            started = time.perf_counter()
            status, _ = await conn.post(f"/v1/webhooks/{source}", body)
            if status == 202:
                latencies.append(time.perf_counter() - started)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def steady(port: int, items: list[tuple[str, bytes]], rate: float
                 ) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    ids: list[str] = []
    idle: list[Connection] = []
    start = time.perf_counter()

    async def one(index: int, source: str, body: bytes) -> None:
        await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        conn = idle.pop() if idle else Connection(port)
        sent = time.perf_counter()
        status, payload = await conn.post(f"/v1/webhooks/{source}", body)
        if status == 202:
            latencies.append(time.perf_counter() - sent)
            ids.append(json.loads(payload)["delivery_id"])
        idle.append(conn)

    await asyncio.gather(*(one(i, s, b) for i, (s, b) in enumerate(items)))
    for conn in idle:
        conn.close()
    return latencies, ids


def cpu_seconds(proc: subprocess.Popen[bytes] | int) -> float:
    """User + system CPU time of a process (or a pid) so far (Linux)."""
    pid = proc if isinstance(proc, int) else proc.pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(proc: subprocess.Popen[bytes]) -> list[int]:
    """The pids of a process's children (serve's worker process), of all its threads."""
    return [int(pid) for path in Path(f"/proc/{proc.pid}/task").glob("*/children")
            for pid in path.read_text().split()]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ack_to_report(database: str, ids: list[str], timeout: float) -> list[float]:
    sys.path.insert(0, str(ROOT / "src"))
    import sqlalchemy as sa

    from opsagent.store.schema import deliveries
    from opsagent.store.sql import make_engine

    engine = make_engine(database)
    deadline = time.monotonic() + timeout
    rows: list[Any] = []
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(deliveries.c.received_at, deliveries.c.processed_at)
                                .where(deliveries.c.id.in_(ids))).all()
        if rows and all(r.processed_at is not None for r in rows):
            break
        time.sleep(0.5)
    engine.dispose()
    return [r.processed_at - r.received_at for r in rows if r.processed_at is not None]


@contextlib.contextmanager
def fresh_database(url: str, workdir: Path, name: str) -> Iterator[str]:
    """An empty database beside ``url`` (a new SQLite file, or a new PostgreSQL database
    on the same server, dropped afterwards)."""
    if url.startswith("sqlite"):
        yield f"sqlite:///{workdir / (name + '.db')}"
        return
    import psycopg

    db = f"opsagent_load_{name}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + db
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def load_average() -> str:
    """The machine's 1-minute load average now (printed beside each figure: the client,
    the server and anything else running share the cores)."""
    return f"[load {os.getloadavg()[0]:.1f}]"


def run(name: str, server: str, workdir: Path, *, quick: bool, worker_procs: int) -> None:
    with fresh_database(server, workdir, "inbox") as database:
        inbox(name, database, workdir, quick=quick)
    with fresh_database(server, workdir, "report") as database:
        reports(name, database, workdir, quick=quick, worker_procs=worker_procs)


def inbox(name: str, database: str, workdir: Path, *, quick: bool) -> None:
    count = 1000 if quick else 3000
    procs = Processes(database, workdir)
    try:
        port = procs.start("serve", "--workers", "0")
        assert port is not None
        asyncio.run(burst(port, bodies(50, 10_000_000), 8))  # warm up
        cpu = cpu_seconds(procs.procs[0])
        rate, burst_lat = asyncio.run(burst(port, bodies(count), 32))
        per = (cpu_seconds(procs.procs[0]) - cpu) / max(1, len(burst_lat))
        print(f"{name}: burst of {count} over 32 connections: {rate:,.0f} accepted/s, "
              f"ack p50 {pct(burst_lat, 0.5) * 1000:.1f} ms, "
              f"p99 {pct(burst_lat, 0.99) * 1000:.1f} ms; server CPU {per * 1e6:.0f} µs per "
              f"delivery (≈{1 / per:,.0f}/s on one free core) {load_average()}")
        seconds = 3 if quick else 5
        lat, _ = asyncio.run(steady(port, bodies(200 * seconds, 1_000_000), 200.0))
        print(f"{name}: steady 200/s for {seconds} s: ack p50 {pct(lat, 0.5) * 1000:.1f} ms, "
              f"p99 {pct(lat, 0.99) * 1000:.1f} ms ({len(lat)} accepted) {load_average()}")
    finally:
        procs.stop()


def reports(name: str, database: str, workdir: Path, *, quick: bool, worker_procs: int
            ) -> None:
    procs = Processes(database, workdir)
    try:
        if worker_procs:
            port = procs.start("serve", "--workers", "0")
            for _ in range(worker_procs):
                procs.start("worker")
        else:
            port = procs.start("serve")
        assert port is not None
        seconds = 5 if quick else 10
        lat, ids = asyncio.run(steady(port, bodies(10 * seconds, 2_000_000), 10.0))
        delays = ack_to_report(database, ids, timeout=120)
        workers = f"{worker_procs} worker processes" if worker_procs else "its worker process"
        print(f"{name}: 10/s for {seconds} s, server with {workers}: ack -> report "
              f"p50 {pct(delays, 0.5) * 1000:.0f} ms, p99 {pct(delays, 0.99) * 1000:.0f} ms "
              f"({len(delays)} of {len(ids)} triaged); ack p99 {pct(lat, 0.99) * 1000:.1f} ms "
              f"{load_average()}")
        if not worker_procs:  # the default `opsagent serve`: triage beside the acks
            beside_triage(name, port, procs.procs[0], quick=quick)
    finally:
        procs.stop()
    if worker_procs:  # and the default `opsagent serve` on this database too
        default_beside_triage(name, database, workdir, quick=quick)


def default_beside_triage(name: str, database: str, workdir: Path, *, quick: bool) -> None:
    """The default `opsagent serve`, its worker process warmed up, at 200/s."""
    procs = Processes(database, workdir)
    try:
        port = procs.start("serve")
        assert port is not None
        asyncio.run(steady(port, bodies(30, 2_500_000), 10.0))  # its worker warms up
        beside_triage(name, port, procs.procs[0], quick=quick)
    finally:
        procs.stop()


def beside_triage(name: str, port: int, serve: subprocess.Popen[bytes], *, quick: bool
                  ) -> None:
    """200/s to the default server while its worker process triages (and falls behind)."""
    seconds = 3 if quick else 5
    child = children(serve)
    before = cpu_seconds(serve), sum(cpu_seconds(pid) for pid in child)
    started = time.perf_counter()
    lat, _ = asyncio.run(steady(port, bodies(200 * seconds, 3_000_000), 200.0))
    took = time.perf_counter() - started
    used = (cpu_seconds(serve) - before[0], sum(cpu_seconds(pid) for pid in child) - before[1])
    print(f"{name}: steady 200/s for {seconds} s to the default server, its worker "
          f"process triaging meanwhile: ack p50 {pct(lat, 0.5) * 1000:.1f} ms, "
          f"p99 {pct(lat, 0.99) * 1000:.1f} ms; CPU serve {used[0] / took:.0%}, "
          f"worker process {used[1] / took:.0%} {load_average()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("OPSAGENT_TEST_POSTGRES_URL"),
                        help="a PostgreSQL database to use (emptied tables are not needed: "
                             "deliveries are new each run)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["inbox", "beside"],
                        help="one part: the HTTP-only server's burst and steady rate, or "
                             "the default server's steady rate beside its own triage")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        servers = [("SQLite", "sqlite://", 0)]
        if args.postgres:
            servers.append(("PostgreSQL", args.postgres, 2))
        for name, server, worker_procs in servers:
            if args.only == "inbox":
                with fresh_database(server, Path(tmp), "inbox") as database:
                    inbox(name, database, Path(tmp), quick=args.quick)
            elif args.only == "beside":
                with fresh_database(server, Path(tmp), "beside") as database:
                    default_beside_triage(name, database, Path(tmp), quick=args.quick)
            else:
                run(name, server, Path(tmp), quick=args.quick, worker_procs=worker_procs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
