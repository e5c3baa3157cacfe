"""Performance benchmark of the opsagent engine. Prints numbers; asserts nothing.

    python benchmarks/perf.py            # full run (about a minute)
    python benchmarks/perf.py --quick    # a short run (a few seconds)
    python benchmarks/perf.py --runs 3   # the headline figures 3 times: their spread

Measures, in-process with pre-parsed payloads and a pinned ``now``:

* throughput (incidents/s: the median of several timed rounds, with the slowest and the
  fastest round) and latency per incident (mean/p50/p95/p99), for the engine alone and
  end to end, on the bundled example and on the labeled corpus cases;
* peak memory (tracemalloc over the corpus mix, and the process's ru_maxrss);
* how cost grows with the number of signals in one incident (1 → 1,000 Alertmanager
  alerts in one webhook, and generic alerts in one event);
* how cost grows with the size of the knowledge base (built-in failure modes ×1, ×4, ×16);
* CLI cold start (``opsagent analyze examples/checkout-service.json`` as a subprocess,
  median of several runs) and the heaviest imports (``python -X importtime``).

Throughput is given twice: per second of wall time (what a user waits) and per second
of this thread's CPU time (the work itself, much less sensitive to other processes on a
shared machine). The machine (CPU model, cores, load average before and after) is printed
with the figures: on a busy machine the wall-time figures are not comparable with those
of an idle one, and the output says so.

The last section is a Markdown table to paste into the README.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "checkout-service.json"
CORPUS = ROOT / "benchmarks" / "scenarios"
NOW = datetime(2026, 3, 14, 10, 30, tzinfo=timezone.utc)


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # nearest rank
    return ordered[int(min(rank, len(ordered))) - 1]


def timed(fn: Callable[[], object], *, repeat: int) -> list[float]:
    """Latencies in ms of ``repeat`` calls."""
    fn()  # warm-up: one-time loading is not charged
    out: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def stats(latencies: Sequence[float]) -> dict[str, float]:
    total_s = sum(latencies) / 1000.0
    return {
        "n": len(latencies),
        "per_s": len(latencies) / total_s if total_s else float("inf"),
        "mean": statistics.fmean(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


# --- workloads ------------------------------------------------------------------------
def corpus_mix() -> list[tuple[str, tuple[Any, ...], datetime]]:
    from opsagent.evaluation import load_corpus

    cases, _ = load_corpus(CORPUS)
    return [(c.name, c.payloads, c.expected.now) for c in cases]


def alertmanager_payload(n: int) -> dict[str, Any]:
    start = (NOW - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    alerts = [{
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "severity": "critical",
                   "service": f"svc-{i % 50}", "instance": f"10.0.{i // 250}.{i % 250}:8080",
                   "region": "us-east-1"},
        "annotations": {"summary": f"5xx ratio 12% on instance {i}",
                        "description": "upstream timeouts to payflow-gateway"},
        "startsAt": start, "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph", "fingerprint": f"{i:016x}",
    } for i in range(n)]
    return {"version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": "firing",
            "receiver": "pager", "groupLabels": {}, "commonLabels": {"severity": "critical"},
            "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
            "alerts": alerts}


def generic_alerts_payload(n: int) -> dict[str, Any]:
    return {"service": "checkout-service", "environment": "production", "error_rate": "12%",
            "alerts": [{"name": f"HighErrorRate-{i}", "severity": "critical",
                        "service": f"svc-{i % 50}", "started_at": "12 minutes ago",
                        "summary": f"5xx ratio 12% on instance {i}; upstream timeouts"}
                       for i in range(n)]}


def scaled_knowledge(factor: int) -> Any:
    from opsagent.knowledge import load_knowledge

    kb = load_knowledge()
    if factor == 1:
        return kb
    modes = list(kb.failure_modes)
    origin = dict(kb.origin)
    for copy in range(1, factor):
        for fm in kb.failure_modes:
            clone = fm.model_copy(update={"id": f"{fm.id}_copy{copy}"})
            modes.append(clone)
            origin[clone.id] = kb.origin.get(fm.id, "")
    return replace(kb, failure_modes=tuple(modes), origin=origin)


# --- sections -----------------------------------------------------------------------
def measure(calls: Sequence[Callable[[], object]], *, quick: bool) -> dict[str, float]:
    """Latencies of single calls and throughput in rounds.

    A warm-up runs the calls for a moment first (one-time loading and compiling are not
    charged). Then each round runs all the calls, again and again, for at least half a
    second (0.15 s with --quick); its throughput is calls / elapsed time. The reported
    throughput is the median round, with the slowest and fastest round beside it: on a
    shared machine a single round can be slowed by neighbours."""
    rounds, seconds = (3, 0.15) if quick else (7, 0.5)
    started = time.perf_counter()
    while time.perf_counter() - started < seconds / 2:
        for call in calls:
            with contextlib.suppress(Exception):  # a rejected case still costs its time
                call()
    latencies: list[float] = []
    rates: list[float] = []
    cpu_rates: list[float] = []
    for _ in range(rounds):
        count = 0
        started, cpu_started = time.perf_counter(), time.thread_time()
        while count == 0 or time.perf_counter() - started < seconds:
            for call in calls:
                t0 = time.perf_counter()
                with contextlib.suppress(Exception):
                    call()
                latencies.append((time.perf_counter() - t0) * 1000.0)
            count += len(calls)
        rates.append(count / (time.perf_counter() - started))
        cpu_rates.append(count / max(time.thread_time() - cpu_started, 1e-9))
    return {**stats(latencies), "per_s": statistics.median(rates), "per_s_min": min(rates),
            "per_s_max": max(rates), "cpu_per_s": statistics.median(cpu_rates),
            "rounds": rounds}


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU model, cores, load average."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"cpu": model, "cores": os.cpu_count() or 1, "load_1m": round(load[0], 2)}


def busy(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """More runnable processes than cores while measuring: wall times are inflated."""
    return max(before["load_1m"], after["load_1m"]) > before["cores"]


def bench_engine(quick: bool) -> dict[str, Any]:
    import opsagent
    from opsagent.api import as_documents
    from opsagent.ingest import build_incident

    example = json.loads(EXAMPLE.read_text())
    mix = corpus_mix()
    results: dict[str, Any] = {"corpus_cases": len(mix)}
    # The engine alone: incidents already parsed and assembled (what a service that
    # receives alerts and keeps them as incidents runs per triage).
    incident = build_incident(as_documents([example]), now=NOW)
    results["engine_example"] = measure([lambda: opsagent.triage(incident)], quick=quick)
    incidents = []
    for _, payloads, now in mix:
        with contextlib.suppress(Exception):
            incidents.append(build_incident(as_documents(list(payloads)), now=now))
    results["engine_corpus"] = measure(
        [functools.partial(opsagent.triage, item) for item in incidents], quick=quick)
    # End to end: parse and assemble the payloads, then triage.
    results["example"] = measure([lambda: opsagent.analyze(example, now=NOW)], quick=quick)
    results["corpus"] = measure(
        [functools.partial(opsagent.analyze, *payloads, now=now) for _, payloads, now in mix],
        quick=quick)
    return results


def bench_memory() -> dict[str, float]:
    import resource

    import opsagent

    mix = corpus_mix()
    gc.collect()
    tracemalloc.start()
    for _, payloads, now in mix:
        with contextlib.suppress(Exception):
            opsagent.analyze(*payloads, now=now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    example = json.loads(EXAMPLE.read_text())
    tracemalloc.start()
    opsagent.analyze(example, now=NOW)
    _, peak_one = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    big = alertmanager_payload(1000)
    opsagent.analyze(big, now=NOW)
    gc.collect()
    tracemalloc.start()
    opsagent.analyze(big, now=NOW)
    _, peak_big = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cold = subprocess.run(
        [sys.executable, "-c",
         "import json, sys, tracemalloc\n"
         "tracemalloc.start()\n"
         "import opsagent\n"
         f"opsagent.analyze(json.loads(open({str(EXAMPLE)!r}).read()), "
         "now='2026-03-14T10:30:00Z')\n"
         "print(tracemalloc.get_traced_memory()[1])"],
        capture_output=True, cwd=ROOT, check=False)
    cold_peak = int(cold.stdout.strip() or 0)
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        maxrss_kb //= 1024
    return {"tracemalloc_peak_corpus_mib": peak / 1_048_576,
            "tracemalloc_peak_example_kib": peak_one / 1024,
            "tracemalloc_peak_1000_alerts_mib": peak_big / 1_048_576,
            "tracemalloc_cold_process_mib": cold_peak / 1_048_576,
            "maxrss_mib": maxrss_kb / 1024}


def bench_signals(quick: bool) -> list[dict[str, Any]]:
    import opsagent

    rows = []
    for n in (1, 10, 100, 1000):
        for kind, build in (("alertmanager", alertmanager_payload),
                            ("generic", generic_alerts_payload)):
            payload = build(n)
            repeat = {1: 50, 10: 50, 100: 20, 1000: 5}[n] // (5 if quick else 1) or 1
            lat = timed(functools.partial(opsagent.analyze, payload, now=NOW), repeat=repeat)
            rows.append({"alerts": n, "format": kind, "median_ms": statistics.median(lat),
                         "per_alert_us": statistics.median(lat) * 1000.0 / n})
    return rows


def bench_knowledge(quick: bool) -> list[dict[str, Any]]:
    from opsagent.api import _coerce_now
    from opsagent.plugins import default_registry
    from opsagent.triager import Triager

    example = json.loads(EXAMPLE.read_text())
    mix = corpus_mix()[: 10 if quick else 30]
    rows = []
    for factor in (1, 4, 16):
        kb = scaled_knowledge(factor)
        t0 = time.perf_counter()
        triager = Triager(default_registry(), knowledge=kb)  # compiles the engine for this kb
        triager.triage([example], now=_coerce_now(NOW))
        first_ms = (time.perf_counter() - t0) * 1000.0
        lat = timed(functools.partial(triager.triage, [example], now=_coerce_now(NOW)),
                    repeat=20 if quick else 100)
        mix_lat = []
        for _, payloads, now in mix:
            t0 = time.perf_counter()
            with contextlib.suppress(Exception):
                triager.triage(list(payloads), now=_coerce_now(now))
            mix_lat.append((time.perf_counter() - t0) * 1000.0)
        rows.append({"factor": factor, "failure_modes": len(kb.failure_modes),
                     "first_call_ms": first_ms, "example_median_ms": statistics.median(lat),
                     "corpus_mean_ms": statistics.fmean(mix_lat)})
    return rows


def cli_command() -> list[str]:
    exe = shutil.which("opsagent")
    return [exe] if exe else [sys.executable, "-m", "opsagent.cli"]


def bench_cli(quick: bool) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")}
    cmd = [*cli_command(), "analyze", str(EXAMPLE), "--now", "2026-03-14T10:30:00Z"]
    runs = []
    for _ in range(3 if quick else 7):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=False)
        runs.append((time.perf_counter() - t0) * 1000.0)
        if proc.returncode != 0:
            return {"error": proc.stderr.decode(errors="replace").strip()[:200]}
    bare = []
    for _ in range(3 if quick else 7):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=False)
        bare.append((time.perf_counter() - t0) * 1000.0)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import opsagent.cli"],
                          capture_output=True, env=env, cwd=ROOT, check=False)
    imports = []
    for line in proc.stderr.decode(errors="replace").splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not line.startswith("import time:"):
            continue
        try:
            self_us = int(parts[0].split(":")[1])
            cumulative_us = int(parts[1])
        except ValueError:
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        imports.append((cumulative_us, self_us, name.strip(), depth))
    total = next((c for c, _, n, _ in imports if n == "opsagent.cli"), None)
    # heaviest packages pulled in by the CLI (their own root import, cumulative time)
    roots: dict[str, int] = {}
    for cumulative, _, name, _ in imports:
        if "." not in name and not name.startswith("_") and name != "opsagent":
            roots[name] = max(roots.get(name, 0), cumulative)
    top_level = sorted(((c, 0, n, 0) for n, c in roots.items()), reverse=True)[:8]
    top_self = sorted(((s, n) for _, s, n, _ in imports), reverse=True)[:8]
    return {"median_ms": statistics.median(runs), "min_ms": min(runs),
            "python_startup_ms": statistics.median(bare),
            "import_cli_ms": total / 1000.0 if total else None,
            "top_imports": [(n, c / 1000.0) for c, _, n, _ in top_level],
            "top_self": [(n, s / 1000.0) for s, n in top_self]}


# --- output -------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    parser.add_argument("--runs", type=int, default=1, metavar="N",
                        help="run the engine and CLI figures N times and print their spread")
    args = parser.parse_args(argv)
    quick: bool = args.quick
    if args.runs > 1:
        return spread(args.runs, quick=quick, as_json=args.json)

    from opsagent import __version__

    before = machine()
    env = (f"opsagent {__version__}, Python {platform.python_version()}, "
           f"{platform.system()} {platform.machine()}, {before['cpu']}, "
           f"{before['cores']} CPUs" + (", --quick" if quick else ""))
    engine = bench_engine(quick)
    memory = bench_memory()
    signals = bench_signals(quick)
    knowledge = bench_knowledge(quick)
    cli = bench_cli(quick)
    after = machine()
    if args.json:
        print(json.dumps({"environment": env, "machine": {"before": before, "after": after},
                          "engine": engine, "memory": memory, "signals": signals,
                          "knowledge": knowledge, "cli": cli}, indent=2))
        return 0

    print(f"# opsagent performance ({env})\n")
    print(f"Load average (1 min): {before['load_1m']} before, {after['load_1m']} after, on "
          f"{before['cores']} cores."
          + (" The machine was busy: wall-time figures are slower than on an idle machine; "
             "the CPU-time figures are the closer measure of the work." if busy(before, after)
             else "") + "\n")
    print("## In process, one core (pre-parsed JSON, pinned now)\n")
    print("| workload | incidents/s (median round) | slowest–fastest round | per CPU second | "
          "mean ms | p50 ms | p95 ms | p99 ms | calls |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, key in ((f"engine only, bundled example ({EXAMPLE.name})", "engine_example"),
                       (f"engine only, corpus mix ({engine['corpus_cases']} cases)",
                        "engine_corpus"),
                       ("end to end (`analyze`), bundled example", "example"),
                       ("end to end (`analyze`), corpus mix", "corpus")):
        s = engine[key]
        print(f"| {label} | {s['per_s']:,.0f} | {s['per_s_min']:,.0f}–{s['per_s_max']:,.0f} | "
              f"{s['cpu_per_s']:,.0f} | {fmt_ms(s['mean'])} | {fmt_ms(s['p50'])} | "
              f"{fmt_ms(s['p95'])} | {fmt_ms(s['p99'])} | {s['n']:,} |")
    print("\n## Memory\n")
    print(f"- tracemalloc peak over the whole corpus mix: "
          f"{memory['tracemalloc_peak_corpus_mib']:.1f} MiB")
    print(f"- tracemalloc peak for one example incident: "
          f"{memory['tracemalloc_peak_example_kib']:.0f} KiB")
    print(f"- tracemalloc peak for one incident of 1,000 Alertmanager alerts: "
          f"{memory['tracemalloc_peak_1000_alerts_mib']:.1f} MiB")
    print(f"- tracemalloc peak of a fresh process (import opsagent, load the knowledge base, "
          f"analyze the example): {memory['tracemalloc_cold_process_mib']:.1f} MiB")
    print(f"- this process's max RSS (interpreter + everything loaded): "
          f"{memory['maxrss_mib']:.0f} MiB")
    print("\n## Cost vs number of signals in one incident\n")
    print("| alerts | Alertmanager webhook ms | per alert µs | generic event ms | per alert µs |")
    print("|---|---|---|---|---|")
    for n in (1, 10, 100, 1000):
        am = next(r for r in signals if r["alerts"] == n and r["format"] == "alertmanager")
        ge = next(r for r in signals if r["alerts"] == n and r["format"] == "generic")
        print(f"| {n:,} | {fmt_ms(am['median_ms'])} | {am['per_alert_us']:,.0f} | "
              f"{fmt_ms(ge['median_ms'])} | {ge['per_alert_us']:,.0f} |")
    print("\n## Cost vs knowledge-base size\n")
    print("| failure modes | first call (compile) ms | example median ms | corpus mean ms |")
    print("|---|---|---|---|")
    for r in knowledge:
        print(f"| {r['failure_modes']} (×{r['factor']}) | {fmt_ms(r['first_call_ms'])} | "
              f"{fmt_ms(r['example_median_ms'])} | {fmt_ms(r['corpus_mean_ms'])} |")
    print("\n## CLI cold start\n")
    if "error" in cli:
        print(f"- `opsagent analyze` failed: {cli['error']}")
    else:
        print(f"- `opsagent analyze {EXAMPLE.relative_to(ROOT)}`: median "
              f"{cli['median_ms']:.0f} ms (min {cli['min_ms']:.0f} ms); bare "
              f"`python -c pass`: {cli['python_startup_ms']:.0f} ms")
        if cli["import_cli_ms"] is not None:
            print(f"- `import opsagent.cli`: {cli['import_cli_ms']:.0f} ms; heaviest packages "
                  "(cumulative import time): " + ", ".join(f"{n} {ms:.0f} ms"
                                                          for n, ms in cli["top_imports"]))
            print("- slowest single modules (self time): " + ", ".join(
                f"{n} {ms:.1f} ms" for n, ms in cli["top_self"]))

    ex, mix = engine["example"], engine["corpus"]
    am1000 = next(r for r in signals if r["alerts"] == 1000 and r["format"] == "alertmanager")
    kb16 = knowledge[-1]
    print("\n## For the README\n")
    print("| metric | value |\n|---|---|")
    eng = engine["engine_example"]
    corpus_engine = engine["engine_corpus"]
    print(f"| engine throughput, bundled example | {eng['per_s']:,.0f} incidents/s "
          f"(rounds {eng['per_s_min']:,.0f}–{eng['per_s_max']:,.0f}; p50 "
          f"{fmt_ms(eng['p50'])} ms, p99 {fmt_ms(eng['p99'])} ms) |")
    print(f"| engine throughput, {engine['corpus_cases']} labeled scenarios | "
          f"{corpus_engine['per_s']:,.0f} incidents/s (mean {fmt_ms(corpus_engine['mean'])} ms) |")
    print(f"| end to end (`opsagent.analyze`: parse, assemble, triage), bundled example | "
          f"{ex['per_s']:,.0f} incidents/s (p50 {fmt_ms(ex['p50'])} ms) |")
    print(f"| end to end, {engine['corpus_cases']} labeled scenarios | mean "
          f"{fmt_ms(mix['mean'])} ms, p95 {fmt_ms(mix['p95'])} ms, p99 {fmt_ms(mix['p99'])} ms |")
    print(f"| one incident with 1,000 Alertmanager alerts | {fmt_ms(am1000['median_ms'])} ms |")
    print(f"| knowledge base ×16 ({kb16['failure_modes']} failure modes) | "
          f"{fmt_ms(kb16['example_median_ms'])} ms per incident |")
    print(f"| peak traced memory, whole corpus | "
          f"{memory['tracemalloc_peak_corpus_mib']:.1f} MiB (max RSS "
          f"{memory['maxrss_mib']:.0f} MiB) |")
    if "error" not in cli:
        print(f"| CLI cold start (`opsagent analyze`) | {cli['median_ms']:.0f} ms median |")
    return 0


def spread(runs: int, *, quick: bool, as_json: bool) -> int:
    """The headline figures ``runs`` times over, with their range: how much one
    measurement on this machine can be trusted."""
    rows: list[dict[str, Any]] = []
    for _ in range(runs):
        before = machine()
        engine = bench_engine(quick)
        cli = bench_cli(quick)
        after = machine()
        rows.append({"load_1m": [before["load_1m"], after["load_1m"]],
                     "engine_example": engine["engine_example"]["per_s"],
                     "engine_example_cpu": engine["engine_example"]["cpu_per_s"],
                     "engine_corpus": engine["engine_corpus"]["per_s"],
                     "engine_corpus_cpu": engine["engine_corpus"]["cpu_per_s"],
                     "example": engine["example"]["per_s"],
                     "corpus_mean_ms": engine["corpus"]["mean"],
                     "cli_ms": cli.get("median_ms")})
    info = machine()
    if as_json:
        print(json.dumps({"machine": info, "runs": rows}, indent=2))
        return 0
    print(f"# {runs} runs on {info['cpu']}, {info['cores']} cores"
          + (" (--quick)" if quick else "") + "\n")
    print("| run | load 1m before/after | engine, example /s | same, per CPU s | "
          "engine, corpus /s | same, per CPU s | end to end, example /s | "
          "end to end, corpus mean ms | CLI cold start ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for number, row in enumerate(rows, start=1):
        cli_ms = "n/a" if row["cli_ms"] is None else f"{row['cli_ms']:,.0f}"
        print(f"| {number} | {row['load_1m'][0]} / {row['load_1m'][1]} | "
              f"{row['engine_example']:,.0f} | {row['engine_example_cpu']:,.0f} | "
              f"{row['engine_corpus']:,.0f} | {row['engine_corpus_cpu']:,.0f} | "
              f"{row['example']:,.0f} | "
              f"{fmt_ms(row['corpus_mean_ms'])} | {cli_ms} |")
    keys = ("engine_example", "engine_example_cpu", "engine_corpus", "engine_corpus_cpu",
            "example", "corpus_mean_ms")
    cold = [r["cli_ms"] for r in rows if r["cli_ms"] is not None]
    print("| range | | " + " | ".join(
        f"{min(r[k] for r in rows):,.0f}–{max(r[k] for r in rows):,.0f}" for k in keys[:5])
        + f" | {fmt_ms(min(r['corpus_mean_ms'] for r in rows))}–"
          f"{fmt_ms(max(r['corpus_mean_ms'] for r in rows))} | {_range(cold)} |")
    return 0


def _range(values: Sequence[float]) -> str:
    return f"{min(values):,.0f}–{max(values):,.0f}" if values else "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
