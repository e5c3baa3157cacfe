"""The cost of the largest inputs opsagent accepts: prints numbers, asserts nothing.

    python benchmarks/limits.py

Each input runs ``opsagent analyze`` in a fresh process (wall time and peak memory from
the operating system): a 50 MiB NDJSON file (the byte limit; documents past the
10,000th are a note), a document holding a million symptoms (lists are cut at 10,000
items, with a note) and 10,000 alerts in one Alertmanager notification.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-12-01T12:00:00Z"


def _ndjson(path: Path) -> None:
    line = json.dumps({"service": "checkout", "error_rate": "7%", "region": "eu-west-1",
                       "symptoms": ["payment errors"], "message": "x" * 400}) + "\n"
    count = (50 * 1024 * 1024 - 1) // len(line)
    path.write_text(line * count, encoding="utf-8")


def _million_symptoms(path: Path) -> None:
    path.write_text(json.dumps({"service": "checkout", "error_rate": "7%",
                                "symptoms": ["payment errors"] * 1_000_000}), encoding="utf-8")


def _alert_storm(path: Path) -> None:
    alerts = [{"status": "firing", "labels": {"alertname": "HighErrorRate",
                                              "service": f"svc-{i % 40}", "instance": f"h{i}"},
               "annotations": {"summary": "error rate above 5%"},
               "startsAt": "2026-12-01T11:50:00Z", "endsAt": "0001-01-01T00:00:00Z",
               "fingerprint": f"{i:016x}"} for i in range(10_000)]
    path.write_text(json.dumps({"version": "4", "groupKey": "{}:{}", "status": "firing",
                                "receiver": "opsagent", "groupLabels": {},
                                "commonLabels": {}, "commonAnnotations": {},
                                "externalURL": "http://alertmanager:9093",
                                "alerts": alerts}), encoding="utf-8")


def _run(path: Path) -> tuple[float, float, int]:
    """Wall time, the process's own peak memory (MiB) and its exit code."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "opsagent.cli", "analyze", str(path),
                             "--now", NOW, "-f", "json"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("events.ndjson (50 MiB)", _ndjson),
                           ("one document, 1,000,000 symptoms", _million_symptoms),
                           ("Alertmanager, 10,000 alerts", _alert_storm)):
            path = Path(tmp) / name.split()[0].replace(",", "")
            make(path)
            size = path.stat().st_size / 1_048_576
            elapsed, peak_mb, code = _run(path)
            print(f"{name:<34} {size:6.1f} MiB  {elapsed:6.2f} s  peak {peak_mb:6.0f} MiB"
                  f"  exit {code}")


if __name__ == "__main__":
    main()
