"""Free text is evidence: the common words of failures lead to the right cause without
an LLM, from symptoms, log lines, unknown metric names and unknown fields alike."""

from __future__ import annotations

import pytest

import opsagent

from ..conftest import NOW

LINES = [
    ("upstream request timeout after 30s", "dependency_failure"),
    ("OOMKilled", "resource_exhaustion"),
    ("Container api was OOMKilled (exit code 137)", "resource_exhaustion"),
    ("write /data/wal: no space left on device", "resource_exhaustion"),
    ("accept4: too many open files", "resource_exhaustion"),
    ("lookup api.stripe.com on 10.0.0.10:53: server misbehaving SERVFAIL", "dns"),
    ("x509: certificate has expired or is not yet valid", "certificate"),
    ("FATAL: sorry, too many connections for role app", "database"),
    ("Lock wait timeout exceeded; try restarting transaction", "database"),
    ("ThrottlingException: Rate exceeded", "rate_limit"),
    ("HTTP 429 Too Many Requests", "rate_limit"),
    ("redis cache stampede after key expiry", "cache"),
    ("packet loss 12% between us-east-1a and us-east-1b", "network"),
    ("NTP unsynchronised, clock skew 40s", "clock"),
    ("poison message on topic orders: failed to deserialize", "data"),
    ("credential stuffing from residential proxies", "security"),
]


@pytest.mark.parametrize(("line", "category"), LINES, ids=[c for _, c in LINES])
def test_log_line_points_at_its_cause(line: str, category: str) -> None:
    report = opsagent.analyze({"service": "api", "error_rate": "4%", "logs": [line]}, now=NOW)
    assert report.root_causes, line
    assert report.root_causes[0].category == category, [
        (c.category, c.confidence) for c in report.root_causes]
    assert any(line[:40] in e for e in report.root_causes[0].evidence)


def test_symptoms_alone_are_enough_to_triage() -> None:
    report = opsagent.analyze({"symptoms": ["customers cannot check out",
                                            "card payments declined by the provider"]}, now=NOW)
    assert report.severity.level.value == "HIGH"
    assert report.root_causes[0].category == "dependency_failure"


def test_unknown_fields_are_kept_and_read() -> None:
    event = {"service": "catalog", "latency": "3s",
             "oncall_notes": "redis evictions spiking since the maxmemory change"}
    report = opsagent.analyze(event, now=NOW)
    assert report.root_causes[0].category == "cache"
    assert any("oncall_notes" in e for e in report.root_causes[0].evidence)


def test_unknown_metric_names_are_read_when_abnormal() -> None:
    normal = opsagent.analyze({"service": "api", "error_rate": "3%",
                               "metrics": {"dns_lookup_failures": {"value": 2, "baseline": 2}}},
                              now=NOW)
    assert all(c.category != "dns" for c in normal.root_causes)
    abnormal = opsagent.analyze({"service": "api", "error_rate": "3%",
                                 "metrics": {"dns_lookup_failures": {"value": 900,
                                                                     "baseline": 2}}}, now=NOW)
    assert abnormal.root_causes[0].category == "dns"
