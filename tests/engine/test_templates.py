"""Runbook and cause templates as a failure-mode author writes them (docs/formats.md)."""

from __future__ import annotations

from opsagent.engine.actions import render_template

TEMPLATE = "Check the health of {dependency}[ in {region}] (calls from {service})"


def test_optional_segment_kept_only_when_its_names_are_known() -> None:
    both = {"dependency": "payflow", "region": "eu-west-1", "service": "checkout"}
    assert render_template(TEMPLATE, both) == \
        "Check the health of payflow in eu-west-1 (calls from checkout)"
    no_region = {"dependency": "payflow", "service": "checkout"}
    assert render_template(TEMPLATE, no_region) == \
        "Check the health of payflow (calls from checkout)"
    # the same template again, now with the region: the earlier call does not stick
    assert render_template(TEMPLATE, both).endswith("in eu-west-1 (calls from checkout)")


def test_unknown_names_read_as_a_generic_phrase() -> None:
    assert render_template(TEMPLATE, {"region": "eu-west-1"}) == (
        "Check the health of the downstream dependency in eu-west-1 "
        "(calls from the affected service)")
    assert render_template("Page the owner of {team}", {}) == "Page the owner of team"


def test_braces_that_are_not_placeholders_are_kept() -> None:
    assert render_template("Grep for {service} in logs matching {\"level\": \"error\"}",
                           {"service": "api"}) == \
        "Grep for api in logs matching {\"level\": \"error\"}"
    assert render_template("Run the {} check", {}) == "Run the {} check"
    assert render_template("Close the incident}", {}) == "Close the incident}"
