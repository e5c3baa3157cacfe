"""``opsagent schema report``: the published contract lets later versions add fields."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import EXAMPLE, NOW
from .conftest import Run

jsonschema = pytest.importorskip("jsonschema")

# The schema as version 1 of the contract was published (`opsagent schema report`); a
# reader built against it must accept the reports of every later version 1 release.
PUBLISHED_V1 = json.loads((Path(__file__).parent / "data" / "report-schema-v1.json")
                          .read_text(encoding="utf-8"))


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


def _report(opsagent: Run) -> dict[str, Any]:
    result = opsagent("analyze", str(EXAMPLE), "--now", NOW, "-f", "json")
    assert result.code == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_no_object_forbids_added_properties(opsagent: Run) -> None:
    schema = json.loads(opsagent("schema", "report").stdout)
    objects = _objects(schema)
    assert len(objects) >= 8  # the report and its parts
    assert all(o.get("additionalProperties", True) is not False for o in objects)


def test_schema_version_is_required_and_constant(opsagent: Run) -> None:
    schema = json.loads(opsagent("schema", "report").stdout)
    assert "schema_version" in schema["required"]
    assert schema["properties"]["schema_version"]["const"] == 1
    report = _report(opsagent)
    jsonschema.validate(report, schema)
    for wrong in ({k: v for k, v in report.items() if k != "schema_version"},
                  {**report, "schema_version": 2}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, schema)


def test_a_report_with_added_fields_validates_against_the_published_schema(
        opsagent: Run) -> None:
    report = _report(opsagent)
    later = copy.deepcopy(report)
    later["similar_incidents"] = [{"incident": "inc-1", "similarity": 0.8}]
    later["incident"]["team"] = "payments"
    later["severity"]["trend"] = "rising"
    later["root_causes"][0]["runbook_url"] = "https://runbooks.example/deploy"
    later["actions"][0]["approval"] = "required"
    later["analysis"]["knowledge_ms"] = 12.5
    jsonschema.validate(later, PUBLISHED_V1)
    jsonschema.validate(later, json.loads(opsagent("schema", "report").stdout))
    # and the published schema still checks what it names
    broken = copy.deepcopy(report)
    broken["severity"]["level"] = "CATASTROPHIC"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, PUBLISHED_V1)


def test_every_field_of_the_published_schema_is_still_there(opsagent: Run) -> None:
    current = json.loads(opsagent("schema", "report").stdout)
    for name, definition in PUBLISHED_V1.get("$defs", {}).items():
        assert name in current["$defs"], name
        assert set(definition.get("properties", {})) <= set(
            current["$defs"][name].get("properties", {})), name
    assert set(PUBLISHED_V1["properties"]) <= set(current["properties"])
