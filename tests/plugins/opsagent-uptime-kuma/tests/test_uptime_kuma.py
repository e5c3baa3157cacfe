"""The plug-in's own tests, as its author runs them (``pip install -e . && pytest``):
real samples through opsagent's registry and analysis, no mocks."""

from __future__ import annotations

import json
from pathlib import Path

from opsagent_uptime_kuma import register

import opsagent
from opsagent.ingest import build_incident, parse_text
from opsagent.models import SignalStatus, SourceSeverity
from opsagent.registry import Registry

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def registry() -> Registry:
    from opsagent.ingest.builtin import register as register_builtins

    reg = Registry()
    register_builtins(reg)
    register(reg)  # after the built-ins, as opsagent loads plug-ins
    return reg


def test_down_is_a_critical_firing_alert_of_the_monitored_service() -> None:
    path = SAMPLES / "down.json"
    incident = build_incident(parse_text(path.read_bytes(), path.name), registry=registry())
    (alert,) = incident.signals
    assert incident.sources == ["uptime_kuma"]
    assert (alert.service, alert.status, alert.severity) == (
        "checkout", SignalStatus.FIRING, SourceSeverity.CRITICAL)
    assert alert.at is not None and alert.at.isoformat() == "2024-05-14T12:02:10.512000+00:00"


def test_up_is_the_recovery() -> None:
    path = SAMPLES / "up.json"
    incident = build_incident(parse_text(path.read_bytes(), path.name), registry=registry())
    assert incident.signals[0].status is SignalStatus.RESOLVED


def test_no_built_in_format_claims_the_samples() -> None:
    from opsagent.ingest.builtin import register as register_builtins

    builtins = Registry()
    register_builtins(builtins)
    for path in SAMPLES.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert [a.name for a in builtins.adapters() if a.detect(doc)
                and a.name != "generic"] == []


def test_the_triage_makes_sense() -> None:
    down = json.loads((SAMPLES / "down.json").read_text(encoding="utf-8"))
    report = opsagent.analyze(down, registry=registry())
    assert report.incident.services == ["checkout"]
    assert report.severity.level.value in {"MEDIUM", "HIGH"}  # checkout down, HTTP 503
