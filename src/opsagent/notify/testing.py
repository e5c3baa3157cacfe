"""The notifier test double (register it, or hand it to :func:`~.delivery.notify`):
``RecordingNotifier`` renders a small JSON request and records every request it is
asked to send; ``outcomes`` scripts the results (the last one repeats)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..models.report import TriageReport
from .events import Event
from .request import Request, Result
from .targets import Target


class RecordingNotifier:
    def __init__(self, target: Target | None = None, outcomes: Iterable[Result] = ()) -> None:
        self.target = target
        self.outcomes = list(outcomes) or [Result(True, 200, "recorded")]
        self.sent: list[Request] = []

    def render(self, report: TriageReport, event: Event) -> Request:
        body = {"event": event.kind, "incident": report.incident.id,
                "revision": event.revision, "severity": report.severity.level.value,
                "summary": report.summary}
        url = (self.target.url if self.target else None) or "memory://recording"
        return Request("POST", url, {"Content-Type": "application/json"}, json.dumps(body))

    def send(self, request: Request) -> Result:
        self.sent.append(request)
        index = min(len(self.sent) - 1, len(self.outcomes) - 1)
        return self.outcomes[index]
