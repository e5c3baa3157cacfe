"""Where SNS signing certificates come from: a one-method protocol, the real fetcher over
HTTPS, a bounded cache, and the test double the library ships.

A :class:`CertificateSource` is given only URLs that :mod:`opsagent.server.sns` has
already checked (scheme, host, path); it raises :class:`CertificateUnavailable` when it
cannot deliver, which the server answers with ``503`` so that SNS retries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from typing import Protocol


class CertificateUnavailable(Exception):
    """The certificate could not be fetched (the message says why, never a secret)."""


class CertificateSource(Protocol):
    def get(self, url: str) -> bytes:
        """The PEM-encoded certificate at ``url``."""
        ...


class UrllibCertificates:
    """Fetches over the network with the standard library: a timeout, a size cap, and no
    redirects followed (a redirect could leave the allowed host)."""

    def __init__(self, *, timeout_s: float = 5.0, max_bytes: int = 64 * 1024) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes

    def get(self, url: str) -> bytes:
        import urllib.error
        import urllib.request

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        opener = urllib.request.build_opener(_NoRedirect)
        request = urllib.request.Request(url, headers={"Accept": "application/x-pem-file"})
        try:
            with opener.open(request, timeout=self.timeout_s) as response:
                data: bytes = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise CertificateUnavailable(f"cannot fetch {url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CertificateUnavailable(f"cannot fetch {url}: {reason}") from None
        if len(data) > self.max_bytes:
            raise CertificateUnavailable(f"cannot fetch {url}: larger than "
                                         f"{self.max_bytes} bytes")
        return data


class CachedCertificates:
    """Keeps the last ``max_entries`` certificates by URL (SNS publishes a rotated
    certificate under a new URL, so an entry never goes stale); failures are not kept."""

    def __init__(self, source: CertificateSource, *, max_entries: int = 32) -> None:
        self.source = source
        self.max_entries = max_entries
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> bytes:
        with self._lock:
            if url in self._cache:
                self._cache.move_to_end(url)
                return self._cache[url]
        data = self.source.get(url)
        with self._lock:
            self._cache[url] = data
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return data


class StaticCertificates:
    """The test double: certificates given up front by URL; records every URL asked for
    in ``requests``, so a test can prove that a refused URL was never fetched."""

    def __init__(self, certificates: Mapping[str, bytes]) -> None:
        self.certificates = dict(certificates)
        self.requests: list[str] = []

    def get(self, url: str) -> bytes:
        self.requests.append(url)
        try:
            return self.certificates[url]
        except KeyError:
            raise CertificateUnavailable(f"no certificate at {url}") from None


@lru_cache(maxsize=1)
def default_certificates() -> CertificateSource:
    """The process's cached fetcher, made on first use."""
    return CachedCertificates(UrllibCertificates())
