"""The service as a user runs it: ``opsagent serve`` (and ``opsagent worker``) as real
subprocesses on 127.0.0.1 with a free port, over SQLite or a real PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the service needs the server extra")

from ..conftest import ROOT
from ..store.databases import BACKENDS, database

TOKEN = "test-token-5f2c"
SAMPLES = ROOT / "tests" / "ingest" / "samples"


def sample(path: str) -> bytes:
    return (SAMPLES / path).read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Process:
    """One ``opsagent serve`` or ``opsagent worker`` process."""

    args: list[str]
    cwd: Path
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    port: int | None = None
    extra: list[str] = field(default_factory=list)

    def start(self) -> Process:
        self.port = free_port() if self.args[0] == "serve" else None
        argv = [sys.executable, "-m", "opsagent.cli", *self.args]
        if self.port is not None:
            argv += ["--listen", f"127.0.0.1:{self.port}"]
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=handle,
                                     stderr=handle)
        handle.close()
        if self.port is not None:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n"
                                     + self.log.read_text()[-3000:])
            try:
                if self.request("GET", "/healthz", auth=False).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("server did not become healthy:\n" + self.log.read_text()[-3000:])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, body: bytes | None = None, *,
                auth: bool | str = True, headers: dict[str, str] | None = None,
                timeout: float = 30) -> Response:
        sent = dict(headers or {})
        if auth is True:
            sent["Authorization"] = f"Bearer {TOKEN}"
        elif isinstance(auth, str):
            sent["Authorization"] = auth
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url(path), data=body, method=method,
                                         headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    def post(self, source: str, body: bytes, **kwargs: Any) -> Response:
        return self.request("POST", f"/v1/webhooks/{source}", body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def wait_for(self, check: Any, timeout: float = 30) -> Any:
        """Poll ``check()`` until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError("timed out waiting; log:\n" + self.log.read_text()[-3000:])

    def drained(self, timeout: float = 60) -> None:
        self.wait_for(lambda: self.get("/readyz").json().get("queue_depth") == 0, timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def terminate(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


def basic(password: str, user: str = "alertmanager") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Service:
    """Start processes of one service sharing a database."""

    db_url: str
    cwd: Path
    started: list[Process] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENAI_API_KEY", "OPSAGENT_LLM", "OPSAGENT_CONFIG")}
        env["OPSAGENT_SERVE_TOKEN"] = TOKEN
        env["PYTHONPATH"] = str(ROOT / "src")
        return env

    def process(self, *args: str) -> Process:
        process = Process([*args, "--database", self.db_url], self.cwd, self.env(),
                          self.cwd / f"{args[0]}.log")
        self.started.append(process)
        return process

    def serve(self, *args: str) -> Process:
        return self.process("serve", *args).start()

    def stop_all(self) -> None:
        for process in self.started:
            process.kill()


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with database(request.param, tmp_path) as url:
        running = Service(url, tmp_path)
        try:
            yield running
        finally:
            running.stop_all()


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Process]:
    """One server per backend for a module's tests (each test uses its own services and
    group keys, see :func:`tagged`)."""
    tmp = tmp_path_factory.mktemp(f"serve-{request.param}")
    with database(request.param, tmp) as url:
        running = Service(url, tmp)
        try:
            yield running.serve()
        finally:
            running.stop_all()


def tagged(path: str, tag: str) -> bytes:
    """A sample payload made this test's own: its service names, group key and vendor ids
    carry ``tag`` (so a shared server groups it with nothing else)."""
    body = sample(path).decode()
    for name in ("checkout-service", "checkout-api", "Q1XK4R7"):
        body = body.replace(name, f"{name}-{tag}")
    doc = json.loads(body)
    if isinstance(doc, dict) and "groupKey" in doc:
        doc["groupKey"] = f"{doc['groupKey']}/{tag}"
    if isinstance(doc, dict) and isinstance(doc.get("event"), dict):
        doc["event"]["id"] = f"{doc['event']['id']}-{tag}"
    return json.dumps(doc, indent=2).encode()


def metric(server: Process, series: str) -> float:
    """The value of one series of ``/metrics`` (0 when absent)."""
    for line in server.get("/metrics").body.decode().splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
