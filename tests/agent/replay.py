"""A loopback HTTP server that replays recorded responses and records the requests.

Each queued exchange is a :class:`Reply` (status, JSON body or raw bytes, headers, an
optional delay); the last one repeats, as a failing provider keeps failing. Requests are
kept as :class:`Recorded` (method, path, headers, parsed JSON body) so tests can assert
the request shapes a provider sends.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None


class ReplayServer:
    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.replies: list[Reply] = list(replies or [])
        self.requests: list[Recorded] = []
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                server.requests.append(Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                    raw))
                # the last reply repeats (retries of a failing request see it again)
                if len(server.replies) > 1:
                    reply = server.replies.pop(0)
                elif server.replies:
                    reply = server.replies[0]
                else:
                    reply = Reply(500, {"error": {"message": "no recorded reply"}})
                if reply.delay and server._closing.wait(reply.delay):
                    return
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(
                    reply.body).encode()
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json", **reply.headers}
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = _handle
            do_GET = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        time.sleep(0)
