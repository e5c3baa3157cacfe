"""The notifier plug-in kind and what every channel shows.

A notifier type is registered under the registry kind ``"notifier"`` as a factory
``factory(target) -> Notifier`` taking a resolved :class:`~.targets.Target`. A
:class:`Notifier` turns a report and an :class:`~.events.Event` into the exact
:class:`~.request.Request` it would send (``render``: pure, so a dry run shows it) and
sends it (``send``: never raises for a delivery problem, it returns a failed
:class:`~.request.Result`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..models.report import TriageReport
from .events import Event
from .request import Request, Result
from .targets import Target

KIND = "notifier"
TOP_CAUSES = 3
FIRST_ACTIONS = 3
SIMILAR = 3


class Notifier(Protocol):
    def render(self, report: TriageReport, event: Event) -> Request: ...

    def send(self, request: Request) -> Result: ...


NotifierFactory = Callable[[Target], Notifier]

_ICON = {"HIGH": "🔴", "MEDIUM": "🟠", "LOW": "🟡"}
_HEADLINE = {"new": "", "raised": "Severity raised: ", "resolved": "Resolved: ",
             "updated": "", "test": "Test: "}


@dataclass(frozen=True)
class Digest:
    """The parts of a report an on-call engineer reads first, as plain (unescaped) text;
    each channel escapes and formats them."""

    title: str  # "HIGH · checkout-service"
    icon: str
    level: str
    service: str
    summary: str
    causes: list[str]  # "Deployment introduced a regression — 72%"
    actions: list[str]
    similar: list[str]
    facts: list[tuple[str, str]]  # ("Incident", "inc-..."), ("Started", ...)
    link: str | None
    event: Event

    @property
    def headline(self) -> str:
        return _HEADLINE[self.event.kind] + self.title


def digest(report: TriageReport, event: Event, target: Target) -> Digest:
    level = report.severity.level.value
    services = report.incident.services
    service = ", ".join(services[:3]) or "unknown service"
    icon = "✅" if event.kind == "resolved" else _ICON[level]
    causes = [f"{c.title} — {round(c.confidence * 100)}%"
              for c in report.root_causes[:TOP_CAUSES]]
    actions = [a.title for a in report.actions[:FIRST_ACTIONS]]
    similar = [f"{s.incident}"
               + (f" ({s.started_at[:10]})" if s.started_at else "")
               + f": {s.summary}" + (f" — fixed by: {s.resolution}" if s.resolution else "")
               for s in (report.similar_incidents or [])[:SIMILAR]]
    facts = [("Incident", report.incident.id)]
    if event.previous is not None and event.kind == "raised":
        facts.append(("Was", event.previous.value))
    if report.incident.started_at:
        facts.append(("Started", report.incident.started_at))
    if report.incident.regions:
        facts.append(("Regions", ", ".join(report.incident.regions)))
    if report.incident.environments:
        facts.append(("Environments", ", ".join(report.incident.environments)))
    if event.revision:
        facts.append(("Revision", str(event.revision)))
    link = report_link(target.report_url, report)
    return Digest(f"{level} · {service}", icon, level, service, report.summary, causes,
                  actions, similar, facts, link, event)


def report_link(template: str | None, report: TriageReport) -> str | None:
    """The target's ``report_url`` with ``{incident}`` filled in (URL-quoted)."""
    if not template:
        return None
    from urllib.parse import quote

    return template.replace("{incident}", quote(report.incident.id, safe=""))
