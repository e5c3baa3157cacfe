"""Loading CrewAI quietly: telemetry, tracing prompts and version checks off, no stray output.

CrewAI reads these switches from the environment, some at import time, so they are set
(overriding any other value) right before the first import. Nothing happens at module
import of opsagent; only the agent path calls :func:`import_crewai`.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import AgentError
from . import reasons

QUIET_ENV: dict[str, str] = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "OTEL_SDK_DISABLED": "true",
}

_LOCK = threading.Lock()
_LOCK_OF_LOCKS = threading.Lock()


class AgentUnavailable(AgentError):
    """An optional dependency of the agent is missing (the message says what to install)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="unavailable")


def quiet_environment() -> None:
    """Turn off CrewAI's telemetry, tracing and update checks for this process.

    CrewAI also stores each run's task outputs in a SQLite file under the user's data
    directory; unless ``CREWAI_STORAGE_DIR`` is set, that goes to a private temporary
    directory removed at exit, so incident data does not pile up in the home directory.
    Its user record there says the first run is done and traces were declined, so CrewAI
    never starts its first-run trace collection nor asks, in a terminal, to share traces.
    """
    os.environ.update(QUIET_ENV)
    if "CREWAI_STORAGE_DIR" not in os.environ:
        storage = tempfile.mkdtemp(prefix="opsagent-crewai-")
        atexit.register(shutil.rmtree, storage, ignore_errors=True)
        record = {"first_execution_done": True, "trace_consent": False}
        Path(storage, ".crewai_user.json").write_text(json.dumps(record), encoding="utf-8")
        os.environ["CREWAI_STORAGE_DIR"] = storage
    # Library loggers must not print through logging's last-resort handler (stderr) when
    # the application has not configured logging; records still propagate to the root.
    for name in ("crewai", "crewai_core", "LiteLLM", "httpx", "openai", "anthropic",
                 "opentelemetry"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def import_crewai() -> ModuleType:
    """Import CrewAI with telemetry off; :class:`AgentUnavailable` when not installed."""
    with _LOCK:
        quiet_environment()
        try:
            import crewai
        except ImportError:
            raise AgentUnavailable(reasons.NO_CREWAI) from None
        _local_locks()
        return crewai


def _local_locks() -> None:
    """In-process locks for CrewAI's storage (its default may reach Redis via REDIS_URL)."""
    try:
        from crewai_core import lock_store
    except ImportError:  # an older CrewAI without the pluggable lock store
        return
    if getattr(lock_store, "_backend", None) is None:
        lock_store.set_lock_backend(_thread_lock)


_NAMED_LOCKS: dict[str, threading.Lock] = {}


@contextmanager
def _thread_lock(name: str, *, timeout: float = 120) -> Iterator[None]:
    with _LOCK_OF_LOCKS:
        lock = _NAMED_LOCKS.setdefault(name, threading.Lock())
    if not lock.acquire(timeout=timeout):
        raise TimeoutError(f"lock {name!r} not acquired in {timeout}s")
    try:
        yield
    finally:
        lock.release()


def chat_messages(messages: str | list[Any]) -> list[dict[str, str]]:
    """CrewAI messages as plain ``{"role", "content"}`` dicts with text content."""
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    out: list[dict[str, str]] = []
    for message in messages:
        role = str(message.get("role", "user"))
        if role not in ("system", "user", "assistant"):
            role = "user"
        content = message.get("content", "")
        if isinstance(content, list):
            content = "\n".join(str(part.get("text", "")) for part in content
                                if isinstance(part, dict))
        out.append({"role": role, "content": str(content or "")})
    return out
