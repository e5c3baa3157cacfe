"""One HTTP POST with the standard library, turned into a :class:`Result` (never an
exception): 2xx is sent; 408, 429 and 5xx are worth retrying (after ``Retry-After``);
other statuses are not."""

from __future__ import annotations

import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime

from .request import Request, Result

_RETRYABLE = {408, 425, 429}


def post_json(request: Request, *, timeout: float) -> Result:
    http = urllib.request.Request(request.url, data=request.body.encode("utf-8"),
                                  headers=request.headers, method=request.method)
    where = request.masked().url
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            status = int(response.status)
            response.read(65536)
            return Result(True, status, f"{where}: HTTP {status}")
    except urllib.error.HTTPError as exc:
        status = exc.code
        body = exc.read(300).decode("utf-8", "replace").strip()
        retry_after = retry_after_seconds(exc.headers.get("Retry-After"))
        exc.close()
        return Result(False, status, f"{where}: HTTP {status} {body}".strip(),
                      retryable=status in _RETRYABLE or status >= 500,
                      retry_after=retry_after)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Result(False, None, f"{where}: {reason}", retryable=True)


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date (from now)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import datetime, timezone

    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
