"""``serve.auth`` in the config file: the token, and per source its signing secrets.

Every secret is written as a literal, as ``${NAME}`` (the whole value: read from the
environment variable ``NAME``) or named by a ``*_env`` key. The environment is the one
passed in when a request is checked; nothing is read at import or at load time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from ..errors import ConfigError
from ._auth_base import AuthUnavailable

TOKEN_ENV = "OPSAGENT_SERVE_TOKEN"
DEFAULT_MAX_SKEW_S = 300.0
GRAFANA_SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"
# https://sns.<region>.amazonaws.com (and .amazonaws.com.cn in the China regions), https only
AWS_SNS_ORIGIN = r"https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?"

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class SecretNotSet(Exception):
    """An environment variable named for a secret is not set (``name`` says which)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


def resolve_secrets(literals: Any, env_names: Any, env: Mapping[str, str]) -> list[str]:
    """The secrets written as literals or ``${NAME}`` and those named by ``*_env``, in
    order; raises :class:`SecretNotSet` for a variable that is not set or empty."""
    out: list[str] = []
    names: list[str] = []
    for item in _as_list(literals):
        text = item.get_secret_value() if isinstance(item, SecretStr) else str(item)
        ref = _ENV_REF.fullmatch(text.strip())
        if ref:
            names.append(ref.group(1))
        elif text:
            out.append(text)
    names.extend(str(n) for n in _as_list(env_names))
    for name in names:
        value = env.get(name, "")
        if not value:
            raise SecretNotSet(name)
        out.append(value)
    return out


class SignedSource(_Model):
    """A vendor that signs its requests with a shared secret (HMAC-SHA256). Several
    secrets are accepted at once, for rotation."""

    secret: SecretStr | list[SecretStr] | None = None
    secret_env: str | list[str] | None = None
    max_skew_s: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _needs_a_secret(self) -> SignedSource:
        if not _as_list(self.secret) and not _as_list(self.secret_env):
            raise ValueError("give the signing secret as 'secret' or 'secret_env'")
        return self

    def secrets(self, env: Mapping[str, str], source: str) -> list[str]:
        try:
            found = resolve_secrets(self.secret, self.secret_env, env)
        except SecretNotSet as exc:
            raise AuthUnavailable(f"the signing secret of {source} is not available: "
                                  f"environment variable {exc.name} is not set") from None
        if not found:
            raise AuthUnavailable(f"the signing secret of {source} is empty")
        return found


class GrafanaSource(SignedSource):
    """Grafana's contact-point HMAC: the signature header (configurable in Grafana) and,
    when Grafana is given a timestamp header, that header's name."""

    header: str = GRAFANA_SIGNATURE_HEADER
    timestamp_header: str | None = None


class SnsSource(_Model):
    """Amazon SNS: the topics accepted and where signing certificates may come from."""

    topic_arns: list[str] = Field(min_length=1)
    # a regular expression the whole origin (scheme://host[:port]) must match
    allowed_cert_origin: re.Pattern[str] = re.compile(AWS_SNS_ORIGIN)
    max_skew_s: float | None = Field(default=None, gt=0)


class Sources(_Model):
    github: SignedSource | None = None
    pagerduty: SignedSource | None = None
    sentry: SignedSource | None = None
    grafana: GrafanaSource | None = None
    sns: SnsSource | None = None


class AuthSettings(_Model):
    """``serve.auth``: see ``docs/serve-auth.md`` for the whole shape."""

    token: SecretStr | list[SecretStr] | None = None
    token_env: str | None = None
    max_skew_s: float = Field(default=DEFAULT_MAX_SKEW_S, gt=0)
    sources: Sources = Field(default_factory=Sources)

    def tokens(self, env: Mapping[str, str]) -> list[str]:
        """The accepted tokens: ``OPSAGENT_SERVE_TOKEN`` when it is set, else the configured
        ``token`` (one or a list, for rotation) and ``token_env``."""
        if env.get(TOKEN_ENV):
            return [env[TOKEN_ENV]]
        try:
            return resolve_secrets(self.token, self.token_env, env)
        except SecretNotSet as exc:
            raise AuthUnavailable(f"the token is not available: environment variable "
                                  f"{exc.name} is not set") from None

    def skew(self, source: SignedSource | SnsSource) -> float:
        return source.max_skew_s if source.max_skew_s is not None else self.max_skew_s


def load_auth_settings(data: Any, *, source: str | None = None) -> AuthSettings:
    """``serve.auth`` from the config file's mapping (``None``: the defaults); a bad value
    is a :class:`ConfigError` naming the file and the field."""
    try:
        return AuthSettings.model_validate({} if data is None else data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(["serve", "auth", *(str(p) for p in first["loc"])])
        raise ConfigError(first["msg"], source=source, field=field) from None


def check_auth_settings(settings: AuthSettings, env: Mapping[str, str], *,
                        source: str | None = None) -> bool:
    """At start-up: every secret named is in ``env`` (else a :class:`ConfigError` naming
    the field). Returns whether a token is configured (the server refuses to start
    without one unless told ``--insecure-no-auth``)."""
    checks: list[tuple[str, Any, Any]] = [("token", settings.token, settings.token_env)]
    for name in ("github", "pagerduty", "sentry", "grafana"):
        entry = getattr(settings.sources, name)
        if isinstance(entry, SignedSource):
            checks.append((f"sources.{name}", entry.secret, entry.secret_env))
    for field, literals, names in checks:
        if field == "token" and env.get(TOKEN_ENV):
            continue
        try:
            resolve_secrets(literals, names, env)
        except SecretNotSet as exc:
            raise ConfigError(f"environment variable {exc.name} is not set", source=source,
                              field=f"serve.auth.{field}") from None
    return bool(settings.tokens(env))
