"""Running the service: ``serve`` (HTTP, and by default one worker process it starts
and supervises, see :mod:`.supervisor`) and ``worker`` (triage only). SIGTERM or SIGINT
stops accepting, lets the in-flight requests and the job in hand finish, and exits."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..config import Settings, find_config, load_settings
from ..errors import ConfigError
from ..plugins import default_registry
from ..registry import Registry
from ..store import Store, open_store
from ..store.sql import redact
from ..triager import Triager
from .auth import TOKEN_ENV, check_auth_settings
from .logs import JsonLog
from .metrics import Metrics
from .settings import ServeSettings, serve_settings
from .supervisor import Link, Supervisor
from .worker import Plan, Worker

if TYPE_CHECKING:
    from .notifier import Notifying

SWITCH_INTERVAL_S = 0.001  # the interpreter's default is 0.005


@dataclass
class Loaded:
    settings: Settings
    serve: ServeSettings
    registry: Registry
    store: Store
    triager: Triager


def load(config: str | None, overrides: Mapping[str, Any], env: Mapping[str, str],
         log: JsonLog) -> Loaded:
    """The config file read once, the store opened and migrated, the triager built."""
    path = find_config(config, env)
    settings = load_settings(path)
    serve = serve_settings(settings.serve, str(path) if path else None, overrides)
    registry = default_registry()
    store = open_store(serve.database, registry)
    log.event("store_ready", database=redact(serve.database))
    triager = Triager.from_settings(settings, registry, env=env)
    return Loaded(settings, serve, registry, store, triager)


def _source(loaded: Loaded) -> str | None:
    return str(loaded.settings.path) if loaded.settings.path else None


def _workers(loaded: Loaded, count: int, log: JsonLog, metrics: Metrics,
             wake: threading.Event, stop: threading.Event,
             env: Mapping[str, str]) -> list[threading.Thread]:
    plan = _planner(loaded, env, log, metrics)
    if count and loaded.store.listen_for_jobs(wake.set, stop):  # PostgreSQL: NOTIFY
        log.event("listening_for_jobs", database=redact(loaded.serve.database))
    threads = []
    for index in range(count):
        worker = Worker(loaded.store, loaded.triager, group_window_s=loaded.serve.group_window,
                        lease_s=loaded.serve.lease, poll_interval_s=loaded.serve.poll_interval,
                        log=log, metrics=metrics, wake=wake,
                        name=f"{os.uname().nodename}:{os.getpid()}:w{index}", plan=plan,
                        history=loaded.settings.history)
        thread = threading.Thread(target=worker.run, args=(stop,), name=f"opsagent-w{index}")
        thread.start()
        threads.append(thread)
    return threads


def _planner(loaded: Loaded, env: Mapping[str, str], log: JsonLog,
             metrics: Metrics) -> Plan | None:
    parts = _notifying(loaded, env, log, metrics)
    if parts is None:
        return None
    from .notifier import Planner

    return Planner(parts)


def _notifying(loaded: Loaded, env: Mapping[str, str], log: JsonLog,
               metrics: Metrics) -> Notifying | None:
    """What notifying needs, when ``notify:`` has targets and the store an outbox."""
    if not loaded.settings.notify:
        return None
    from ..store.outbox import outbox_for
    from .notifier import Notifying

    outbox = outbox_for(loaded.store)
    if outbox is None:
        log.event("notify_unavailable", "warning", reason=f"the store "
                  f"{type(loaded.store).__name__} has no notification outbox")
        return None
    return Notifying(outbox, loaded.settings.notify, loaded.registry, env, log, metrics)


def _sender(loaded: Loaded, env: Mapping[str, str], log: JsonLog, metrics: Metrics,
            stop: threading.Event) -> list[threading.Thread]:
    """One thread sending the outbox's notifications (when ``notify:`` has targets)."""
    parts = _notifying(loaded, env, log, metrics)
    if parts is None:
        return []
    from .notifier import Sender

    sender = Sender(parts, lease_s=loaded.serve.lease,
                    poll_interval_s=loaded.serve.poll_interval,
                    name=f"{os.uname().nodename}:{os.getpid()}:s")
    thread = threading.Thread(target=sender.run, args=(stop,), name="opsagent-sender")
    thread.start()
    return [thread]


