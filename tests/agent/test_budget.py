"""The budget is the process's: against a server that never answers, one that asks to
retry in 50 s, and one that drips a byte a second, the run ends on time with the engine's
report and a documented reason, and leaves no thread behind (in process) or exits on
time (the real CLI)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from opsagent.agent import refine, resolve_llm
from opsagent.agent.reasons import is_documented
from tests.conftest import EXAMPLE, run_cli

from .conftest import Case
from .hostile import HostileServer
from .replay import ReplayServer, Reply

MODES = ["silent", "rate-limited", "drip"]
BUDGET = 6
MARGIN = 5  # generous: a behaviour check on shared CPUs, not a benchmark


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


def warm_up(case: Case) -> None:
    """One quick run first: importing CrewAI and the SDK (seconds on a busy machine) and
    CrewAI's process-wide event threads are not what these tests measure."""
    with ReplayServer([Reply(503, {"error": {"message": "unavailable"}})]) as server:
        settings = resolve_llm(f"openai-compatible:{server.url}/v1#m",
                               {"OPSAGENT_LLM_TIMEOUT": "120", "OPSAGENT_LLM_MAX_RETRIES": "0"})
        assert settings is not None
        assert refine(case.report, case.incident, settings).analysis.fallback == \
            "LLM error: HTTP 503 from the provider"


@pytest.mark.parametrize("mode", MODES)
def test_an_in_process_run_ends_on_time_and_leaves_no_thread(mode: str, hand: Case) -> None:
    warm_up(hand)
    with HostileServer(mode) as server:
        settings = resolve_llm(f"openai-compatible:{server.url}#m",
                               {"OPSAGENT_LLM_TIMEOUT": str(BUDGET),
                                "OPSAGENT_LLM_MAX_RETRIES": "3"})
        assert settings is not None
        before = set(threading.enumerate())
        started = time.monotonic()
        report = refine(hand.report, hand.incident, settings)
        elapsed = time.monotonic() - started
    # CrewAI's event bus keeps one process-wide pool of at most 10 handler threads
    left = [t for t in threading.enumerate() if t not in before
            and not t.name.startswith("CrewAISyncHandler")]
    assert elapsed < BUDGET + MARGIN, f"{mode}: {elapsed:.1f}s"
    assert not left, f"threads left behind: {left}"
    reason = report.analysis.fallback
    assert reason is not None and is_documented(reason), reason
    assert report.root_causes == hand.report.root_causes
    assert server.connections >= 1
    if mode == "rate-limited":
        # the 50 s wait cannot fit the budget: no retry, the 429 is the reason
        assert reason == "LLM error: rate limited (HTTP 429)"
        assert elapsed < BUDGET
        assert server.connections == 1


@pytest.fixture(scope="module")
def engine_only_s(tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long the same CLI run takes without the agent (start-up and the engine)."""
    home = tmp_path_factory.mktemp("home")
    started = time.monotonic()
    result = run_cli("analyze", str(EXAMPLE), "--format", "json", "--no-llm",
                     env={"HOME": str(home)}, cwd=home)
    assert result.code == 0, result.stderr
    return time.monotonic() - started


@pytest.mark.parametrize("mode", MODES)
def test_the_cli_exits_within_the_budget(mode: str, tmp_path: Path, engine_only_s: float
                                         ) -> None:
    with HostileServer(mode) as server:
        started = time.monotonic()
        result = run_cli("analyze", str(EXAMPLE), "--format", "json",
                         "--llm", f"openai-compatible:{server.url}#m",
                         env={"HOME": str(tmp_path), "OPSAGENT_LLM_TIMEOUT": str(BUDGET),
                              "OPSAGENT_LLM_MAX_RETRIES": "3"},
                         cwd=tmp_path)
        elapsed = time.monotonic() - started
    assert result.code == 0, result.stderr
    assert elapsed < engine_only_s + BUDGET + MARGIN, \
        f"{mode}: the process lived {elapsed:.1f}s (engine only: {engine_only_s:.1f}s)"
    report = json.loads(result.stdout)
    assert report["root_causes"], "the engine's report"
    assert is_documented(report["analysis"]["fallback"]), report["analysis"]["fallback"]
