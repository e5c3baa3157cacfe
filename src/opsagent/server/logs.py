"""Structured logs: one JSON object per line on stderr, one line per event.

Callers pass facts, never secrets: no header values, no bodies, URLs without passwords.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

_LOCK = threading.Lock()


class JsonLog:
    def __init__(self, stream: TextIO | None = None, *, process: str = "serve") -> None:
        self.stream = stream or sys.stderr
        self.process = process

    def event(self, name: str, level: str = "info", **fields: Any) -> None:
        record = {"ts": round(time.time(), 3), "level": level, "event": name,
                  "process": self.process, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
        with _LOCK:
            self.stream.write(line + "\n")
            self.stream.flush()
