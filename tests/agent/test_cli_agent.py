"""The agent through the real CLI: a bad spec is exit 2 with one line; a working provider
refines the report and stdout stays clean JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_cli

from .replay import ReplayServer, Reply

RECORDINGS = Path(__file__).parent / "recordings"


@pytest.mark.parametrize(("args", "env", "line"), [
    (["--llm", "bogus"], {}, "opsagent: error: --llm 'bogus': expected PROVIDER:MODEL"),
    (["--llm", "local:/nowhere/m.gguf"], {}, "model file not found"),
    ([], {"OPSAGENT_LLM": "anthropic:"}, "OPSAGENT_LLM 'anthropic:'"),
])
def test_a_bad_llm_spec_exits_2_with_one_line(args: list[str], env: dict[str, str],
                                              line: str, tmp_path: Path) -> None:
    result = run_cli("analyze", str(EXAMPLE), *args, env={"HOME": str(tmp_path), **env},
                     cwd=tmp_path)
    assert result.code == 2
    assert line in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_the_cli_with_an_openai_compatible_server(tmp_path: Path) -> None:
    recorded = json.loads((RECORDINGS / "openai_compatible_ok.json").read_text())
    with ReplayServer([Reply(200, recorded["replies"][0]["body"])]) as server:
        result = run_cli("analyze", str(EXAMPLE), "--format", "json",
                         "--llm", f"openai-compatible:{server.url}/v1#qwen2.5-7b-instruct",
                         env={"HOME": str(tmp_path), "OPSAGENT_LLM_TIMEOUT": "60"},
                         cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["analysis"]["fallback"] is None
    assert report["analysis"]["agent"]["provider"] == "openai-compatible"
    assert report["root_causes"][0]["title"] == "Regression shipped in the latest checkout deploy"


def test_the_cli_falls_back_quietly_when_the_provider_fails(tmp_path: Path) -> None:
    with ReplayServer([Reply(503, {"error": {"message": "unavailable"}})]) as server:
        result = run_cli("analyze", str(EXAMPLE), "--format", "json",
                         "--llm", f"openai-compatible:{server.url}/v1#m",
                         env={"HOME": str(tmp_path), "OPSAGENT_LLM_MAX_RETRIES": "0"},
                         cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["analysis"]["fallback"] == "LLM error: HTTP 503 from the provider"
