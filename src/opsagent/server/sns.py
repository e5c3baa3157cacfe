"""Amazon SNS message signatures, over HTTP(S) subscriptions.

A message is accepted only when, in this order:

1. it is a JSON object whose ``Type`` is ``Notification``, ``SubscriptionConfirmation`` or
   ``UnsubscribeConfirmation`` (and agrees with ``x-amz-sns-message-type`` when sent);
2. its ``TopicArn`` is one of the configured ``topic_arns``;
3. its ``SignatureVersion`` is ``1`` (SHA1withRSA) or ``2`` (SHA256withRSA);
4. its ``SigningCertURL`` is ``https://sns.<region>.amazonaws.com/<name>.pem`` (the origin
   pattern is configurable, for tests): no user, port or query tricks, checked before
   anything is fetched;
5. its ``Timestamp`` is within the skew limit;
6. the certificate (fetched through a :class:`CertificateSource`, cached) is valid now
   and its RSA key verifies ``Signature`` over the canonical string: ``name\\nvalue\\n`` for
   ``Message, MessageId, Subject (if present), Timestamp, TopicArn, Type`` (notifications)
   or ``Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type``
   (confirmations).

A ``SubscriptionConfirmation`` also needs a ``SubscribeURL`` on the same origin that asks
for ``ConfirmSubscription`` of this topic; it is returned for the server to GET.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from ._auth_base import Authenticated, AuthFailure, AuthUnavailable, check_skew, quoted
from ._auth_settings import SnsSource
from ._certificates import (
    CachedCertificates,
    CertificateSource,
    CertificateUnavailable,
    StaticCertificates,
    UrllibCertificates,
    default_certificates,
)

__all__ = [
    "CachedCertificates",
    "CertificateSource",
    "CertificateUnavailable",
    "StaticCertificates",
    "UrllibCertificates",
    "canonical_string",
    "default_certificates",
    "verify_sns",
]

_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                        "TopicArn", "Type")
_FIELDS = {
    "Notification": _NOTIFICATION_FIELDS,
    "SubscriptionConfirmation": _CONFIRMATION_FIELDS,
    "UnsubscribeConfirmation": _CONFIRMATION_FIELDS,
}
_OPTIONAL = frozenset({"Subject"})
_PEM_PATH = re.compile(r"/[A-Za-z0-9._-]+\.pem")
_ISO_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")


def canonical_string(message: Mapping[str, Any]) -> bytes:
    """The bytes SNS signs for ``message`` (its ``Type`` must be one of the three)."""
    out = []
    for name in _FIELDS[str(message.get("Type"))]:
        value = message.get(name)
        if value is None and name in _OPTIONAL:
            continue
        if not isinstance(value, str):
            raise AuthFailure(f"missing field {name} in the SNS message")
        out.append(f"{name}\n{value}\n")
    return "".join(out).encode("utf-8")


def verify_sns(headers: Mapping[str, str], body: bytes, config: SnsSource, *, now: float,
               max_skew_s: float, certificates: CertificateSource | None = None
               ) -> Authenticated:
    """Authenticate an SNS message; raises :class:`AuthFailure` (or
    :class:`AuthUnavailable` when the certificate cannot be fetched now)."""
    message = _message(headers, body)
    kind = message["Type"]
    topic = message.get("TopicArn")
    if not isinstance(topic, str) or topic not in config.topic_arns:
        raise AuthFailure(f"topic not allowed: {quoted(str(topic))}")
    version = message.get("SignatureVersion")
    if version not in ("1", "2"):
        raise AuthFailure(f"unsupported SignatureVersion: {quoted(str(version))}")
    cert_url = message.get("SigningCertURL")
    if not isinstance(cert_url, str):
        raise AuthFailure("missing field SigningCertURL in the SNS message")
    _check_origin(cert_url, config.allowed_cert_origin, "certificate URL")
    if not _PEM_PATH.fullmatch(urlsplit(cert_url).path) or urlsplit(cert_url).query:
        raise AuthFailure("certificate URL is not a .pem file at the host's root")
    signed = canonical_string(message)
    check_skew(_timestamp(message.get("Timestamp")), now, max_skew_s)
    signature = _signature(message.get("Signature"))
    source = certificates if certificates is not None else default_certificates()
    try:
        pem = source.get(cert_url)
    except CertificateUnavailable as exc:
        raise AuthUnavailable(f"signing certificate not available: {exc}") from None
    _verify_signature(pem, signature, signed, version, now)
    confirmation = None
    if kind == "SubscriptionConfirmation":
        confirmation = _subscribe_url(message, topic, config.allowed_cert_origin)
    return Authenticated(f"sns:{topic}", message.get("MessageId") or None, confirmation)


def _message(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise AuthFailure("not an SNS message: the body is not JSON") from None
    if not isinstance(doc, dict):
        raise AuthFailure("not an SNS message: the body is not a JSON object")
    kind = doc.get("Type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise AuthFailure(f"unsupported SNS message type: {quoted(str(kind))}")
    header = headers.get("x-amz-sns-message-type")
    if header and header != kind:
        raise AuthFailure("x-amz-sns-message-type does not match the message's Type")
    return doc


def _check_origin(url: str, pattern: re.Pattern[str], what: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AuthFailure(f"{what} is not a URL") from None
    host = parts.hostname or ""
    origin = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
    # the netloc must be the bare host (and port): no user, no password
    clean = (not parts.fragment and parts.netloc.lower() == origin.split("://", 1)[1]
             and not any(ch.isspace() or ch == "\\" for ch in url))
    if clean and pattern.fullmatch(origin):
        return parts
    if parts.scheme.lower() != "https" and pattern.fullmatch("https://" + host):
        raise AuthFailure(f"{what} is not https")
    raise AuthFailure(f"{what} is not an AWS SNS host")


def _timestamp(value: Any) -> float:
    if not isinstance(value, str) or not _ISO_UTC.fullmatch(value):
        raise AuthFailure("unreadable Timestamp in the SNS message")
    stamp = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    fraction = float("0" + value[19:-1]) if len(value) > 20 else 0.0
    return stamp.timestamp() + fraction


def _signature(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise AuthFailure("missing field Signature in the SNS message")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise AuthFailure("malformed Signature in the SNS message (not base64)") from None


def _verify_signature(pem: bytes, signature: bytes, signed: bytes, version: str,
                      now: float) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise AuthFailure("signing certificate is not a PEM X.509 certificate") from None
    if not cert.not_valid_before_utc.timestamp() <= now <= cert.not_valid_after_utc.timestamp():
        raise AuthFailure("signing certificate is not valid at this time")
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise AuthFailure("signing certificate does not hold an RSA key")
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()  # SignatureVersion 1 is SHA1
    try:
        key.verify(signature, signed, padding.PKCS1v15(), digest)
    except InvalidSignature:
        raise AuthFailure("signature does not match") from None


def _subscribe_url(message: Mapping[str, Any], topic: str, pattern: re.Pattern[str]) -> str:
    url = message["SubscribeURL"]
    parts = _check_origin(url, pattern, "subscribe URL")
    query = parse_qs(parts.query)
    if (parts.path not in ("", "/") or query.get("Action") != ["ConfirmSubscription"]
            or query.get("TopicArn") != [topic] or not query.get("Token")):
        raise AuthFailure("subscribe URL is not a ConfirmSubscription of this topic")
    return str(url)
