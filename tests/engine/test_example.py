"""The original README example must triage at least as well as the README promised."""

from __future__ import annotations

import json
import re

import opsagent
from opsagent.models import CATEGORIES, Level

from ..conftest import EXAMPLE, NOW


def _report() -> opsagent.TriageReport:
    return opsagent.analyze(json.loads(EXAMPLE.read_text()), now=NOW)


def test_example_is_high_severity_with_reasons() -> None:
    report = _report()
    assert report.severity.level == Level.HIGH
    reasons = " ".join(report.severity.reasons)
    assert "18%" in reasons  # the fact that drove the grade is named
    assert "payment failures" in reasons


def test_example_causes_include_the_three_original_hypotheses_ranked() -> None:
    report = _report()
    categories = [c.category for c in report.root_causes]
    assert categories[0] == "deploy_regression"
    assert {"deploy_regression", "cloud_provider", "dependency_failure"} <= set(categories)
    confidences = [c.confidence for c in report.root_causes]
    assert confidences == sorted(confidences, reverse=True)
    for cause in report.root_causes:
        assert cause.category in CATEGORIES
        assert cause.evidence, f"{cause.category} has no evidence"
    deploy = report.root_causes[0]
    assert any("deploy of checkout-service 2h" in e for e in deploy.evidence)
    gateway = next(c for c in report.root_causes if c.category == "dependency_failure")
    assert "payment gateway" in gateway.title
    region = next(c for c in report.root_causes if c.category == "cloud_provider")
    assert "ap-south-1" in region.title


def test_example_actions_match_the_original_readme() -> None:
    titles = [a.title for a in _report().actions]
    joined = "\n".join(titles)
    # HIGH: the owner is paged first, then the fastest reversible mitigation
    assert re.search(r"(?i)page the on-call engineer for checkout-service", titles[0])
    mitigations = [a.title for a in _report().actions if a.kind == "mitigate"]
    assert re.search(r"(?i)roll back the last deployment", mitigations[0])
    assert re.search(r"(?i)enable detailed error logging", joined)
    assert re.search(r"(?i)health of the payment gateway in ap-south-1", joined)
    for action in _report().actions:
        assert action.cause in CATEGORIES


def test_example_summary_names_service_region_and_cause() -> None:
    summary = _report().summary
    for word in ("checkout-service", "ap-south-1", "18%", "deploy"):
        assert word in summary
