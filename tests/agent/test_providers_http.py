"""Hosted providers over recorded HTTP exchanges, replayed by a loopback server: the
request each provider sends, and every failure ending in the engine's report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from opsagent.agent import refine, resolve_llm
from opsagent.models import TriageReport

from .conftest import PLANTED_SECRETS, RECORDINGS, Case
from .replay import ReplayServer, Reply

OK = ["openai_ok", "anthropic_ok", "ollama_ok", "openai_compatible_ok"]
FAILING = ["openai_rate_limited", "openai_server_error", "anthropic_overloaded",
           "compatible_malformed_json", "compatible_prose_twice"]


def recording(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDINGS / f"{name}.json").read_text())
    return data


def replies(rec: dict[str, Any]) -> list[Reply]:
    return [Reply(r["status"], r["raw"].encode() if "raw" in r else r.get("body"),
                  r.get("headers", {})) for r in rec["replies"]]


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


def _resolve(rec: dict[str, Any], server: ReplayServer, **env: str) -> Any:
    environ = {**rec["env"], "OPENAI_BASE_URL": f"{server.url}/v1",
               "ANTHROPIC_BASE_URL": server.url, "OLLAMA_HOST": server.url,
               "OPSAGENT_LLM_TOOLS": "false", "OPSAGENT_LLM_TIMEOUT": "20", **env}
    settings = resolve_llm(rec["spec"].format(url=server.url), environ)
    assert settings is not None
    return settings


@pytest.mark.parametrize("name", OK)
def test_request_shape_and_merged_answer(name: str, checkout: Case) -> None:
    rec = recording(name)
    with ReplayServer(replies(rec)) as server:
        settings = _resolve(rec, server)
        report = refine(checkout.report, checkout.incident, settings)
    assert report.analysis.fallback is None, report.analysis.fallback
    TriageReport.model_validate(report.model_dump())
    assert report.root_causes[0].title == "Regression shipped in the latest checkout deploy"
    info = report.analysis.agent
    assert info is not None
    assert info.provider == settings.provider and info.model == settings.model
    assert info.tokens_in > 1000 and info.tokens_out > 100

    assert len(server.requests) == 1
    request = server.requests[0]
    expect = rec["expect"]
    assert (request.method, request.path) == ("POST", expect["path"])
    if "auth" in expect:
        header, value = expect["auth"]
        assert request.headers[header] == value
    body = request.json
    assert body["model"] == expect["model"]
    assert body["max_tokens"] == settings.max_tokens
    roles = [m["role"] for m in body["messages"]]
    assert roles[-1] == "user"
    if name == "anthropic_ok":
        assert request.headers["anthropic-version"]
        assert body["system"]  # the persona goes in Anthropic's system field
    else:
        assert roles[0] == "system"
    if expect.get("response_format"):
        response_format = body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["strict"] is True
    raw = request.raw.decode()
    for secret in (*PLANTED_SECRETS, *rec["env"].values()):
        assert secret not in raw, "a secret left the machine"
    assert "[REDACTED:" in raw


@pytest.mark.parametrize("name", FAILING)
def test_provider_failures_fall_back_to_the_engine(name: str, checkout: Case) -> None:
    rec = recording(name)
    with ReplayServer(replies(rec)) as server:
        report = refine(checkout.report, checkout.incident, _resolve(rec, server))
    assert report.analysis.fallback == rec["fallback"]
    assert report.model_dump(exclude={"analysis"}) == \
        checkout.report.model_dump(exclude={"analysis"})
    assert report.analysis.agent is not None


def test_retries_are_limited_to_max_retries(checkout: Case) -> None:
    rec = recording("openai_rate_limited")
    with ReplayServer(replies(rec)) as server:
        refine(checkout.report, checkout.incident,
               _resolve(rec, server, OPSAGENT_LLM_MAX_RETRIES="2"))
    assert len(server.requests) == 3  # the request and two retries, nothing more
    with ReplayServer(replies(rec)) as server:
        refine(checkout.report, checkout.incident,
               _resolve(rec, server, OPSAGENT_LLM_MAX_RETRIES="0"))
    assert len(server.requests) == 1


def test_a_provider_that_hangs_times_out(checkout: Case) -> None:
    rec = recording("openai_ok")
    slow = [Reply(200, rec["replies"][0]["body"], delay=30)]
    with ReplayServer(slow) as server:
        started = time.perf_counter()
        report = refine(checkout.report, checkout.incident,
                        _resolve(rec, server, OPSAGENT_LLM_TIMEOUT="1"))
        elapsed = time.perf_counter() - started
    assert report.analysis.fallback == "timeout after 1s"
    assert elapsed < 10


def test_nothing_listens_falls_back(checkout: Case) -> None:
    settings = resolve_llm("openai-compatible:http://127.0.0.1:9/v1#m",
                           {"OPSAGENT_LLM_MAX_RETRIES": "0", "OPSAGENT_LLM_TIMEOUT": "10"})
    assert settings is not None
    report = refine(checkout.report, checkout.incident, settings)
    assert report.analysis.fallback == "LLM error: cannot connect to the provider"
