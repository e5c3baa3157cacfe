"""A hostile OpenAI-compatible server on 127.0.0.1, at the socket level.

Modes: ``silent`` reads the request and never answers; ``rate-limited`` answers 429 with
``Retry-After: 50``; ``drip`` sends a valid answer one byte a second. Every connection is
counted; stopping the server closes the connections it still holds.
"""

from __future__ import annotations

import json
import socket
import threading
from types import TracebackType

ANSWER = json.dumps({
    "id": "x", "object": "chat.completion", "created": 0, "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "{}"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}).encode()


class HostileServer:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.connections = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._acceptor.join()
        for conn in list(self._open):
            conn.close()
        for thread in self._threads:
            thread.join()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(0.2)
            while not self._stop.is_set():
                if not self._read_request(conn):
                    return
                if self.mode == "silent":
                    self._stop.wait()
                    return
                if self.mode == "rate-limited":
                    body = b'{"error": {"message": "slow down", "type": "rate_limit"}}'
                    conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 50\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body)
                    continue
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: " + str(len(ANSWER)).encode() + b"\r\n\r\n")
                for byte in head + ANSWER:
                    if self._stop.wait(1.0):
                        return
                    conn.sendall(bytes([byte]))
        except OSError:
            return
        finally:
            conn.close()

    def _read_request(self, conn: socket.socket) -> bool:
        """Read one request (head and body); False when the client went away."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self._recv(conn)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            chunk = self._recv(conn)
            if not chunk:
                return False
            body += chunk
        return True

    def _recv(self, conn: socket.socket) -> bytes:
        while not self._stop.is_set():
            try:
                return conn.recv(65536)
            except TimeoutError:
                continue
        return b""
