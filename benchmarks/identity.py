"""Proof that a change of speed changed nothing else: a digest of every report.

    python benchmarks/identity.py                  # print one line per report: name, digest
    python benchmarks/identity.py -o before.txt    # write them to a file
    python benchmarks/identity.py --check before.txt   # exit 1 and name what differs
    python benchmarks/identity.py --dump reports.jsonl # the canonical reports themselves

Runs the engine (``opsagent.analyze``, no LLM) over the bundled example, every case of
the tuned corpus (``benchmarks/scenarios``) and every sample payload of the ingest tests
(``tests/ingest/samples``), each sample with memory off and a pinned ``now``. Each report
is written as canonical JSON (sorted keys, no whitespace) without its timing field
(``analysis.duration_ms``) and hashed; a payload the engine refuses is recorded by its
error instead. The same tree gives the same digests on every run; a speed-up must too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "checkout-service.json"
CORPUS = ROOT / "benchmarks" / "scenarios"
SAMPLES = ROOT / "tests" / "ingest" / "samples"
NOW = datetime(2026, 3, 14, 10, 30, tzinfo=timezone.utc)


def workloads() -> Iterator[tuple[str, tuple[Any, ...], datetime]]:
    """(name, payloads, now) of every incident the digest covers, in a fixed order."""
    from opsagent.evaluation import load_corpus

    yield "example", (json.loads(EXAMPLE.read_text()),), NOW
    cases, _ = load_corpus(CORPUS)
    for case in sorted(cases, key=lambda c: c.name):
        yield f"corpus/{case.name}", case.payloads, case.expected.now
    for path in sorted(SAMPLES.rglob("*.json")):
        yield f"sample/{path.relative_to(SAMPLES)}", (json.loads(path.read_text()),), NOW


def canonical(name: str, payloads: tuple[Any, ...], now: datetime) -> str:
    """The report of one incident as canonical JSON, its timing left out."""
    import opsagent
    from opsagent.errors import OpsagentError

    try:
        report = opsagent.analyze(*payloads, now=now)
    except OpsagentError as exc:
        return json.dumps({"name": name, "error": f"{type(exc).__name__}: {exc}"},
                          sort_keys=True, separators=(",", ":"))
    data = report.model_dump(mode="json")
    data.get("analysis", {}).pop("duration_ms", None)
    return json.dumps({"name": name, "report": data}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def digests(dump: Path | None = None) -> list[str]:
    lines = []
    out = dump.open("w", encoding="utf-8") if dump else None
    try:
        for name, payloads, now in workloads():
            text = canonical(name, payloads, now)
            if name == "example" and '"error"' in text[:40]:
                # the bundled example always triages: its failure is the setup's
                raise SystemExit(f"the bundled example fails: {text}")
            if out:
                out.write(text + "\n")
            lines.append(f"{name} {hashlib.sha256(text.encode()).hexdigest()}")
    finally:
        if out:
            out.close()
    whole = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return [*lines, f"ALL {whole}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, help="write the digests to this file")
    parser.add_argument("--check", type=Path, metavar="FILE",
                        help="compare with digests written before; exit 1 on a difference")
    parser.add_argument("--dump", type=Path, metavar="FILE",
                        help="also write the canonical reports, one JSON per line")
    args = parser.parse_args(argv)
    lines = digests(args.dump)
    if args.output:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.check:
        before = dict(line.split(" ", 1) for line in args.check.read_text().splitlines()
                      if line)
        now = dict(line.split(" ", 1) for line in lines)
        differ = sorted(k for k in before.keys() | now.keys()
                        if k != "ALL" and before.get(k) != now.get(k))
        for name in differ:
            print(f"differs: {name}", file=sys.stderr)
        print(f"{len(now) - 1} reports, {len(differ)} differ")
        return 1 if differ else 0
    if not args.output:
        print("\n".join(lines))
    else:
        print(f"{len(lines) - 1} reports, {lines[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
