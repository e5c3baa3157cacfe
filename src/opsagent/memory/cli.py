"""``opsagent history list / show / search / export-cases`` and ``opsagent feedback``
(registered on the CLI only when asked for, so ``analyze`` start-up stays lean).

The database is ``--history URL`` or ``history:`` in the config file (a bare file name
is a SQLite database), the one ``opsagent analyze --history`` records into; point it at
the service's database to see and teach the service's incidents.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ConfigError, InputError

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import IncidentRow, Store
    from ..store.memory import MemoryStore

history_app = typer.Typer(help="Past incidents: list, show, search, export as eval cases.",
                          no_args_is_help=True)

HistoryOption = Annotated[str | None, typer.Option(
    "--history", metavar="URL",
    help="History database: sqlite:///PATH, postgresql://… or a file name "
         "[default: history: in the config file].")]
ConfigOption = Annotated[str | None, typer.Option(metavar="FILE", help="Config file (YAML).")]


def register_cli(app: typer.Typer) -> None:
    """Add ``history`` and ``feedback`` to a typer app (the ``opsagent`` CLI calls this)."""
    app.add_typer(history_app, name="history")
    app.command("feedback")(feedback)


def _settings(config: str | None) -> Settings:
    from ..config import find_config, load_settings

    return load_settings(find_config(config, os.environ))


@contextmanager
def _opened(url: str | None, config: str | None) -> Iterator[tuple[Store, MemoryStore]]:
    from ..plugins import default_registry
    from .recorder import open_history

    settings = _settings(config)
    chosen = url or settings.history.database
    if not chosen:
        raise ConfigError("no history database: give --history URL or history: in the "
                          "config file", field="--history")
    store, memory = open_history(chosen, default_registry())
    try:
        yield store, memory
    finally:
        store.close()


def _iso(value: float | None) -> str:
    if value is None:
        return "-"
    return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _line(row: IncidentRow, confirmed: str | None) -> str:
    services = ",".join(row.services) or "-"
    cause = row.top_cause or "-"
    if confirmed:
        cause += f" (confirmed: {confirmed})"
    return (f"{row.id}  {_iso(row.started_at or row.created_at)}  {row.severity:<6}  "
            f"{services}  {cause}  {row.title}\n")


def _confirmed(memory: MemoryStore, incident_id: str) -> str | None:
    from ..store.memory import confirmed_cause

    return confirmed_cause(memory.feedback(incident_id))


@history_app.command("list")
def history_list(
    service: Annotated[str | None, typer.Option(metavar="S",
                                                help="Only incidents of this service.")] = None,
    since: Annotated[str | None, typer.Option(
        metavar="ISO", help="Only incidents updated since this time (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(metavar="N", min=1, help="At most N.")] = 50,
    history: HistoryOption = None,
    config: ConfigOption = None,
) -> None:
    """The recorded incidents, the most recently updated first."""
    from ..values import parse_time

    after = None
    if since is not None:
        parsed = parse_time(since, "--since")
        if parsed is None:
            raise InputError("expected an ISO 8601 time", field="--since")
        after = parsed.timestamp()
    with _opened(history, config) as (store, memory):
        rows = store.incidents(service=service, since=after, limit=limit)
        for row in rows:
            sys.stdout.write(_line(row, _confirmed(memory, row.id)))
    sys.stderr.write(f"opsagent: {len(rows)} incident{'s' if len(rows) != 1 else ''}\n")


@history_app.command("show")
def history_show(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident's id.")],
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT",
                                        help="text, markdown or json.")] = "text",
    history: HistoryOption = None,
    config: ConfigOption = None,
) -> None:
    """One incident: its latest report, its revisions and the feedback given on it."""
    from ..models import TriageReport
    from ..plugins import default_registry

    if format not in ("text", "markdown", "json"):
        raise InputError(f"unknown format {format!r}; expected text, markdown or json",
                         field="--format")
    with _opened(history, config) as (store, memory):
        row = _incident(store, incident_id)
        revisions = store.revisions(incident_id)
        given = memory.feedback(incident_id)
    latest = revisions[-1].report if revisions else None
    said = [{"cause": f.cause, "verdict": f.verdict, "by": f.by, "at": _iso(f.at),
             "note": f.note, "resolution": f.resolution} for f in given]
    if format == "json":
        sys.stdout.write(json.dumps({
            "id": row.id, "title": row.title, "services": row.services,
            "status": row.status, "severity": row.severity,
            "started_at": _iso(row.started_at) if row.started_at else None,
            "revisions": len(revisions), "feedback": said, "report": latest},
            indent=2, ensure_ascii=False) + "\n")
        return
    if latest is not None:
        sys.stdout.write(default_registry().renderer(format)(
            TriageReport.model_validate(latest)))
    heading = "## Feedback\n\n" if format == "markdown" else "FEEDBACK\n"
    bullet = "- " if format == "markdown" else "  "
    sys.stdout.write(f"\n{heading}")
    if not said:
        sys.stdout.write(f"{bullet}none yet (opsagent feedback {row.id} --cause … "
                         "--correct|--wrong)\n")
    for item in said:
        extra = "".join(f"; {k}: {item[k]}" for k in ("note", "resolution") if item[k])
        sys.stdout.write(f"{bullet}{item['at']} {item['by'] or 'someone'}: {item['cause']} "
                         f"{item['verdict']}{extra}\n")
    sys.stdout.write(f"{bullet}{len(revisions)} report revision"
                     f"{'s' if len(revisions) != 1 else ''}\n")


@history_app.command("search")
def history_search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to look for.")],
    limit: Annotated[int, typer.Option(metavar="N", min=1, help="At most N.")] = 20,
    history: HistoryOption = None,
    config: ConfigOption = None,
) -> None:
    """Incidents whose summary, services, alerts, causes or resolution have these words,
    the best match first."""
    with _opened(history, config) as (store, memory):
        found = memory.search(text, limit=limit)
        for incident_id, _score in found:
            row = store.incident(incident_id)
            if row is not None:
                sys.stdout.write(_line(row, _confirmed(memory, incident_id)))
    if not found:
        sys.stderr.write(f"opsagent: no incident matches {text!r}\n")


def feedback(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident's id.")],
    cause: Annotated[str, typer.Option(
        metavar="CATEGORY_OR_FAILURE_MODE",
        help="A taxonomy category or a failure-mode id (opsagent kb list).")],
    correct: Annotated[bool, typer.Option("--correct", help="The cause was right.")] = False,
    wrong: Annotated[bool, typer.Option("--wrong", help="The cause was wrong.")] = False,
    note: Annotated[str, typer.Option(metavar="TEXT", help="Why, in a few words.")] = "",
    resolution: Annotated[str | None, typer.Option(
        metavar="TEXT", help="What fixed it.")] = None,
    by: Annotated[str | None, typer.Option(
        metavar="NAME", help="Who says so [default: $USER].")] = None,
    history: HistoryOption = None,
    config: ConfigOption = None,
) -> None:
    """Say whether a cause of a past incident was right; a later word on the same cause
    supersedes an earlier one, and similar incidents learn from it."""
    from ..knowledge.loader import load_knowledge
    from ..models import CATEGORIES

    if correct == wrong:
        raise InputError("give exactly one of --correct and --wrong", field="--correct")
    settings = _settings(config)
    modes = {fm.id for fm in load_knowledge(settings.knowledge).failure_modes}
    if cause not in CATEGORIES and cause not in modes:
        raise InputError(f"unknown cause {cause!r}; expected a category "
                         f"({', '.join(CATEGORIES)}) or a failure-mode id (opsagent kb list)",
                         field="--cause")
    with _opened(history, config) as (store, memory):
        _incident(store, incident_id)
        entry = memory.add_feedback(incident_id, cause=cause,
                                    verdict="correct" if correct else "wrong",
                                    by=by or os.environ.get("USER") or None, note=note,
                                    resolution=resolution)
    sys.stderr.write(f"opsagent: recorded: {incident_id} {cause} {entry.verdict}"
                     f"{' by ' + entry.by if entry.by else ''}\n")


@history_app.command("export-cases")
def history_export(
    directory: Annotated[Path, typer.Argument(metavar="DIR",
                                              help="Where to write the cases.")],
    history: HistoryOption = None,
    config: ConfigOption = None,
) -> None:
    """Incidents with a confirmed cause as labeled eval cases (the corpus format: the
    payloads and expected.yaml); `opsagent eval DIR` scores them."""
    from .export import export_case

    written = 0
    with _opened(history, config) as (store, memory):
        settings = _settings(config)
        for incident_id in memory.confirmed():
            if export_case(store, memory, incident_id, directory, settings):
                written += 1
    sys.stderr.write(f"opsagent: {written} case{'s' if written != 1 else ''} written to "
                     f"{directory}\n")


@history_app.command("backfill")
def history_backfill(
    limit: Annotated[int, typer.Option(metavar="N", min=1,
                                       help="At most N incidents this run.")] = 1000,
    history: HistoryOption = None,
    config: ConfigOption = None,
) -> None:
    """Give memory records to incidents stored before there was memory (the newest
    first), so that later triages find them as similar incidents."""
    from ..plugins import default_registry
    from ..triager import Triager
    from .backfill import backfill

    settings = _settings(config)
    triager = Triager.from_settings(settings, default_registry(), env=os.environ,
                                    no_llm=True)
    with _opened(history, config) as (store, memory):
        done = backfill(store, memory, triager, limit=limit)
    more = f"; {done.left} left (run it again)" if done.left else ""
    sys.stderr.write(f"opsagent: {done.recorded} incident{'s' if done.recorded != 1 else ''}"
                     f" remembered{more}\n")


def _incident(store: Store, incident_id: str) -> IncidentRow:
    row = store.incident(incident_id)
    if row is None:
        raise InputError(f"no incident {incident_id!r} in the history", field="ID")
    return row
