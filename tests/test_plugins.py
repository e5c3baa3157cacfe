"""The composition root and the one Triager."""

from __future__ import annotations

import json

import pytest

import opsagent
from opsagent.errors import ConfigError
from opsagent.plugins import build_registry, default_registry
from opsagent.registry import Registry
from opsagent.triager import Triager

from .conftest import EXAMPLE, NOW


def test_the_default_registry_holds_every_builtin_once() -> None:
    registry = default_registry()
    assert registry is default_registry()
    assert {"alertmanager", "pagerduty", "github", "generic"} <= set(registry.adapter_names())
    assert registry.adapter_names()[-1] == "generic"  # the fallback is tried last
    assert registry.renderer_names() == ["text", "json", "markdown"]
    assert {"sqlite", "postgresql"} <= set(registry.names("store"))
    assert registry.names("notifier") == ["slack", "teams", "email", "webhook"]


def test_a_name_is_taken_once_per_kind() -> None:
    registry = build_registry(plugins=False)
    with pytest.raises(ConfigError, match="renderer 'json' is registered twice"):
        registry.add_renderer("json", lambda report: "")
    with pytest.raises(ConfigError, match="registered twice"):
        registry.add_adapter(registry.adapter("generic"))
    registry.add("notifier", "json", object())  # the same name in another kind is fine
    with pytest.raises(ConfigError, match="unknown LLM provider 'nope'"):
        Registry().provider("nope")
    with pytest.raises(ConfigError, match="unknown registry kind"):
        registry.add("sink", "x", object())


def test_one_triager_serves_many_incidents_like_analyze() -> None:
    payload = json.loads(EXAMPLE.read_text())
    triager = Triager(build_registry(plugins=False))
    first = triager.triage([payload], now=opsagent.api._coerce_now(NOW))
    again = triager.triage([payload], now=opsagent.api._coerce_now(NOW))
    library = opsagent.analyze(payload, now=NOW)
    for report in (first, again):
        assert report.severity.level == library.severity.level
        assert [c.category for c in report.root_causes] == [
            c.category for c in library.root_causes]
    assert triager.engine is triager.with_llm(None).engine  # compiled once
