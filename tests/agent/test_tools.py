"""The read-only tools the agent may call: what they return."""

from __future__ import annotations

from opsagent.agent.evidence import EvidenceCatalog
from opsagent.agent.toolbox import Toolbox, tool_specs
from opsagent.api import default_knowledge
from opsagent.catalog import ServiceCatalog

from .conftest import PLANTED_SECRETS, Case


def box(case: Case, **kw: object) -> Toolbox:
    catalog = EvidenceCatalog.build(case.report, case.incident)
    return Toolbox(catalog, "n0nce", services=list(case.incident.services), **kw)


def test_evidence_is_numbered_delimited_redacted_and_filterable(checkout: Case) -> None:
    tools = box(checkout)
    everything = tools.incident_evidence()
    assert everything.startswith("<<<DATA n0nce>>>") and everything.endswith(
        "<<<END DATA n0nce>>>")
    assert "E1 (" in everything
    for secret in PLANTED_SECRETS:
        assert secret not in everything
    only = tools.incident_evidence("latency")
    assert "latency" in only and "payment failures" not in only
    assert "no evidence matches" in tools.incident_evidence("zebra")
    assert tools.used == ["incident_evidence"]


def test_runbooks_come_from_the_knowledge_base(checkout: Case) -> None:
    tools = box(checkout, knowledge=default_knowledge())
    text = tools.runbooks("database")
    assert text.startswith("failure mode ")
    assert "[mitigate, risk" in text or "[diagnose, risk" in text
    assert "unknown category" in tools.runbooks("gremlins")
    assert "no runbook" in box(checkout).runbooks("dns")


def test_service_context_from_the_catalog_or_inferred(checkout: Case) -> None:
    catalog = ServiceCatalog.model_validate({"services": {"checkout-service": {
        "tier": "critical", "dependencies": ["payment-gateway", "orders-db"],
        "owners": ["payments@example.com"], "slo": {"error_rate": "0.5%"}}}})
    text = box(checkout, service_catalog=catalog).service_context()
    assert "tier critical" in text and "payment-gateway, orders-db" in text
    assert "error_rate 0.005" in text
    assert "example.com" not in text  # owners are not offered
    inferred = box(checkout).service_context("checkout-service")
    assert "inferred from the service name" in inferred


def test_the_tool_specs() -> None:
    names = [spec.name for spec in tool_specs(Toolbox(EvidenceCatalog([]), "x"))]
    assert names == ["incident_evidence", "runbooks", "service_context"]
