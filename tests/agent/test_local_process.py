"""The local model runs in its own process: SmolLM2 for real, and a child made to die by a
real signal, hang, exit or exhaust its memory cap (``OPSAGENT_LOCAL_FAULT``). The triage
always ends with the engine's report and a documented reason, within the budget, with no
child left behind."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsagent.agent import LLMSettings, refine, resolve_llm
from opsagent.agent.local_process import LocalModelFailed, close_all, model_process
from opsagent.agent.packaged import smollm2_path
from opsagent.agent.reasons import is_documented

from .conftest import LOCAL_MODEL_TESTS, Case

MODEL = smollm2_path()
pytestmark = LOCAL_MODEL_TESTS

SMALL = {"OPSAGENT_LLM_MAX_TOKENS": "64", "OPSAGENT_LLM_N_CTX": "2048",
         "OPSAGENT_LLM_N_THREADS": "1"}
HELLO = {"messages": [{"role": "user", "content": "Say hello."}], "schema": None,
         "max_tokens": 8, "temperature": 0.1, "stop": None}


@pytest.fixture(autouse=True)
def fresh_children(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    close_all()
    yield
    close_all()


def settings(**options: str) -> LLMSettings:
    found = resolve_llm(f"local:{MODEL}", {**SMALL, **options})
    assert found is not None
    return found


def model_children() -> list[int]:
    """This process's children running the model's process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"llama_child.py" in cmdline and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_model_loads_once_per_child_and_answers_every_call() -> None:
    process = model_process(str(MODEL), 2048, 1)
    first = process.generate(HELLO, budget=120)
    pid = process.pid
    second = process.generate(HELLO, budget=120)
    assert first["choices"][0]["message"]["content"]
    assert second["usage"]["completion_tokens"] > 0
    assert pid is not None and process.pid == pid  # the same child, the model loaded once
    assert pid != os.getpid()
    assert model_process(str(MODEL), 2048, 1) is process
    # a run cancelled while another run holds the child gives up, and leaves it alone
    cancelled = threading.Event()
    cancelled.set()
    with process._lock, pytest.raises(LocalModelFailed, match="exceeded its time budget"):
        process.generate(HELLO, cancel=cancelled)
    assert process.pid == pid and alive(pid)


@pytest.mark.parametrize(("fault", "reason"), [
    ("sigill", "local model crashed (signal SIGILL)"),
    ("sigsegv", "local model crashed (signal SIGSEGV)"),
    ("abort", "local model crashed (signal SIGABRT)"),
    ("exit", "local model exited unexpectedly (exit code 3)"),
])
def test_a_crashing_model_falls_back_to_the_engine(fault: str, reason: str, hand: Case,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_LOCAL_FAULT", fault)
    report = refine(hand.report, hand.incident, settings(OPSAGENT_LLM_TIMEOUT="120"))
    assert report.analysis.fallback == reason
    assert is_documented(reason)
    assert report.root_causes == hand.report.root_causes
    assert report.severity == hand.report.severity
    assert not model_children()


def test_a_hanging_model_is_killed_at_the_budget(hand: Case,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_LOCAL_FAULT", "hang")
    before = set(threading.enumerate())
    started = time.monotonic()
    report = refine(hand.report, hand.incident, settings(OPSAGENT_LLM_TIMEOUT="6"))
    elapsed = time.monotonic() - started
    assert report.analysis.fallback == "local model exceeded its time budget (6s)"
    assert report.root_causes == hand.report.root_causes
    assert elapsed < 6 + 5
    assert not model_children(), "the hung child is killed, not left running"
    assert set(threading.enumerate()) <= before, "no agent thread outlives the run"


def test_a_model_that_exhausts_its_memory_cap_falls_back(hand: Case,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("OPSAGENT_LOCAL_FAULT", "allocate")
    report = refine(hand.report, hand.incident,
                    settings(OPSAGENT_LLM_TIMEOUT="120", OPSAGENT_LLM_MEMORY_MB="1500"))
    assert report.analysis.fallback == "local model ran out of memory"
    assert report.root_causes == hand.report.root_causes


def test_a_cancelled_call_kills_the_child_at_once() -> None:
    process = model_process(str(MODEL), 2048, 1)
    process.generate(HELLO, budget=120)
    pid = process.pid
    assert pid is not None
    cancel = threading.Event()
    long = {**HELLO, "max_tokens": 2000,
            "messages": [{"role": "user", "content": "Write a very long story."}]}
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(LocalModelFailed, match="exceeded its time budget"):
        process.generate(long, cancel=cancel)
    assert time.monotonic() - started < 3
    assert not alive(pid)
    # and the next call starts a new child that works
    assert process.generate(HELLO, budget=120)["choices"]
    assert process.pid not in (None, pid)


def test_an_unloadable_model_file_is_a_documented_reason(tmp_path: Path, hand: Case) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    found = resolve_llm(f"local:{broken}", SMALL)
    assert found is not None
    report = refine(hand.report, hand.incident, found)
    assert report.analysis.fallback == "local model could not load the model file"
