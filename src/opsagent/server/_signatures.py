"""The vendors' HMAC-SHA256 webhook signatures, each over the raw body as received.

* GitHub: ``X-Hub-Signature-256: sha256=<hex>``; delivery id ``X-GitHub-Delivery``.
* PagerDuty (v3 webhooks): ``X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]``, one signature
  per secret while PagerDuty rotates them (any may match); event id ``event.id``.
* Sentry (integration platform): ``Sentry-Hook-Signature: <hex>``, with
  ``Sentry-Hook-Timestamp`` (Unix seconds) within the skew limit; ``Request-ID``.
* Grafana (webhook contact point, "HMAC signature"): ``<hex>`` in the configured header
  (``X-Grafana-Alerting-Signature`` by default); with a timestamp header configured, the
  signed string is ``<timestamp>:<body>`` and the timestamp must be within the skew limit.

Every comparison is constant-time; several secrets may be configured (rotation).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import string
from collections.abc import Mapping

from ._auth_base import Authenticated, AuthFailure, check_skew, matches_any, unix_seconds
from ._auth_settings import GrafanaSource

_HEX = frozenset(string.hexdigits)


def _digest(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()


def _hex_or_none(value: str) -> str | None:
    text = value.strip().lower()
    return text if len(text) == 64 and set(text) <= _HEX else None


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name.lower(), "")
    if not value.strip():
        raise AuthFailure(f"missing signature header {name}")
    return value


def _require_match(given: list[str], secrets: list[str], data: bytes) -> None:
    if not matches_any(given, [_digest(secret, data) for secret in secrets]):
        raise AuthFailure("signature does not match")


def verify_github(headers: Mapping[str, str], body: bytes, secrets: list[str]) -> Authenticated:
    value = _header(headers, "X-Hub-Signature-256")
    scheme, _, digest = value.strip().partition("=")
    given = _hex_or_none(digest)
    if scheme.strip().lower() != "sha256" or given is None:
        raise AuthFailure("malformed signature header X-Hub-Signature-256 "
                          "(expected sha256=<64 hex digits>)")
    _require_match([given], secrets, body)
    return Authenticated("github", delivery_id(headers, body, "github"))


def verify_pagerduty(headers: Mapping[str, str], body: bytes,
                     secrets: list[str]) -> Authenticated:
    value = _header(headers, "X-PagerDuty-Signature")
    given = []
    for part in value.split(","):
        version, _, digest = part.strip().partition("=")
        hexed = _hex_or_none(digest)
        if version == "v1" and hexed is not None:
            given.append(hexed)
    if not given:
        raise AuthFailure("malformed signature header X-PagerDuty-Signature "
                          "(expected v1=<64 hex digits>)")
    _require_match(given, secrets, body)
    return Authenticated("pagerduty", delivery_id(headers, body, "pagerduty"))


def verify_sentry(headers: Mapping[str, str], body: bytes, secrets: list[str], *,
                  now: float, max_skew_s: float) -> Authenticated:
    value = _header(headers, "Sentry-Hook-Signature")
    stamp = headers.get("sentry-hook-timestamp", "")
    if not stamp.strip():
        raise AuthFailure("missing timestamp header Sentry-Hook-Timestamp")
    given = _hex_or_none(value)
    if given is None:
        raise AuthFailure("malformed signature header Sentry-Hook-Signature "
                          "(expected 64 hex digits)")
    sent = unix_seconds(stamp, "Sentry-Hook-Timestamp")
    _require_match([given], secrets, body)
    check_skew(sent, now, max_skew_s)
    return Authenticated("sentry", delivery_id(headers, body, "sentry"))


def verify_grafana(headers: Mapping[str, str], body: bytes, secrets: list[str],
                   config: GrafanaSource, *, now: float, max_skew_s: float) -> Authenticated:
    value = _header(headers, config.header)
    given = _hex_or_none(value)
    if given is None:
        raise AuthFailure(f"malformed signature header {config.header} "
                          "(expected 64 hex digits)")
    signed = body
    sent = None
    if config.timestamp_header:
        stamp = headers.get(config.timestamp_header.lower(), "")
        if not stamp.strip():
            raise AuthFailure(f"missing timestamp header {config.timestamp_header}")
        sent = unix_seconds(stamp, config.timestamp_header)
        signed = stamp.strip().encode("utf-8") + b":" + body
    _require_match([given], secrets, signed)
    if sent is not None:
        check_skew(sent, now, max_skew_s)
    return Authenticated("grafana", None)


def delivery_id(headers: Mapping[str, str], body: bytes, source: str) -> str | None:
    """The vendor's own id of this delivery, which stays the same when it retries:
    GitHub ``X-GitHub-Delivery``, Sentry ``Request-ID``, PagerDuty ``event.id``, SNS
    ``x-amz-sns-message-id``; ``None`` when the vendor sends none."""
    if source == "github":
        return headers.get("x-github-delivery") or None
    if source == "sentry":
        return headers.get("request-id") or None
    if source == "pagerduty":
        return _pagerduty_event_id(body)
    if source in ("cloudwatch", "sns") or headers.get("x-amz-sns-message-type"):
        return headers.get("x-amz-sns-message-id") or None
    return None


def _pagerduty_event_id(body: bytes) -> str | None:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    event = doc.get("event") if isinstance(doc, dict) else None
    ident = event.get("id") if isinstance(event, dict) else None
    return ident if isinstance(ident, str) and ident else None
