"""Change correlation: recency and scope of deploys decide how much they count."""

from __future__ import annotations

from pathlib import Path

import opsagent
from opsagent.engine.correlate import recency

from ..conftest import NOW


def _deploy_confidence(report: opsagent.TriageReport) -> float:
    for cause in report.root_causes:
        if cause.category == "deploy_regression":
            return cause.confidence
    return 0.0


def _event(**extra: object) -> dict[str, object]:
    event: dict[str, object] = {"service": "cart", "error_rate": "8%",
                                "started_at": "2026-01-15T11:50:00Z"}
    event.update(extra)
    return event


def test_recent_deploy_is_strong_evidence() -> None:
    report = opsagent.analyze(_event(last_deploy="2026-01-15T09:50:00Z"), now=NOW)
    assert report.root_causes[0].category == "deploy_regression"
    assert _deploy_confidence(report) >= 0.5
    assert "2h before the onset" in report.root_causes[0].evidence[0]
    assert first_mitigation(report).startswith("Roll back")


def first_mitigation(report: opsagent.TriageReport) -> str:
    return next(a.title for a in report.actions if a.kind == "mitigate")


def test_deploy_weeks_ago_is_weak_but_not_zero() -> None:
    assert 0 < recency(__import__("datetime").timedelta(days=27)) < 0.1
    old = opsagent.analyze(_event(last_deploy="2025-12-19T11:50:00Z"), now=NOW)
    recent = opsagent.analyze(_event(last_deploy="2026-01-15T09:50:00Z"), now=NOW)
    assert _deploy_confidence(old) < 0.3 < _deploy_confidence(recent)
    assert not any(a.title.startswith("Roll back") for a in old.actions)


def test_deploy_of_another_service_is_a_red_herring() -> None:
    report = opsagent.analyze(
        _event(changes=[{"type": "deploy", "service": "search", "at": "2026-01-15T11:40:00Z"}],
               logs=["FATAL: sorry, too many clients already"]),
        now=NOW,
    )
    assert _deploy_confidence(report) == 0.0
    assert report.root_causes[0].category == "database"
    assert not any("Roll back" in a.title for a in report.actions)


def test_change_after_the_onset_cannot_be_the_cause() -> None:
    report = opsagent.analyze(_event(last_deploy="2026-01-15T11:58:00Z"), now=NOW)
    assert _deploy_confidence(report) == 0.0


def test_config_push_minutes_before_onset_leads() -> None:
    report = opsagent.analyze(
        _event(changes=[{"type": "flag", "at": "2026-01-15T11:45:00Z",
                         "description": "enable new pricing engine"}]),
        now=NOW,
    )
    assert report.root_causes[0].category == "config_change"
    assert first_mitigation(report).startswith("Revert")


def test_same_service_under_different_names_links_the_deploy() -> None:
    report = opsagent.analyze(
        {"service": "Checkout API", "error_rate": "12%", "started_at": "2026-01-15T11:50:00Z"},
        {"changes": [{"type": "deploy", "service": "acme/checkout",
                      "at": "2026-01-15T11:20:00Z", "version": "v2.4.0"}]},
        now=NOW,
    )
    assert report.root_causes[0].category == "deploy_regression"
    assert "v2.4.0" in report.root_causes[0].evidence[0]


def test_a_rollback_that_changed_nothing_argues_against_the_deploy() -> None:
    base = _event(last_deploy="2026-01-15T11:40:00Z",
                  alerts=[{"name": "CartErrorsHigh", "status": "firing",
                           "started_at": "2026-01-15T11:59:00Z",
                           "summary": "cart 5xx at 8%"}])
    before = opsagent.analyze(base, now=NOW)
    rolled = opsagent.analyze(
        {**base, "changes": [{"type": "rollback", "at": "2026-01-15T11:56:00Z",
                              "description": "back to v1.8.3"}]},
        now=NOW,
    )
    assert _deploy_confidence(rolled) < _deploy_confidence(before)
    deploy = next(c for c in rolled.root_causes if c.category == "deploy_regression")
    assert any("rolled back" in e for e in deploy.counter_evidence)
    assert not any(a.title.startswith("Roll back") for a in rolled.actions)


def test_on_high_the_owner_is_paged_first_by_the_catalogs_names(tmp_path: Path) -> None:
    catalog = tmp_path / "services.yaml"
    catalog.write_text("services:\n  cart:\n    tier: critical\n    owners: [basket-team]\n"
                       "    oncall: basket-primary\n", encoding="utf-8")
    report = opsagent.analyze(_event(last_deploy="2026-01-15T09:50:00Z"), now=NOW,
                              catalog=catalog)
    assert report.severity.level.value == "HIGH"
    first = report.actions[0]
    assert first.kind == "escalate"
    assert "basket-primary" in first.title and "basket-team" in first.title
    quiet = opsagent.analyze({"service": "cart", "error_rate": "0.5%"}, now=NOW)
    assert quiet.severity.level.value != "HIGH"
    assert not quiet.actions or quiet.actions[0].kind != "escalate" or \
        "Page" not in quiet.actions[0].title


def test_database_commands_are_for_the_datastore_in_use() -> None:
    postgres = opsagent.analyze({"service": "orders", "error_rate": "7%", "logs": [
        "FATAL: remaining connection slots are reserved for non-replication superuser"]},
        now=NOW)
    mysql = opsagent.analyze({"service": "orders", "error_rate": "7%", "logs": [
        "ERROR 1040 (HY000): Too many connections from the mysql client pool"]}, now=NOW)
    titles = {name: " ".join(a.title for a in r.actions)
              for name, r in (("pg", postgres), ("my", mysql))}
    assert "pg_stat_activity" in titles["pg"] and "PROCESSLIST" not in titles["pg"]
    assert "PROCESSLIST" in titles["my"] and "pg_stat_activity" not in titles["my"]


def test_actions_name_the_concrete_limit_and_versions() -> None:
    report = opsagent.analyze({"service": "orders", "error_rate": "7%",
                               "metrics": {"db_connections": "192/200"},
                               "logs": ["FATAL: remaining connection slots are reserved"]},
                              now=NOW)
    assert any("192 of 200 in use" in a.title for a in report.actions)
    deploy = opsagent.analyze({"service": "cart", "error_rate": "12%", "version": "v2.3.1",
                               "previous_version": "v2.3.0", "last_deploy": "20 minutes ago"},
                              now=NOW)
    assert first_mitigation(deploy) == "Roll back the last deployment of cart (v2.3.1) to v2.3.0"
