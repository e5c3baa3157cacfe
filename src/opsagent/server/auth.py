"""Authentication of the service's requests: the pure layer the HTTP server calls.

``authenticate(source, headers, body, settings, now=…, env=…)`` decides one webhook
delivery (header names lower-case, the body exactly as received):

* a source with signing configured under ``serve.auth.sources`` needs the vendor's own
  signature, and the token alone is not enough for it: ``github``, ``pagerduty``,
  ``sentry``, ``grafana`` by the source's name; SNS (``sources.sns``) for source ``sns``
  and for every request that carries ``x-amz-sns-message-type``. For source ``auto`` a
  configured vendor's signature header, when present, chooses that vendor's check;
* every other request needs the token: ``Authorization: Bearer TOKEN``, or basic auth
  with the token as the password (any user name). The token is ``OPSAGENT_SERVE_TOKEN``
  when set, else ``serve.auth.token``/``token_env``; with none configured nothing is
  accepted.

``authenticate_api(headers, settings, env=…)`` is the token check alone, for the other
endpoints. Both raise :class:`AuthFailure` (``reason``: one line, never a secret; the
server answers ``exc.status``, 401, or 503 for :class:`AuthUnavailable`). A replay of a
signed delivery within the skew limit is not refused: ``Authenticated.delivery_id`` lets
the store acknowledge it as a duplicate.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from ._auth_base import Authenticated, AuthFailure, AuthUnavailable, matches_any
from ._auth_settings import (
    TOKEN_ENV,
    AuthSettings,
    GrafanaSource,
    SignedSource,
    SnsSource,
    Sources,
    check_auth_settings,
    load_auth_settings,
)
from ._certificates import CertificateSource
from ._signatures import (
    delivery_id,
    verify_github,
    verify_grafana,
    verify_pagerduty,
    verify_sentry,
)
from .sns import verify_sns

__all__ = [
    "TOKEN_ENV",
    "AuthFailure",
    "AuthSettings",
    "AuthUnavailable",
    "Authenticated",
    "CertificateSource",
    "GrafanaSource",
    "SignedSource",
    "SnsSource",
    "Sources",
    "authenticate",
    "authenticate_api",
    "check_auth_settings",
    "load_auth_settings",
]

# the header by which source ``auto`` recognises a signed vendor
_SIGNATURE_HEADERS = {
    "github": "x-hub-signature-256",
    "pagerduty": "x-pagerduty-signature",
    "sentry": "sentry-hook-signature",
}


def authenticate(source: str, headers: Mapping[str, str], body: bytes,
                 settings: AuthSettings, *, now: float, env: Mapping[str, str],
                 certificates: CertificateSource | None = None) -> Authenticated:
    """Authenticate a delivery to ``POST /v1/webhooks/{source}``."""
    scheme = _scheme(source, headers, settings.sources)
    sources = settings.sources
    if scheme == "sns" and sources.sns is not None:
        return verify_sns(headers, body, sources.sns, now=now,
                          max_skew_s=settings.skew(sources.sns), certificates=certificates)
    if scheme == "github" and sources.github is not None:
        return verify_github(headers, body, sources.github.secrets(env, scheme))
    if scheme == "pagerduty" and sources.pagerduty is not None:
        return verify_pagerduty(headers, body, sources.pagerduty.secrets(env, scheme))
    if scheme == "sentry" and sources.sentry is not None:
        return verify_sentry(headers, body, sources.sentry.secrets(env, scheme), now=now,
                             max_skew_s=settings.skew(sources.sentry))
    if scheme == "grafana" and sources.grafana is not None:
        return verify_grafana(headers, body, sources.grafana.secrets(env, scheme),
                              sources.grafana, now=now,
                              max_skew_s=settings.skew(sources.grafana))
    principal = authenticate_api(headers, settings, env=env)
    return Authenticated(principal, delivery_id(headers, body, source))


def authenticate_api(headers: Mapping[str, str], settings: AuthSettings, *,
                     env: Mapping[str, str]) -> str:
    """The token check (every endpoint but ``/healthz``); returns the principal."""
    tokens = settings.tokens(env)
    if not tokens:
        raise AuthFailure("no token configured on the server")
    value = headers.get("authorization", "").strip()
    if not value:
        raise AuthFailure("missing credentials: no Authorization header")
    scheme, _, credentials = value.partition(" ")
    given = _credential(scheme.lower(), credentials.strip())
    if not given or not matches_any([given], tokens):
        raise AuthFailure("token does not match")
    return "token"


def _credential(scheme: str, credentials: str) -> str:
    if scheme == "bearer":
        return credentials
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise AuthFailure("malformed basic credentials (not base64 of user:password)") \
                from None
        _user, colon, password = decoded.partition(":")
        if not colon:
            raise AuthFailure("malformed basic credentials (not base64 of user:password)")
        return password
    raise AuthFailure("unsupported Authorization scheme (use Bearer, or Basic with the "
                      "token as the password)")


def _scheme(source: str, headers: Mapping[str, str], sources: Sources) -> str:
    """Which check applies: a signed vendor's name, ``sns``, or ``token``."""
    configured = {name for name in ("github", "pagerduty", "sentry", "grafana")
                  if getattr(sources, name) is not None}
    if source in configured:
        return source
    if sources.sns is not None and (source == "sns" or headers.get("x-amz-sns-message-type")):
        return "sns"
    if source == "auto":
        wanted = dict(_SIGNATURE_HEADERS)
        if sources.grafana is not None:
            wanted["grafana"] = sources.grafana.header.lower()
        for name in sorted(configured):
            if headers.get(wanted[name]):
                return name
    return "token"
