"""The engine's cost in CPU instructions per incident, counted by valgrind (cachegrind).

    python benchmarks/instructions.py example    # the bundled example
    python benchmarks/instructions.py corpus     # the tuned corpus (benchmarks/scenarios)

On a shared machine, time (even CPU time) varies by a factor of two or more between runs
minutes apart; the number of instructions a triage executes does not. This runs a
process that triages the incidents (already assembled, after warm-up passes that build
the caches and the vocabulary's prefilter) 0 times and one that triages them twice, both
under ``valgrind --tool=cachegrind``, and prints the
difference per incident: the engine's own work, without start-up, imports and parsing.
It needs valgrind on PATH and takes a few minutes (valgrind runs Python 30-50 times
slower). Instructions are not time (a cache miss costs more than an add), but the same
tree gives the same count to within a fraction of a percent, so two trees compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "checkout-service.json"
COPIES = 50  # the example, triaged this many times per pass


def incidents(which: str) -> list[Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from perf import NOW, corpus_mix

    from opsagent.api import as_documents
    from opsagent.ingest import build_incident

    if which == "example":
        return [build_incident(as_documents([json.loads(EXAMPLE.read_text())]), now=NOW)
                ] * COPIES
    out = []
    for _, payloads, now in corpus_mix():
        with contextlib.suppress(Exception):  # a case refused as a whole has no incident
            out.append(build_incident(as_documents(list(payloads)), now=now))
    return out


def run(which: str, passes: int) -> None:
    """The workload itself (what runs under valgrind)."""
    import opsagent

    items = incidents(which)
    # warm-up passes until caches and the vocabulary's prefilter are built (it is built
    # after 300 texts; the example holds 2, so 50 copies need 3 passes, the corpus 2)
    warmups = 4 if which == "example" else 2
    for _ in range(warmups + passes):
        for incident in items:
            opsagent.triage(incident)
    print(len(items))


def counted(which: str, passes: int) -> tuple[int, int]:
    """(instructions, incidents) of one process that runs ``passes`` timed passes."""
    proc = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, which, "--passes", str(passes), "--inner"],
        capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{proc.stderr[-500:]}")
    return int(found.group(1).replace(",", "")), int(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("which", choices=("example", "corpus"))
    parser.add_argument("--passes", type=int, default=2, help="timed passes (default 2)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        run(args.which, args.passes)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on PATH")
    base, count = counted(args.which, 0)
    total, _ = counted(args.which, args.passes)
    per = (total - base) / (args.passes * count)
    print(f"{args.which}: {per / 1e6:.3f} million instructions per incident "
          f"({count} incidents, {args.passes} passes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
