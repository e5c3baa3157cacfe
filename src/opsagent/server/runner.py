"""Running the service: ``serve`` (HTTP and, by default, one worker in the same
process) and ``worker`` (triage only). SIGTERM or SIGINT stops accepting, lets the
in-flight requests and the job in hand finish, and exits."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
from .worker import Worker


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
             wake: threading.Event, stop: threading.Event) -> list[threading.Thread]:
    threads = []
    for index in range(count):
        worker = Worker(loaded.store, loaded.triager, group_window_s=loaded.serve.group_window,
                        lease_s=loaded.serve.lease, poll_interval_s=loaded.serve.poll_interval,
                        log=log, metrics=metrics, wake=wake,
                        name=f"{os.uname().nodename}:{os.getpid()}:w{index}",
                        history=loaded.settings.history)
        thread = threading.Thread(target=worker.run, args=(stop,), name=f"opsagent-w{index}")
        thread.start()
        threads.append(thread)
    return threads


def serve(config: str | None, overrides: Mapping[str, Any]) -> None:
    import uvicorn

    from .app import Service, create_app
    from .inbox import Inbox

    env = dict(os.environ)
    log = JsonLog(process="serve")
    loaded = load(config, overrides, env, log)
    if not check_auth_settings(loaded.serve.auth, env, source=_source(loaded)):
        raise ConfigError(f"no service token: set {TOKEN_ENV} or serve.token in the "
                          "config file")
    host, port = loaded.serve.host_port()
    metrics = Metrics()
    wake = threading.Event()
    stop = threading.Event()
    inbox = Inbox(loaded.store, dedupe_window_s=loaded.serve.dedupe_window, log=log,
                  on_stored=wake.set)
    service = Service(store=loaded.store, triager=loaded.triager, settings=loaded.serve,
                      inbox=inbox, log=log, metrics=metrics, env=env)
    app = create_app(service)

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            service.accepting = False  # new deliveries get 503 while in-flight ones finish
            log.event("stopping", signal=signal.Signals(sig).name)
            super().handle_exit(sig, frame)
            # uvicorn re-raises the signal after its shutdown, which would end the process
            # before the workers finish their job in hand: the stop is handled here
            self._captured_signals.clear()

    server = _Server(uvicorn.Config(app, host=host, port=port, access_log=False,
                                    log_level="warning", lifespan="off",
                                    timeout_graceful_shutdown=15))
    inbox.start()
    threads = _workers(loaded, loaded.serve.workers, log, metrics, wake, stop)
    log.event("listening", host=host, port=port, workers=loaded.serve.workers,
              database=redact(loaded.serve.database))
    try:
        server.run()
    finally:
        service.accepting = False
        inbox.stop()
        stop.set()
        wake.set()
        for thread in threads:
            thread.join(timeout=60)
        loaded.store.close()
        log.event("stopped")


def work(config: str | None, overrides: Mapping[str, Any]) -> None:
    env = dict(os.environ)
    log = JsonLog(process="worker")
    loaded = load(config, overrides, env, log)
    stop = threading.Event()
    wake = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        log.event("stopping", signal=signal.Signals(signum).name)
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    count = max(1, loaded.serve.workers)
    threads = _workers(loaded, count, log, Metrics(), wake, stop)
    log.event("working", workers=count, database=redact(loaded.serve.database))
    while any(t.is_alive() for t in threads):
        for thread in threads:
            thread.join(timeout=0.5)
    loaded.store.close()
    log.event("stopped")


__all__ = ["serve", "work"]
