"""Shared helpers: run the real CLI in a subprocess, build payload files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "checkout-service.json"
NOW = "2026-01-15T12:00:00Z"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str, stdin: bytes | str | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> CliResult:
    """Run ``python -m opsagent.cli ARGS`` as a user would, without any LLM configured."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")}
    full_env.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "opsagent.cli", *args],
        input=data if data is not None else b"",
        capture_output=True,
        cwd=cwd or ROOT,
        env=full_env,
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture
def write_json(tmp_path: Path) -> Any:
    def write(name: str, payload: Any) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    return write
