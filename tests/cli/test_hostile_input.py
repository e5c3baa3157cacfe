"""Input and output that could hang, flood or steer the terminal: each is one line and
exit 2 (or, for a reader that left, exit 0), and payload text never reaches the terminal
as control sequences."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import EXAMPLE, NOW, ROOT

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[1;1Hcleared\r\u202eoverride"


def _cli(*args: str, stdin: object = subprocess.DEVNULL, stdout: object = subprocess.PIPE,
         timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM")}
    return subprocess.run([sys.executable, "-m", "opsagent.cli", *args], stdin=stdin,
                          stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, env=env,
                          timeout=timeout, check=False)


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "alerts.json"
    os.mkfifo(fifo)  # no writer: opening it for reading would block forever
    result = _cli("analyze", str(fifo), timeout=30)
    assert result.returncode == 2
    assert result.stderr.decode() == (f"opsagent: error: {fifo}: not a regular file (pipe it "
                                      "in with '-' to read a stream)\n")


def test_a_device_is_refused() -> None:
    result = _cli("analyze", "/dev/zero", timeout=30)
    assert result.returncode == 2 and "not a regular file" in result.stderr.decode()


def test_an_endless_stdin_is_read_up_to_the_limit_only() -> None:
    with open("/dev/zero", "rb") as zero:
        result = _cli("analyze", "-", stdin=zero, timeout=60)
    assert result.returncode == 2
    assert result.stderr.decode() == "opsagent: error: <stdin>: payload is over the limit " \
                                     "of 50 MiB\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stdout_is_one_line_and_exit_2() -> None:
    with open("/dev/full", "wb") as full:
        result = _cli("analyze", str(EXAMPLE), "--now", NOW, stdout=full)
    assert result.returncode == 2
    assert result.stderr.decode() == ("opsagent: error: cannot write the output: No space "
                                      "left on device\n")


def test_a_reader_that_leaves_is_not_an_error() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "opsagent.cli", "analyze", str(EXAMPLE),
                             "--now", NOW, "-f", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    assert proc.wait(timeout=60) == 0
    errors = proc.stderr.read()
    proc.stderr.close()
    assert errors == b""


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_sequences_in_payload_text_are_written_out(tmp_path: Path, fmt: str) -> None:
    payload = {"service": "checkout", "title": HOSTILE, "symptoms": [HOSTILE],
               "annotations": {"description": HOSTILE}}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    result = _cli("analyze", str(path), "--now", NOW, "-f", fmt)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "pwned" in out  # the text is kept, made inert
    for raw in ("\x1b", "\x07", "\r", "\u202e"):
        assert raw not in out
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out


def test_a_directory_that_cannot_be_listed_is_named(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can list any directory")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        result = _cli("analyze", str(locked))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2 and str(locked) in result.stderr.decode()
