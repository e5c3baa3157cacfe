"""The reports and events the notification tests and golden messages use: the bundled
example (``examples/checkout-service.json``) as a new incident, the same incident with a
similar past one remembered, and the incident resolved. Everything is pinned (now, the
event time, the engine's timing and knowledge paths), so a rendered message only changes
when the rendering or the judgement does."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from opsagent import analyze
from opsagent.models import TriageReport
from opsagent.models.memory import Feedback, PastIncident
from opsagent.models.report import Level
from opsagent.notify import Event, Target

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "checkout-service.json"
GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = "2026-01-15T12:00:00Z"
AT = datetime(2026, 1, 15, 12, 0, 30, tzinfo=timezone.utc)
REGENERATE = "python scripts/regen_notify_golden.py"

PAST = PastIncident(
    id="inc-2025-11-02-checkout", started_at=datetime(2025, 11, 2, 21, 5, tzinfo=timezone.utc),
    services=["checkout-service"], summary="checkout errors after a deploy",
    features=["recent_deploy", "error_rate_high"], categories=["deploy_regression"],
    failure_modes=["deploy_regression"],
    feedback=[Feedback(cause="deploy_regression", verdict="correct")],
    resolution="rolled back to v1.4.2")


def example_report(*, past: bool = False) -> TriageReport:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    report = analyze(payload, now=NOW, past=[PAST] if past else None)
    return pinned(report)


def pinned(report: TriageReport) -> TriageReport:
    analysis = report.analysis.model_copy(update={"duration_ms": 0.0, "knowledge": []})
    return report.model_copy(update={"analysis": analysis})


def target(kind: str, **fields: object) -> Target:
    base: dict[str, object] = {
        "slack": {"url": "https://hooks.slack.com/services/T0001/B0001/hooksecret"},
        "teams": {"url": "https://prod.westus.logic.azure.com/workflows/abc/triggers/manual"
                         "/paths/invoke?api-version=2016-06-01&sig=teamssecret"},
        "email": {"smtp": {"host": "127.0.0.1", "port": 2525, "username": "ops",
                           "password": "smtppassword"},
                  "from": "opsagent@example.com", "to": ["oncall@example.com"]},
        "webhook": {"url": "https://receiver.example.com/opsagent", "secret": "whsecret"},
    }[kind]  # type: ignore[assignment]
    data = {"name": f"{kind}-target", "type": kind,
            "report_url": "https://ops.example.com/incidents/{incident}", **base, **fields}
    return Target.model_validate(data)


# the golden cases: name -> (report maker, event)
CASES = {
    "checkout-new": (lambda: example_report(), Event("new", AT, revision=1)),
    "checkout-similar": (lambda: example_report(past=True), Event("new", AT, revision=1)),
    "checkout-resolved": (lambda: example_report(),
                          Event("resolved", AT, revision=3, resolved=True,
                                previous=Level.HIGH)),
}


def golden_files(case: str) -> dict[str, str]:
    """Every golden file of one case: file name -> content."""
    from opsagent.notify.base import digest
    from opsagent.notify.mail import html_part, subject, text_part
    from opsagent.notify.slack import SlackNotifier
    from opsagent.notify.teams import TeamsNotifier
    from opsagent.notify.webhook import WebhookNotifier

    make, event = CASES[case]
    report = make()
    mail = digest(report, event, target("email"))
    return {
        f"{case}.slack.json": SlackNotifier(target("slack")).render(report, event).body + "\n",
        f"{case}.teams.json": TeamsNotifier(target("teams")).render(report, event).body + "\n",
        f"{case}.email.txt": f"Subject: {subject(mail)}\n\n{text_part(mail)}",
        f"{case}.email.html": html_part(mail),
        f"{case}.webhook.txt": WebhookNotifier(target("webhook")).render(report, event)
        .describe(),
    }
