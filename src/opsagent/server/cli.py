"""``opsagent serve`` and ``opsagent worker`` (registered on the CLI only when asked for,
so ``analyze`` start-up stays lean)."""

from __future__ import annotations

from typing import Annotated

import typer

Database = Annotated[str | None, typer.Option(
    help="sqlite:///PATH or postgresql://… [default: sqlite:///opsagent.db].")]
Config = Annotated[str | None, typer.Option(help="Config file (YAML).")]


def register_cli(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        listen: Annotated[str | None, typer.Option(
            help="HOST:PORT to listen on [default: 127.0.0.1:8080].")] = None,
        database: Database = None,
        workers: Annotated[int | None, typer.Option(
            help="Triage worker threads in the worker process serve starts and "
                 "supervises (0: none, HTTP only) [default: 1].")] = None,
        config: Config = None,
    ) -> None:
        """Receive webhooks, store them durably, triage them into incidents."""
        from .runner import serve as run

        run(config, {"listen": listen, "database": database, "workers": workers})

    @app.command("worker")
    def worker(
        database: Database = None,
        workers: Annotated[int | None, typer.Option(
            help="Worker threads in this process, 1 or more [default: serve.workers "
                 "when 1 or more, else 1].")] = None,
        config: Config = None,
        supervised: Annotated[bool, typer.Option(
            hidden=True, help="Started by opsagent serve: settings, wake-ups and "
                              "metrics over stdin and stdout.")] = False,
    ) -> None:
        """Triage stored deliveries (more workers beside `opsagent serve`)."""
        from .runner import work

        work(config, {"database": database, "workers": workers, "supervised": supervised})
