"""What a notifier sends: a :class:`Request` (exactly what goes over the wire, printable
with its secrets masked for a dry run) and the :class:`Result` of sending it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "****"
# query parameters that carry credentials (Teams Workflows URLs carry ``sig``)
_SECRET_PARAMS = {"token", "sig", "signature", "key", "api_key", "apikey", "code",
                  "access_token", "secret", "password"}
_SECRET_HEADERS = {"authorization", "x-opsagent-signature", "cookie"}
_SLACK_HOOK = re.compile(r"^(/services/[^/]+/[^/]+/)[^/]+$")
_SLACK_TOKEN = re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+")


def mask_url(url: str) -> str:
    """The URL with its credentials masked: user info, a Slack incoming webhook's path
    token and credential-like query parameters."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    path = parts.path
    hook = _SLACK_HOOK.match(path)
    if hook:
        path = hook.group(1) + MASK
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if k.lower() in _SECRET_PARAMS else v) for k, v in pairs],
                          safe="*")
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def mask_text(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every known secret (and anything that looks like a Slack token)
    replaced by ``****``."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return _SLACK_TOKEN.sub(MASK, text)


@dataclass(frozen=True)
class Request:
    """One call a notifier makes. ``method`` is an HTTP method, or ``SMTP`` for email
    (``url`` is then ``smtp://host:port`` and ``headers`` the message headers).
    ``secrets`` are the values to mask wherever the request is shown. ``follow_up`` is a
    second call made after this one (a Slack reply in the message's thread)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    secrets: tuple[str, ...] = ()
    follow_up: Request | None = None

    def masked(self) -> Request:
        """The same request with its secrets masked: safe to print, log or store."""
        headers = {k: MASK if k.lower() in _SECRET_HEADERS else mask_text(v, self.secrets)
                   for k, v in self.headers.items()}
        return replace(self, url=mask_text(mask_url(self.url), self.secrets), headers=headers,
                       body=mask_text(self.body, self.secrets), secrets=(),
                       follow_up=self.follow_up.masked() if self.follow_up else None)

    def describe(self) -> str:
        """The request as a dry run prints it: method and URL, headers, a blank line and
        the body (then the follow-up, the same way); secrets masked."""
        shown = self.masked()
        lines = [f"{shown.method} {shown.url}"]
        lines += [f"{k}: {v}" for k, v in shown.headers.items()]
        text = "\n".join(lines) + "\n\n" + shown.body.rstrip("\n") + "\n"
        if shown.follow_up is not None:
            text += "\n" + shown.follow_up.describe()
        return text


@dataclass(frozen=True)
class Result:
    """The outcome of one send. ``retryable`` failures may be tried again (after
    ``retry_after`` seconds when the receiver said so); ``ref`` is what identifies the
    message sent (a Slack ``channel`` and ``ts``) for later updates."""

    ok: bool
    status: int | None = None
    detail: str = ""
    retryable: bool = False
    retry_after: float | None = None
    ref: dict[str, str] = field(default_factory=dict)
