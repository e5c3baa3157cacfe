"""The agent run's time budget, enforced down to the socket.

A provider SDK bounds each read by its timeout, so a server that never answers costs one
timeout per retry, a ``Retry-After: 50`` costs fifty seconds, and a server dripping one
byte a second never times out at all. :class:`Deadline` is the budget of the whole run;
:func:`http_client` is an ``httpx.Client`` whose every connect, read and write is bounded
by what is left of it (a read past it fails whatever the server sends). Retries are the
client's, not the SDK's (whose back-off sleeps cannot be interrupted): a failed connect,
a timeout or a retryable answer (408, 409, 429, 5xx) is retried at most ``retries``
times, after the wait the server asks for (``Retry-After``) or a short back-off, and only
when that wait fits the budget; otherwise the answer is returned as it came, marked
``x-should-retry: false`` (which the OpenAI and Anthropic SDKs obey). Imported on the
agent path only.
"""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.request
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

_RETRYABLE = frozenset({408, 409, 429}) | frozenset(range(500, 600))
_BACKOFF_S = 0.5  # doubled at each retry
_MAX_RETRY_AFTER_S = 60.0
_MARGIN_S = 0.25


class Deadline:
    """``budget`` seconds from now; cancelled early by :meth:`cancel`."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.at = time.monotonic() + budget
        self.cancelled = threading.Event()
        self._clients: list[Any] = []

    def remaining(self) -> float:
        if self.cancelled.is_set():
            return 0.0
        return max(0.0, self.at - time.monotonic())

    def cancel(self) -> None:
        self.cancelled.set()

    def own(self, client: Any) -> Any:
        """Close ``client`` with :meth:`close` (at the end of the run)."""
        self._clients.append(client)
        return client

    def close(self) -> None:
        clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(Exception):  # must not mask the run's outcome
                client.close()


def http_client(deadline: Deadline, base_url: str | None, retries: int) -> httpx.Client:
    """An ``httpx.Client`` bounded by ``deadline`` that retries at most ``retries`` times
    (give the SDK ``max_retries=0``)."""
    import httpx

    client = httpx.Client(transport=_transport(deadline, base_url, retries),
                          timeout=deadline.budget)
    deadline.own(client)
    return client


def _transport(deadline: Deadline, base_url: str | None,
               retries: int) -> httpx.BaseTransport:
    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> httpcore.NetworkStream:
            return Stream(self._inner.start_tls(
                ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._inner = httpcore.SyncBackend()

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None,
                        socket_options: Any = None) -> httpcore.NetworkStream:
            return Stream(self._inner.connect_tcp(
                host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address,
                socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Any = None) -> httpcore.NetworkStream:
            return Stream(self._inner.connect_unix_socket(
                path, _bounded(timeout, httpcore.ConnectTimeout), socket_options))

        def sleep(self, seconds: float) -> None:
            time.sleep(min(seconds, deadline.remaining()))

    def _bounded(timeout: float | None, error: type[Exception]) -> float:
        left = deadline.remaining()
        if left <= 0:
            raise error("the agent's time budget ran out")
        return left if timeout is None else min(timeout, left)

    class Transport(httpx.HTTPTransport):
        def __init__(self) -> None:
            super().__init__()
            ssl_context = httpx.create_ssl_context()
            proxy = _proxy_for(base_url)
            if proxy is None:
                self._pool = httpcore.ConnectionPool(ssl_context=ssl_context,
                                                     network_backend=Backend())
            else:
                self._pool = httpcore.HTTPProxy(proxy_url=proxy, ssl_context=ssl_context,
                                                network_backend=Backend())

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            attempt = 0
            while True:
                if deadline.remaining() <= 0:
                    raise httpx.ConnectTimeout("the agent's time budget ran out",
                                               request=request)
                backoff = _BACKOFF_S * 2 ** attempt
                try:
                    response = super().handle_request(request)
                except httpx.TransportError:
                    if attempt >= retries or not self._wait(backoff):
                        raise
                    attempt += 1
                    continue
                if response.status_code not in _RETRYABLE:
                    return response
                delay = _retry_delay(response.headers, backoff)
                if attempt >= retries or delay + _MARGIN_S >= deadline.remaining():
                    response.headers["x-should-retry"] = "false"
                    return response
                response.close()
                if not self._wait(delay):
                    raise httpx.ConnectTimeout("the agent's time budget ran out",
                                               request=request)
                attempt += 1

        @staticmethod
        def _wait(delay: float) -> bool:
            """Wait ``delay`` seconds unless that passes the deadline (or it is cancelled)."""
            if delay + _MARGIN_S >= deadline.remaining():
                return False
            return not deadline.cancelled.wait(delay)

    return Transport()


def _retry_delay(headers: httpx.Headers, backoff: float) -> float:
    """The wait the server asks for before a retry (seconds), else ``backoff``."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return min(_MAX_RETRY_AFTER_S, max(0.0, float(value) * scale))
        except ValueError:
            pass
        try:
            wait = parsedate_to_datetime(value).timestamp() - time.time()
            return min(_MAX_RETRY_AFTER_S, max(0.0, wait))
        except (TypeError, ValueError):
            pass
    return backoff


def _proxy_for(base_url: str | None) -> str | None:
    """The HTTP(S) proxy the environment names for ``base_url`` (as httpx would use)."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies_environment()
    bypass = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009 (untyped)
    if parts.hostname and bypass(parts.hostname, proxies):
        return None
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy and urlsplit(proxy).scheme in ("http", "https"):
        return proxy
    return None