def serve(config: str | None, overrides: Mapping[str, Any]) -> None:
    import uvicorn

    from .app import Service, create_app
    from .inbox import Inbox

    env = dict(os.environ)
    # the event loop and the inbox writer (and the sender, the metrics' reader) hand the
    # GIL to each other after 1 ms, not 5
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    log = JsonLog(process="serve")
    loaded = load(config, overrides, env, log)
    if not check_auth_settings(loaded.serve.auth, env, source=_source(loaded)):
        raise ConfigError(f"no service token: set {TOKEN_ENV} or serve.token in the "
                          "config file")
    host, port = loaded.serve.host_port()
    metrics = Metrics()
    stop = threading.Event()
    supervisor = _supervisor(loaded, env, log, metrics) if loaded.serve.workers else None
    inbox = Inbox(loaded.store, dedupe_window_s=loaded.serve.dedupe_window, log=log,
                  on_stored=supervisor.wake if supervisor is not None else lambda: None)
    from ..store.outbox import outbox_for

    service = Service(store=loaded.store, triager=loaded.triager, settings=loaded.serve,
                      inbox=inbox, log=log, metrics=metrics, env=env,
                      outbox=outbox_for(loaded.store), supervisor=supervisor)
    app = create_app(service)

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            service.accepting = False  # new deliveries get 503 while in-flight ones finish
            log.event("stopping", signal=signal.Signals(sig).name)
            super().handle_exit(sig, frame)
            # uvicorn re-raises the signal after its shutdown, which would end the process
            # before the workers finish their job in hand: the stop is handled here
            self._captured_signals.clear()

    # no access log (the inbox logs each delivery), no X-Forwarded-* rewriting (nothing
    # here reads the client's address)
    server = _Server(uvicorn.Config(app, host=host, port=port, access_log=False,
                                    proxy_headers=False, log_level="warning",
                                    lifespan="off", timeout_graceful_shutdown=15))
    inbox.start()
    if supervisor is not None:
        supervisor.start()
    threads = _sender(loaded, env, log, metrics, stop)
    log.event("listening", host=host, port=port, workers=loaded.serve.workers,
              database=redact(loaded.serve.database))
    try:
        server.run()
    finally:
        service.accepting = False
        inbox.stop()
        stop.set()
        if supervisor is not None:
            supervisor.stop()  # SIGTERM: it finishes or releases its job in hand
        for thread in threads:
            thread.join(timeout=60)
        loaded.store.close()
        log.event("stopped")


def worker_count(flag: int | None, configured: int) -> int:
    """How many worker threads ``opsagent worker`` runs: ``--workers`` (1 or more; 0
    would be a worker process that triages nothing, refused), else ``serve.workers``
    of a shared config file when it is 1 or more (0 there means an HTTP-only ``serve``
    in front of separate workers), else 1."""
    if flag is not None and flag < 1:
        raise ConfigError(f"opsagent worker --workers {flag} would triage nothing; give 1 "
                          "or more (--workers 0 is for opsagent serve: HTTP only, in front "
                          "of separate workers)", field="--workers")
    return flag if flag is not None else max(1, configured)


def _supervisor(loaded: Loaded, env: Mapping[str, str], log: JsonLog,
                metrics: Metrics) -> Supervisor:
    """serve's worker process: ``opsagent worker --supervised`` on serve's config file,
    database and environment, with serve's ``--workers`` threads."""
    argv = [sys.executable, "-m", "opsagent.cli", "worker", "--supervised"]
    hello = {"config": _source(loaded), "database": loaded.serve.database,
             "workers": loaded.serve.workers}
    return Supervisor(argv, hello, env=dict(env), log=log, metrics=metrics)


def work(config: str | None, overrides: Mapping[str, Any]) -> None:
    """``opsagent worker``; with ``supervised``, serve's own worker process (what to
    work on comes from serve, its metrics are reported to serve, serve sends the
    notifications)."""
    supervised = bool(overrides.get("supervised"))
    overrides = {k: v for k, v in overrides.items() if k != "supervised"}
    worker_count(overrides.get("workers"), 1)  # a bad flag fails before any set-up
    env = dict(os.environ)
    log = JsonLog(process="worker")
    stop = threading.Event()
    wake = threading.Event()

    def _halt() -> None:
        stop.set()
        wake.set()

    def _stop(signum: int, frame: Any) -> None:
        log.event("stopping", signal=signal.Signals(signum).name)
        _halt()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    link = None
    if supervised:
        link = Link(log, on_wake=wake.set, on_parent_gone=_halt)
        hello = link.start()
        config = hello.get("config")
        overrides = {"database": hello.get("database"), "workers": hello.get("workers")}
    loaded = load(config, overrides, env, log)
    count = worker_count(overrides.get("workers"), loaded.serve.workers)
    metrics = Metrics(report=link.report if link is not None else None)
    threads = _workers(loaded, count, log, metrics, wake, stop, env)
    if link is None:
        threads += _sender(loaded, env, log, metrics, stop)
    else:
        link.ready()
    log.event("working", workers=count, database=redact(loaded.serve.database))
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=0.5)
    loaded.store.close()
    log.event("stopped")


__all__ = ["serve", "work"]
