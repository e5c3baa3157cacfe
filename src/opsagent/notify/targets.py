"""The ``notify:`` section of the config file: one :class:`Target` per destination.

::

    notify:
      - name: oncall-slack
        type: slack
        url: ${SLACK_WEBHOOK_URL}          # an incoming webhook, or:
        # token: ${SLACK_BOT_TOKEN}        # a bot token, with
        # channel: C0123456789
        report_url: https://ops.example.com/incidents/{incident}
        when: {min_severity: MEDIUM, services: [checkout-service], environments: [prod]}
        dry_run: false                     # true unless set false

Secrets are written as ``${ENV_VAR}`` and resolved by :meth:`Target.resolve` from an
environment mapping passed in, when a notification is about to be built; never at
import or load time, and the settings object never holds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import ConfigError
from ..models.report import Level, TriageReport

TargetType = Literal["slack", "teams", "email", "webhook"]
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class When(BaseModel):
    """Routing: a report goes to the target only if it is at least ``min_severity`` and
    touches one of ``services`` and one of ``environments`` (an empty list matches all)."""

    model_config = ConfigDict(extra="forbid")

    min_severity: Level = Level.LOW
    services: list[str] = Field(default_factory=list)
    environments: list[str] = Field(default_factory=list)

    def why_not(self, report: TriageReport) -> str | None:
        """None when the report is routed here; else the reason it is not."""
        level = report.severity.level
        if level.rank < self.min_severity.rank:
            return f"severity {level.value} is below {self.min_severity.value}"
        if self.services and not set(self.services) & set(report.incident.services):
            return "no service of the incident is in when.services"
        if self.environments and not set(self.environments) & set(report.incident.environments):
            return "no environment of the incident is in when.environments"
        return None


class Smtp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    ca_file: str | None = None  # a private CA (the default: the system's trusted CAs)
    timeout_s: float = 10.0


class Target(BaseModel):
    """One notification destination."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    type: TargetType
    url: str | None = None  # slack incoming webhook, teams workflow, webhook receiver
    token: str | None = None  # slack bot token
    channel: str | None = None  # slack channel (with a bot token)
    api_url: str | None = None  # slack Web API base URL (tests, proxies)
    secret: str | None = None  # webhook HMAC key
    smtp: Smtp | None = None
    sender: str | None = Field(default=None, alias="from")
    to: list[str] = Field(default_factory=list)
    report_url: str | None = None  # "https://ops.example.com/incidents/{incident}"
    when: When = Field(default_factory=When)
    dry_run: bool = True
    timeout_s: float = Field(default=10.0, gt=0)
    max_total_s: float = Field(default=60.0, gt=0)  # retries stop after this long

    @model_validator(mode="after")
    def _complete(self) -> Target:
        need: dict[str, list[str]] = {
            "teams": ["url"], "webhook": ["url", "secret"], "email": ["smtp", "sender", "to"]}
        missing = [f for f in need.get(self.type, []) if not getattr(self, f)]
        if self.type == "slack":
            if not self.url and not self.token:
                missing.append("url or token")
            if self.token and not self.channel:
                missing.append("channel")
        if missing:
            raise ValueError(f"a {self.type} target needs {', '.join(missing)}")
        return self

    @property
    def updates_in_place(self) -> bool:
        """A Slack bot updates its message on re-triage; others post a new message."""
        return self.type == "slack" and self.token is not None

    def resolve(self, env: Mapping[str, str], *, source: str | None = None) -> Target:
        """The target with every ``${VAR}`` replaced from ``env``; a missing variable is
        a :class:`ConfigError` naming the target and field."""
        def sub(value: str, field: str) -> str:
            def one(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in env:
                    raise ConfigError(f"environment variable {name} is not set",
                                      source=source, field=f"notify.{self.name}.{field}")
                return env[name]
            return _VAR.sub(one, value)

        update: dict[str, object] = {}
        for field in ("url", "token", "channel", "api_url", "secret", "sender", "report_url"):
            value = getattr(self, field)
            if isinstance(value, str):
                update[field] = sub(value, field)
        if self.to:
            update["to"] = [sub(v, "to") for v in self.to]
        if self.smtp is not None:
            smtp = {f: sub(v, f"smtp.{f}") if isinstance(v, str) else v
                    for f, v in self.smtp.model_dump().items()}
            update["smtp"] = Smtp.model_validate(smtp)
        return self.model_copy(update=update)

    def secrets(self) -> tuple[str, ...]:
        """The values never to show (of a resolved target)."""
        values = [self.token, self.secret, self.smtp.password if self.smtp else None]
        return tuple(v for v in values if v)


def find_target(targets: list[Target], name: str, *, source: str | None = None,
                field: str = "--notify") -> Target:
    for target in targets:
        if target.name == name:
            return target
    known = ", ".join(t.name for t in targets) or "none configured"
    raise ConfigError(f"unknown notify target {name!r}; known: {known}", source=source,
                      field=field)


def check_unique(targets: list[Target]) -> list[Target]:
    seen: set[str] = set()
    for target in targets:
        if target.name in seen:
            raise ValueError(f"notify target {target.name!r} is defined twice")
        seen.add(target.name)
    return targets
