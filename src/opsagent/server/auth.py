"""Authentication of requests: bearer or basic with the service token.

Minimal: only the service token (``Authorization: Bearer TOKEN``, or basic auth with the
token as the password) is implemented here; the vendors' own signatures (GitHub,
PagerDuty, Sentry, Grafana HMACs, SNS) arrive behind this same interface.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

TOKEN_ENV = "OPSAGENT_SERVE_TOKEN"


class AuthFailure(Exception):
    """The request has no valid credentials (answered 401 with ``reason``)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class AuthSettings(BaseModel):
    """``serve.auth`` in the config file."""

    model_config = ConfigDict(extra="allow")

    token: str | None = None  # else OPSAGENT_SERVE_TOKEN
    max_skew_s: float = 300.0


@dataclass(frozen=True)
class Authenticated:
    principal: str
    delivery_id: str | None = None
    sns_confirmation: str | None = None


def service_token(settings: AuthSettings, env: Mapping[str, str]) -> str | None:
    return settings.token or env.get(TOKEN_ENV) or None


def authenticate_api(headers: Mapping[str, str], settings: AuthSettings, *,
                     env: Mapping[str, str]) -> str:
    """The principal of a request with the service token; raises :class:`AuthFailure`."""
    token = service_token(settings, env)
    if token is None:
        raise AuthFailure(f"no service token is configured (set {TOKEN_ENV} or serve.token)")
    given = _presented(headers.get("authorization", ""))
    if given is None:
        raise AuthFailure("missing credentials: send Authorization: Bearer TOKEN")
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise AuthFailure("invalid credentials")
    return "token"


def authenticate(source: str, headers: Mapping[str, str], body: bytes,
                 settings: AuthSettings, *, now: float, env: Mapping[str, str]
                 ) -> Authenticated:
    """Authenticate a webhook delivery to ``source``."""
    principal = authenticate_api(headers, settings, env=env)
    return Authenticated(principal=principal)


def _presented(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None
