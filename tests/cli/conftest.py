"""``opsagent`` run in process (``cli.main(argv)``) as a user would run it, in a directory
of the test's own, with no LLM configured by the environment."""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from opsagent import cli

from ..conftest import CliResult

Run = Callable[..., CliResult]


@pytest.fixture
def opsagent(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             tmp_path: Path) -> Run:
    """``opsagent(*argv, stdin=None)``: exit code, stdout and stderr of one command, run in
    ``tmp_path`` (a fresh directory: no config file of the repository is found)."""
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: str | None = None) -> CliResult:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens: a provider that cannot be reached."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
