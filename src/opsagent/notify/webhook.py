"""A generic webhook: the report JSON (the ``--format json`` contract), signed.

Headers: ``X-Opsagent-Event`` (``new``, ``raised``, ``resolved``, ``updated``,
``test``), ``X-Opsagent-Timestamp`` (Unix seconds, an integer) and
``X-Opsagent-Signature: sha256=<hex>``, the lowercase hex HMAC-SHA256, keyed with the
target's ``secret`` (UTF-8), of the bytes ``<timestamp>.<body>``: the timestamp header's
value, one ASCII dot, then the raw request body exactly as received. A receiver
recomputes it, compares in constant time and refuses old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac

from ..models.report import TriageReport
from .events import Event
from .http import post_json
from .request import Request, Result
from .targets import Target


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Opsagent-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                      hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookNotifier:
    def __init__(self, target: Target) -> None:
        self.target = target

    def render(self, report: TriageReport, event: Event) -> Request:
        assert self.target.url is not None and self.target.secret is not None
        body = report.model_dump_json(indent=2)
        timestamp = str(int(event.at.timestamp()))
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": "opsagent-notify",
                   "X-Opsagent-Event": event.kind,
                   "X-Opsagent-Timestamp": timestamp,
                   "X-Opsagent-Signature": signature(self.target.secret, timestamp,
                                                     body.encode("utf-8"))}
        return Request("POST", self.target.url, headers, body, self.target.secrets())

    def send(self, request: Request) -> Result:
        return post_json(request, timeout=self.target.timeout_s)
