"""Engine-only runs never load CrewAI, an LLM SDK or llama.cpp (house rule 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import ROOT

HEAVY = ("crewai", "crewai_core", "llama_cpp", "openai", "anthropic", "litellm", "instructor",
         "chromadb", "lancedb", "opentelemetry", "httpx", "detect_secrets")


def python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120, check=True)


def loaded_after(code: str) -> list[str]:
    probe = (f"{code}\nimport sys, json\n"
             "top = {m.split('.')[0] for m in sys.modules}\n"
             f"print(json.dumps(sorted(top & {set(HEAVY)!r})))")
    result: list[str] = json.loads(python("-c", probe).stdout.strip().splitlines()[-1])
    return result


def test_an_engine_only_analysis_loads_no_llm_stack() -> None:
    code = ("import json, opsagent\n"
            "report = opsagent.analyze(json.load(open('examples/checkout-service.json')))\n"
            "assert report.analysis.agent is None")
    assert loaded_after(code) == []


def test_the_agent_package_and_resolving_a_spec_are_light() -> None:
    code = ("from opsagent.agent import resolve_llm, refine, LLMSettings\n"
            "assert resolve_llm('ollama:llama3.1', {}).provider == 'ollama'")
    assert loaded_after(code) == []


def test_the_cli_without_an_llm_imports_none_of_it() -> None:
    result = python("-X", "importtime", "-m", "opsagent.cli", "analyze",
                    "examples/checkout-service.json", "--format", "json")
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & set(HEAVY)
    assert json.loads(result.stdout)["analysis"]["agent"] is None
