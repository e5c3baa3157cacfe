"""``opsagent eval`` as a user runs it: a progress bar on a terminal and nothing extra
when piped; thresholds that gate the whole corpus, not a selection; exit code 3 for a
threshold not met."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from opsagent.evaluation.render import ProgressBar

from ..conftest import ROOT
from .conftest import Run

CASES = ["-k", "s001", "-k", "s002", "-k", "s003"]
TUNED = str(ROOT / "benchmarks" / "scenarios")


def _eval_with_stderr_on_a_terminal(*args: str) -> tuple[int, str, bytes]:
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM")}
    proc = subprocess.Popen([sys.executable, "-m", "opsagent.cli", "eval", *args],
                            stdout=subprocess.PIPE, stderr=follower, cwd=ROOT, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed: the command is done
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(leader)
    return proc.returncode, out.decode(), seen


def test_a_terminal_shows_a_progress_bar_and_the_output_is_unchanged() -> None:
    code, out, terminal = _eval_with_stderr_on_a_terminal(TUNED, *CASES)
    assert code == 0, terminal.decode(errors="replace")
    text = terminal.decode()
    assert "[" in text and "0/3" in text and "2/3" in text
    assert "s001-" in text and "elapsed" in text and "left" in text  # an estimate
    assert text.endswith("\r\x1b[K")  # the bar is erased when the run ends
    assert "\x1b" not in out and "elapsed" not in out


def test_piped_output_has_nothing_extra(opsagent: Run) -> None:
    result = opsagent("eval", TUNED, *CASES)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert "\r" not in result.stdout and "elapsed" not in result.stdout


def test_the_progress_line_counts_cases_and_estimates_the_rest() -> None:
    bar = ProgressBar(sys.stderr, columns=200)
    line = bar.line(10, 40, "s011-cache-stampede", elapsed=5.0)
    assert line == ("[######..................] 10/40  s011-cache-stampede  5s elapsed, "
                    "~15s left")
    assert ProgressBar.for_stream(None) is None


def test_a_selection_is_not_gated_by_the_corpus_thresholds(opsagent: Run) -> None:
    result = opsagent("eval", TUNED, "-k", "s00", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["thresholds"] == {} and data["passed"] is True
    table = opsagent("eval", TUNED, "-k", "s00")
    assert "Thresholds not applied: they gate the whole corpus" in table.stdout


def test_a_threshold_given_gates_a_selection_and_exits_3(opsagent: Run) -> None:
    result = opsagent("eval", TUNED, "-k", "s001", "--json", "--max-forbidden-actions", "-1")
    assert result.code == 2  # a bad value is a usage error
    passing = opsagent("eval", TUNED, "-k", "s001", "--min-top1-accuracy", "0")
    assert passing.code == 0, passing.stderr
    assert "PASSED the thresholds given: min_top1_accuracy" in passing.stdout
    data = json.loads(opsagent("eval", TUNED, "-k", "s001", "--json",
                               "--min-top1-accuracy", "1.0", "--max-failures", "0").stdout)
    assert set(data["thresholds"]) == {"min_top1_accuracy", "max_failures"}
    failing = opsagent("eval", TUNED, "-k", "s001", "--max-p95-latency-ms", "0.0001")
    assert failing.code == 3
    assert "FAILED thresholds" in failing.stdout and "p95 latency" in failing.stdout


def test_the_exit_codes_are_documented(opsagent: Run) -> None:
    out = opsagent("eval", "--help").stdout
    assert "3 a threshold not met" in " ".join(out.split())


def test_an_unusable_corpus_exits_2_not_3(opsagent: Run, tmp_path: Path) -> None:
    result = opsagent("eval", str(tmp_path / "nowhere"))
    assert result.code == 2


def test_the_readme_documents_the_threshold_exit_code() -> None:
    from opsagent.evaluation.command import THRESHOLD_NOT_MET

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"`opsagent eval` adds `{THRESHOLD_NOT_MET}`: a threshold not met" in readme
