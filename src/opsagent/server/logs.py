"""Structured logs: one JSON object per line on stderr, one line per event.

Callers pass facts, never secrets: no header values, no bodies, URLs without passwords.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

# reentrant: a signal handler that logs may interrupt a write of its own thread
_LOCK = threading.RLock()


class JsonLog:
    def __init__(self, stream: TextIO | None = None, *, process: str = "serve") -> None:
        self.stream = stream or sys.stderr
        self.process = process

    def event(self, name: str, level: str = "info", **fields: Any) -> None:
        self.events([(name, level, fields)])

    def events(self, records: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Several events in one write (a batch of deliveries)."""
        now = round(time.time(), 3)
        lines = "".join(json.dumps({"ts": now, "level": level, "event": name,
                                    "process": self.process, **fields}, ensure_ascii=False,
                                   default=str, separators=(",", ":")) + "\n"
                        for name, level, fields in records)
        with _LOCK:
            self.stream.write(lines)
            self.stream.flush()
