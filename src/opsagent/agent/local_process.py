"""The local model's child process, seen from the agent: start it, ask it, kill it.

One child per (model file, context size, threads) loads the model once and answers
every request of this process, one at a time (``llama_child.py`` speaks JSON lines over
its pipes). Whatever happens to the child — a signal, an exit, its memory cap, a hang —
:meth:`LocalModelProcess.generate` raises :class:`LocalModelFailed` with a documented
reason and the child is gone; the next request starts a fresh one. A cancelled request
kills the child at once. Nothing here imports llama.cpp.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import AgentError
from . import reasons
from .llama_child import MEMORY_ENV

CHILD = Path(__file__).with_name("llama_child.py")
_POLL_S = 0.05
_MAX_REPLY = 64 * 1024 * 1024  # a reply larger than this is a broken child


class LocalModelFailed(AgentError):
    """The local model's process crashed, hung, ran out of memory or was cancelled."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="local")


def available_cores() -> int:
    """The cores this process may use (llama.cpp's default counts the whole machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_memory_mb(model_path: str, n_ctx: int) -> int:
    """A generous address-space cap: the mapped file, the KV cache and the runtime."""
    try:
        file_mb = Path(model_path).stat().st_size // (1024 * 1024)
    except OSError:
        file_mb = 0
    return int(2048 + 2 * file_mb + n_ctx // 4)


class LocalModelProcess:
    """One child process holding one loaded model."""

    def __init__(self, model_path: str, n_ctx: int, n_threads: int | None,
                 memory_mb: int | None = None) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or available_cores()
        self.memory_mb = memory_mb or default_memory_mb(model_path, n_ctx)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._killed_by_us = False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def generate(self, request: dict[str, Any], cancel: threading.Event | None = None,
                 budget: float | None = None) -> dict[str, Any]:
        """The completion for ``request``; raises :class:`LocalModelFailed`.

        ``cancel`` (set from another thread) or ``budget`` (seconds, for this call)
        kills the child and raises."""
        deadline = None if budget is None else time.monotonic() + budget
        while not self._lock.acquire(timeout=_POLL_S):
            if _expired(cancel, deadline):  # another run holds the child: leave it be
                raise LocalModelFailed(_timeout_reason(budget))
        try:
            if self._proc is None or self._proc.poll() is not None:
                self._start()
                self._expect_ready(cancel, deadline, budget)
            self._write(json.dumps(request) + "\n", cancel, deadline, budget)
            reply = self._read(cancel, deadline, budget)
            if "completion" in reply and isinstance(reply["completion"], dict):
                completion: dict[str, Any] = reply["completion"]
                return completion
            raise self._failure(reply)
        finally:
            self._lock.release()

    def close(self) -> None:
        """Stop the child (closing its stdin ends it; a kill makes sure)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    # -- internals

    def _start(self) -> None:
        self.close()
        env = {**os.environ, MEMORY_ENV: str(self.memory_mb)}
        self._buffer = b""
        self._killed_by_us = False
        self._proc = subprocess.Popen(
            [sys.executable, "-P", str(CHILD), self.model_path, str(self.n_ctx),
             str(self.n_threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, close_fds=True)

    def _expect_ready(self, cancel: threading.Event | None, deadline: float | None,
                      budget: float | None) -> None:
        reply = self._read(cancel, deadline, budget)
        if reply.get("ready") is not True:
            raise self._failure(reply)

    def _check_cancel(self, cancel: threading.Event | None, deadline: float | None,
                      budget: float | None) -> None:
        if _expired(cancel, deadline):
            self._kill()
            raise LocalModelFailed(_timeout_reason(budget))

    def _write(self, line: str, cancel: threading.Event | None, deadline: float | None,
               budget: float | None) -> None:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        self._check_cancel(cancel, deadline, budget)
        try:
            proc.stdin.write(line.encode("utf-8"))
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def _read(self, cancel: threading.Event | None, deadline: float | None,
              budget: float | None) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                self._check_cancel(cancel, deadline, budget)
                if not selector.select(_POLL_S):
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise self._died()
                self._buffer += chunk
                if len(self._buffer) > _MAX_REPLY:
                    self._kill()
                    raise LocalModelFailed(reasons.LOCAL_FAILED)
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            self._kill()
            raise LocalModelFailed(reasons.LOCAL_FAILED) from None
        if not isinstance(reply, dict):
            self._kill()
            raise LocalModelFailed(reasons.LOCAL_FAILED)
        return reply

    def _failure(self, reply: dict[str, Any]) -> LocalModelFailed:
        kind = reply.get("error")
        if kind == "memory":
            self._reap()
            return LocalModelFailed(reasons.LOCAL_OUT_OF_MEMORY)
        if kind == "load":
            self._reap()
            return LocalModelFailed(reasons.LOCAL_CANNOT_LOAD)
        return LocalModelFailed(reasons.LOCAL_FAILED)

    def _died(self) -> LocalModelFailed:
        """The reason the child's pipe closed: its exit status, read once it is gone."""
        code = self._reap()
        if code is None or code == 0:
            return LocalModelFailed(reasons.LOCAL_FAILED)
        if code < 0:
            if -code == signal.SIGKILL and not self._killed_by_us:
                return LocalModelFailed(reasons.LOCAL_OUT_OF_MEMORY)  # the kernel's OOM killer
            return LocalModelFailed(reasons.local_crashed(_signal_name(-code)))
        return LocalModelFailed(reasons.local_exited(code))

    def _reap(self) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        return code

    def _kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            self._killed_by_us = True
            proc.kill()
        self._reap()


def _expired(cancel: threading.Event | None, deadline: float | None) -> bool:
    late = deadline is not None and time.monotonic() >= deadline
    return late or (cancel is not None and cancel.is_set())


def _timeout_reason(budget: float | None) -> str:
    """The run's own reason (with its budget) is given by ``refine``; this is the
    call's, for direct callers."""
    return reasons.local_timeout(budget) if budget is not None \
        else "local model exceeded its time budget"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"SIG{number}"


_PROCESSES: dict[tuple[str, int, int | None, int | None], LocalModelProcess] = {}
_PROCESSES_LOCK = threading.Lock()


def model_process(model_path: str, n_ctx: int, n_threads: int | None,
                  memory_mb: int | None = None) -> LocalModelProcess:
    """This process's child for that model and size (at most two are kept)."""
    key = (model_path, n_ctx, n_threads, memory_mb)
    with _PROCESSES_LOCK:
        found = _PROCESSES.get(key)
        if found is None:
            if len(_PROCESSES) >= 2:
                for old in _PROCESSES.values():
                    old.close()
                _PROCESSES.clear()
            found = LocalModelProcess(model_path, n_ctx, n_threads, memory_mb)
            _PROCESSES[key] = found
        return found


@atexit.register
def close_all() -> None:
    """Stop every child (at exit, and for tests)."""
    with _PROCESSES_LOCK:
        for process in _PROCESSES.values():
            process.close()
        _PROCESSES.clear()
