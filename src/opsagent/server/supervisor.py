"""``opsagent serve``'s worker process, and the link between the two.

Triage is CPU-bound Python; beside the event loop in one interpreter it would hold the
GIL while deliveries wait for their acknowledgement. So ``serve`` runs its triage
workers in one child process (``opsagent worker --supervised``: the same code, config
file, database and environment), at a lower CPU priority, and supervises it:

* the child's stdin first carries one JSON line, what to work on (the config file, the
  database URL, the number of worker threads: not on the command line, where ``ps``
  would show a database password); then it is the wake-up pipe: serve writes a byte
  after each stored batch
  (coalesced: a full pipe is already a wake-up), the child's reader sets its workers'
  wake event. EOF on it means serve is gone: the child stops (the job in hand is
  finished, or left to its lease after a bound). ``PR_SET_PDEATHSIG`` sends it SIGTERM
  too, so a serve killed with SIGKILL leaves no worker triaging;
* the child's stdout is its report pipe: one JSON object a line, ``{"ready": true}``
  once its workers run, then every change of its metrics (counter increments and
  histogram observations), which serve applies to its registry;
* the child's stderr is serve's: its log lines say ``"process": "worker"``;
* a child that exits while serve runs is logged (``worker_exited``, its exit code or
  signal) and started again after a backoff (0.5 s doubling to 30 s, back to 0.5 s after
  a healthy minute). SIGTERM to serve is forwarded; serve waits for the child.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

from .logs import JsonLog
from .metrics import Metrics, Update

BACKOFF_S = (0.5, 30.0)  # the first restart's delay, doubling up to the second
HEALTHY_S = 60.0  # a child that ran this long restarts after the first delay again
STOP_TIMEOUT_S = 60.0  # SIGTERM, then this long for the job in hand, then SIGKILL
ORPHAN_GRACE_S = 10.0  # serve gone: the job in hand gets this long, then the child exits
WORKER_NICE = 10
_PR_SET_PDEATHSIG = 1


class Supervisor:
    """Starts, watches and restarts serve's worker process (in the parent)."""

    def __init__(self, argv: Sequence[str], hello: Mapping[str, Any], *,
                 env: dict[str, str], log: JsonLog, metrics: Metrics,
                 backoff_s: tuple[float, float] = BACKOFF_S,
                 healthy_s: float = HEALTHY_S) -> None:
        self.argv = list(argv)
        self.hello = json.dumps(dict(hello), separators=(",", ":")).encode() + b"\n"
        self.env = env
        self.log = log
        self.metrics = metrics
        self.backoff_s = backoff_s
        self.healthy_s = healthy_s
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._wake_fd: int | None = None
        self._ready = False
        self._stopping = threading.Event()
        # the thread that starts the child must live as long as it (PR_SET_PDEATHSIG
        # follows the thread that forked, not the process)
        self._thread = threading.Thread(target=self._run, name="opsagent-supervisor",
                                        daemon=True)

    @property
    def ready(self) -> bool:
        """A worker process runs and said its workers are working."""
        return self._ready

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """After a stored batch: one byte on the child's stdin, unless it is full."""
        with self._lock:
            if self._wake_fd is None:
                return
            with contextlib.suppress(BlockingIOError, BrokenPipeError, OSError):
                os.write(self._wake_fd, b"w")

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM to the child, wait for it (SIGKILL after ``timeout_s``)."""
        self._stopping.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        self._thread.join(timeout=timeout_s)
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            self.log.event("worker_killed", "warning", pid=proc.pid,
                           reason=f"still running {timeout_s:.0f} s after SIGTERM")
            proc.kill()
            self._thread.join(timeout=10)

    def _run(self) -> None:
        delay = self.backoff_s[0]
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                code = self._once()
            except OSError as exc:  # could not start it at all
                code = None
                self.log.event("worker_start_failed", "error", reason=str(exc))
            if self._stopping.is_set():
                break
            if time.monotonic() - started >= self.healthy_s:
                delay = self.backoff_s[0]
            how = ({"signal": signal.Signals(-code).name} if code is not None and code < 0
                   else {"exit_code": code})
            self.log.event("worker_exited", "error", **how, restart_in_s=delay)
            self._stopping.wait(delay)
            delay = min(delay * 2, self.backoff_s[1])

    def _once(self) -> int:
        """Run one child until it exits; its exit status."""
        proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, close_fds=True,
                                start_new_session=True)  # a terminal's Ctrl-C: serve's
        assert proc.stdin is not None and proc.stdout is not None
        with contextlib.suppress(OSError):  # a child dead at once: its exit is logged
            os.write(proc.stdin.fileno(), self.hello)  # far below a pipe's buffer
        os.set_blocking(proc.stdin.fileno(), False)
        with self._lock:
            self._proc, self._wake_fd = proc, proc.stdin.fileno()
        if self._stopping.is_set():  # stop() came while it started
            proc.send_signal(signal.SIGTERM)
        self.log.event("worker_started", pid=proc.pid)
        reader = threading.Thread(target=self._read, args=(proc.stdout,),
                                  name="opsagent-worker-reports", daemon=True)
        reader.start()
        code: int = proc.wait()
        reader.join(timeout=5)  # its last lines first: a late "ready" must not stay
        with self._lock:
            self._ready = False
            self._wake_fd = None
            self._proc = None
        with contextlib.suppress(OSError):
            proc.stdin.close()
        proc.stdout.close()
        return code

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            try:
                update = json.loads(line)
            except ValueError:
                continue
            if not isinstance(update, dict):
                continue
            if update.get("ready") is True:
                self._ready = True
                self.wake()  # deliveries stored while it started
            else:
                self.metrics.apply(update)


class Link:
    """The worker process's side: wake-ups and serve's end on stdin, reports on stdout.

    ``start`` renices the process, asks the kernel for SIGTERM when serve dies, moves
    stdout aside (a stray print goes to stderr, not into the reports) and reads stdin."""

    def __init__(self, log: JsonLog, *, on_wake: Callable[[], None],
                 on_parent_gone: Callable[[], None]) -> None:
        self.log = log
        self.on_wake = on_wake
        self.on_parent_gone = on_parent_gone
        self._lock = threading.Lock()
        self._out = -1

    def start(self) -> dict[str, Any]:
        """What serve asked this process to work on (its first line on stdin)."""
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICE)
        _die_with_parent()
        sys.stdout.flush()
        self._out = os.dup(1)
        os.dup2(2, 1)
        first = b""
        while b"\n" not in first:
            data = os.read(0, 4096)
            if not data:
                raise SystemExit("opsagent worker --supervised: serve is gone")
            first += data
        line, _, rest = first.partition(b"\n")
        hello: dict[str, Any] = json.loads(line)
        threading.Thread(target=self._read, args=(bool(rest),), name="opsagent-wake",
                         daemon=True).start()
        return hello

    def report(self, update: Update) -> None:
        """One line to serve; dropped when serve is gone."""
        line = json.dumps(update, separators=(",", ":")).encode() + b"\n"
        with self._lock, contextlib.suppress(OSError):
            os.write(self._out, line)

    def ready(self) -> None:
        self.report({"ready": True})

    def _read(self, woken: bool) -> None:
        if woken:
            self.on_wake()
        while True:
            try:
                data = os.read(0, 4096)
            except OSError:
                data = b""
            if not data:
                break
            self.on_wake()
        # the job in hand may finish; a worker stuck past the bound leaves it to its lease
        deadline = threading.Timer(ORPHAN_GRACE_S, _exit_orphaned)
        deadline.daemon = True
        deadline.start()
        self.on_parent_gone()
        self.log.event("parent_gone", "warning",
                       reason="serve closed the wake-up pipe: stopping")


def _exit_orphaned() -> None:
    """Still running ``ORPHAN_GRACE_S`` after serve was gone: exit now (written without
    the log's lock, which a stuck thread may hold)."""
    line = json.dumps({"ts": round(time.time(), 3), "level": "warning", "event": "stopped",
                       "process": "worker", "reason": f"still busy {ORPHAN_GRACE_S:.0f} s "
                       "after serve was gone; the job in hand goes back when its lease "
                       "lapses"}, separators=(",", ":"))
    with contextlib.suppress(OSError):
        os.write(2, line.encode() + b"\n")
    os._exit(1)


def _die_with_parent() -> None:
    """SIGTERM to this process when its parent dies (Linux; elsewhere the wake-up
    pipe's EOF does it)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


__all__ = ["Link", "Supervisor"]
