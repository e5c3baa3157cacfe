"""What authentication returns and raises, and the checks every scheme shares.

::

    OpsagentError
    └── AuthFailure        the request is refused: the server answers 401
        └── AuthUnavailable   it could not be checked now (a certificate could not be
                              fetched): the server answers 503 so that the sender retries

``AuthFailure.reason`` is one short line that names what is wrong (a header, a field, a
limit) and never a secret, an expected digest or a token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from ..errors import OpsagentError

_MAX_QUOTED = 120
_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class Authenticated:
    """Who sent the request (``"token"``, ``"github"``, ``"sns:arn:aws:sns:…"``), the
    vendor's delivery id when it sends one (for de-duplication), and for an SNS
    subscription confirmation the validated ``SubscribeURL`` the server must GET."""

    principal: str
    delivery_id: str | None = None
    sns_confirmation: str | None = None


class AuthFailure(OpsagentError):
    """The request is not authenticated; ``reason`` says why in one line."""

    status: ClassVar[int] = 401

    def __init__(self, reason: str) -> None:
        self.reason = one_line(reason)
        super().__init__(self.reason)


class AuthUnavailable(AuthFailure):
    """The credentials could not be checked right now (a transient failure)."""

    status: ClassVar[int] = 503


def one_line(text: str) -> str:
    """``text`` on one printable line."""
    flat = " ".join(text.split())
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch) & 0xFF:02x}" for ch in flat)


def quoted(value: str) -> str:
    """A sender's value shortened for a reason (it is not a secret: it came with the request)."""
    text = one_line(value)
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 3] + "..."


def matches_any(given: Iterable[str], expected: Iterable[str]) -> bool:
    """Whether any of ``given`` equals any of ``expected``, every pair compared in constant
    time: no early exit, and digests of equal length compared, so timing tells nothing
    about which one, how much or how long."""
    wanted = [_fingerprint(e) for e in expected]
    found = False
    for item in given:
        raw = _fingerprint(item)
        for candidate in wanted:
            found |= hmac.compare_digest(raw, candidate)
    return found


def _fingerprint(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def check_skew(timestamp: float, now: float, max_skew_s: float) -> None:
    """Refuse a signed timestamp further than ``max_skew_s`` from ``now`` (either way)."""
    if abs(now - timestamp) > max_skew_s:
        raise AuthFailure(f"timestamp outside the allowed skew of {max_skew_s:g} s")


def unix_seconds(value: str, header: str) -> float:
    """A Unix timestamp in whole (or decimal) seconds, as Sentry and Grafana send it."""
    text = value.strip()
    if not _SECONDS.fullmatch(text):
        raise AuthFailure(f"unreadable timestamp in {header}: {quoted(text)}")
    return float(text)
