"""``opsagent notify test NAME`` and the notifications of ``opsagent analyze --notify``.

A notification never changes the outcome of a triage: the report is printed, and each
target gets one line on stderr (``sent``, ``skipped`` and why, or ``failed`` and why);
a dry run prints the exact request instead (secrets masked).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import UserError
from .targets import Target, find_target

if TYPE_CHECKING:
    from ..config import Settings
    from ..models.report import TriageReport
    from ..registry import Registry
    from .delivery import Delivery
    from .events import Event

notify_app = typer.Typer(help="Send notifications to the targets of the config file.",
                         no_args_is_help=True)

# the bundled checkout example, the sample of `notify test`
SAMPLE_PAYLOAD: dict[str, Any] = {
    "service": "checkout-service", "error_rate": "18%", "latency_ms": 2400,
    "region": "ap-south-1", "last_deploy": "2 hours ago",
    "symptoms": ["payment failures", "timeout errors"]}
SAMPLE_NOW = "2026-01-15T12:00:00Z"


def register_cli(app: typer.Typer) -> None:
    """Add the ``notify`` command group to a typer app (the ``opsagent`` CLI calls this)."""
    app.add_typer(notify_app, name="notify")


@notify_app.command("test")
def notify_test(
    name: Annotated[str, typer.Argument(help="The target's name in the config file.")],
    config: Annotated[str | None, typer.Option(help="Config file (YAML).")] = None,
) -> None:
    """Send a sample report (the bundled checkout example) to one target; a target in
    dry run (the default) prints the request instead."""
    from ..api import analyze
    from ..config import find_config, load_settings
    from ..registry import default_registry
    from .events import Event

    settings = load_settings(find_config(config, os.environ))
    target = find_target(settings.notify, name, source=_source(settings), field="NAME")
    report = analyze(SAMPLE_PAYLOAD, now=SAMPLE_NOW, llm=None, use_env=False)
    event = Event("test", datetime.now(timezone.utc), revision=0)
    delivery = deliver(report, target, os.environ, default_registry(),
                       source=_source(settings), force=event)
    if delivery.status == "dry_run" and delivery.request is not None:
        sys.stdout.write(delivery.request.describe())
        sys.stderr.write(f"opsagent: notify {name}: dry run (set dry_run: false to send)\n")
        return
    sys.stderr.write(f"opsagent: {delivery.line()}\n")
    if delivery.status != "sent":
        raise typer.Exit(1)


def check_targets(settings: Settings, names: list[str]) -> list[Target]:
    """The targets named by ``--notify``, before any triage (an unknown one is a usage
    error)."""
    return [find_target(settings.notify, n, source=_source(settings)) for n in names]


def notify_after_analyze(report: TriageReport, targets: list[Target],
                         env: Mapping[str, str], registry: Registry,
                         source: str | None = None) -> list[Delivery]:
    """Notify each target once about a finished triage; never raises."""
    out = []
    for target in targets:
        delivery = deliver(report, target, env, registry, source=source)
        if delivery.status == "dry_run" and delivery.request is not None:
            sys.stderr.write(f"opsagent: notify {target.name}: dry run, the request "
                             "that would be sent:\n" + delivery.request.describe())
        else:
            sys.stderr.write(f"opsagent: {delivery.line()}\n")
        out.append(delivery)
    return out


def deliver(report: TriageReport, target: Target, env: Mapping[str, str],
            registry: Registry, *, source: str | None = None,
            force: Event | None = None) -> Delivery:
    from . import notifier_for
    from .delivery import Delivery, notify
    from .outbox import MemoryOutbox

    try:
        resolved = target.resolve(env, source=source)
        notifier = notifier_for(registry, resolved)
    except UserError as exc:
        return Delivery(target.name, "failed", exc.format())
    return notify(report, resolved, notifier, MemoryOutbox(), force=force)


def _source(settings: Settings) -> str | None:
    return str(settings.path) if settings.path else None
