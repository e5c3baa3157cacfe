"""The ``opsagent`` command: a thin typer app over the library.

Exit codes: 0 ok; 2 invalid input or usage (one line per problem on stderr); 1 an
unexpected internal error.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from .cli_help import readable
from .errors import ConfigError, InputError, InputErrors, OpsagentError, UserError

app = typer.Typer(
    name="opsagent",
    help="Operations triage: what is wrong, how bad, why, and what to do next.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
schema_app = typer.Typer(help="Print JSON Schemas.", no_args_is_help=True)
kb_app = typer.Typer(help="Inspect and check the knowledge base.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(kb_app, name="kb")

_PAYLOAD_SUFFIXES = {".json", ".ndjson", ".jsonl"}


def _print_version(value: bool) -> None:
    if value:
        from ._version import __version__

        sys.stdout.write(f"opsagent {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    """Operations triage: what is wrong, how bad, why, and what to do next."""


def _read_inputs(paths: list[str]) -> tuple[list[Any], list[UserError], list[UserError]]:
    """The documents of every payload; the problems of payloads that are not JSON (the
    others are still triaged); and the files that cannot be read at all (usage errors)."""
    from .ingest.documents import Document, read_documents

    docs: list[Document] = []
    problems: list[UserError] = []
    unreadable: list[UserError] = []
    sources: list[tuple[str, bytes | None, Path | None]] = []
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no input: give payload files, a directory, or '-' for stdin")
        paths = ["-"]
    for name in paths:
        if name == "-":
            sources.append(("<stdin>", _read_bounded(sys.stdin.buffer, "<stdin>"), None))
            continue
        path = Path(name)
        if _is_dir(path):
            try:
                files = sorted(p for p in path.iterdir()
                               if p.suffix in _PAYLOAD_SUFFIXES and p.is_file())
            except OSError as exc:
                unreadable.append(InputError(
                    f"cannot read the directory: {exc.strerror or exc}", source=name))
                continue
            if not files:
                unreadable.append(InputError("directory holds no .json/.ndjson payloads",
                                             source=name))
            sources.extend((str(p), None, p) for p in files)
        else:
            sources.append((name, None, path))
    for source, content, file in sources:
        data = content
        if data is None and file is not None:
            try:
                data = _read_file(file, source)
            except UserError as exc:
                unreadable.append(exc)
                continue
        assert data is not None
        try:
            found, bad_lines = read_documents(data, source)
        except UserError as exc:
            problems.append(exc)
            continue
        docs.extend(found)
        problems.extend(bad_lines)
    return docs, problems, unreadable


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a parent that cannot be traversed: reading it will say so
        return False


def _read_bounded(stream: BinaryIO, source: str) -> bytes:
    """At most the payload limit from ``stream`` (stdin, a file that grows while read):
    what is over it is refused, never read to the end."""
    from .ingest.documents import MAX_BYTES

    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"payload is over the limit of {MAX_BYTES // 1_048_576} MiB",
                         source=source)
    return data


def _read_file(path: Path, source: str) -> bytes:
    from .ingest.documents import MAX_BYTES

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device could block or never end
            raise InputError("not a regular file (pipe it in with '-' to read a stream)",
                             source=source)
        if info.st_size > MAX_BYTES:
            raise InputError(f"payload is {info.st_size / 1_048_576:.0f} MiB; the limit is "
                             f"{MAX_BYTES // 1_048_576} MiB", source=source)
        with path.open("rb") as handle:
            return _read_bounded(handle, source)
    except FileNotFoundError:
        what = "directory does not exist" if source.endswith("/") else "file not found"
        raise InputError(what, source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory", source=source) from None
    except PermissionError:
        raise InputError("permission denied", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None


@app.command()
def analyze(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Payload files or directories (JSON, JSON array or NDJSON); '-' for stdin.",
        show_default=False, metavar="PATH")] = None,
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT",
                                        help="text, json or markdown.")] = "text",
    now: Annotated[str | None, typer.Option(
        metavar="TIME",
        help="Pin 'now' (ISO 8601) for relative times such as '2 hours ago'.")] = None,
    catalog: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Service catalog file (YAML/JSON).")] = None,
    knowledge: Annotated[list[Path] | None, typer.Option(
        "--knowledge", metavar="DIR", help="Extra knowledge directory (repeatable).")] = None,
    llm: Annotated[str | None, typer.Option(
        metavar="SPEC",
        help="Turn the LLM agent on: openai:MODEL, anthropic:MODEL, ollama:MODEL, "
             "openai-compatible:URL#MODEL, local:PATH.gguf.")] = None,
    no_llm: Annotated[bool, typer.Option(
        "--no-llm", help="Engine only, even if the environment configures an LLM.")] = False,
    config: Annotated[str | None, typer.Option(metavar="FILE",
                                               help="Config file (YAML).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="Write the report to this file.")] = None,
    log_file: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Append the report as one JSON line (a structured log sink).")] = None,
    brief: Annotated[bool, typer.Option(
        help="Text format: titles only, without evidence and reasons.")] = False,
    strict: Annotated[bool, typer.Option(
        help="Refuse the input (exit 2) on any value or document that cannot be read, "
             "instead of triaging the rest with a note.")] = False,
    notify: Annotated[list[str] | None, typer.Option(
        "--notify", help="Notify this target of the config file (repeatable).")] = None,
    history: Annotated[str | None, typer.Option(
        "--history", metavar="URL",
        help="Record the incident and its report in this history database and use its "
             "past incidents (sqlite:///PATH, postgresql://… or a file name) "
             "[default: history: in the config file].")] = None,
) -> None:
    """Triage one incident: every payload given is a signal of it.

    A value that cannot be read, or a bad document among good ones, is one line on
    stderr (and a note in the report) and the rest is triaged.
    """
    from .config import find_config, load_settings
    from .ingest import build_incident
    from .plugins import default_registry
    from .report.text import render_text
    from .triager import Triager
    from .values import parse_time

    registry = default_registry()
    renderer = registry.renderer(format)
    config_path = find_config(config, os.environ)
    if config_path is not None and not config_path.is_file():  # named by the user: say where
        raise ConfigError("config file does not exist" if not config_path.exists()
                          else "config file is not a file", source=str(config_path),
                          field="--config" if config else "OPSAGENT_CONFIG")
    if catalog is not None and not catalog.is_file():
        raise InputError("catalog file does not exist" if not catalog.exists()
                         else "catalog is not a file", source=str(catalog), field="--catalog")
    settings = load_settings(config_path)
    if notify:
        from .notify.cli import check_targets
        targets = check_targets(settings, notify)
    pinned = None
    if now is not None:
        pinned = parse_time(now, "--now")
        if pinned is None:
            raise InputError("expected an ISO 8601 time", field="--now")
    docs, problems, unreadable = _read_inputs(paths or [])
    if unreadable:  # report the files that cannot be read and every problem of the others
        if docs:
            try:
                build_incident(docs, now=pinned, registry=registry, strict=True)
            except InputErrors as exc:
                problems.extend(exc.errors)
            except UserError as exc:
                problems.append(exc)
        errors = [*unreadable, *problems]
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    incident = build_incident(docs, now=pinned, registry=registry, strict=strict,
                              problems=problems)
    triager = Triager.from_settings(settings, registry, env=os.environ, catalog=catalog,
                                    knowledge=knowledge or (), llm=llm, no_llm=no_llm)
    recorder = None
    if history or settings.history.database:  # incident memory: see opsagent.memory.recorder
        from .memory.recorder import Recorder

        recorder = Recorder(history or str(settings.history.database), settings.history,
                            registry)
    report = (recorder.triage(triager, incident) if recorder is not None
              else triager.triage_incident(incident))
    for note in report.input_notes:  # what could not be read: one line each
        sys.stderr.write(f"opsagent: note: {note.format()}\n")
    text = render_text(report, detail=False) if (brief and format == "text") else renderer(report)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", source=str(output)) from None
    else:
        sys.stdout.write(text)
    if log_file is not None:
        line = json.dumps(report.model_dump(mode="json"), ensure_ascii=False,
                          separators=(",", ":"))
        try:
            with log_file.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}",
                             source=str(log_file)) from None
    if recorder is not None:
        try:
            recorder.record(triager, incident, report, docs)
        finally:
            recorder.close()
    if notify:  # after the report is out; a failure is one line on stderr, never the exit code
        from .notify.cli import notify_after_analyze
        notify_after_analyze(report, targets, os.environ, registry, str(settings.path))


@schema_app.command("input")
def schema_input() -> None:
    """JSON Schema of the generic event (the hand-written input format)."""
    from .ingest.schema import input_schema

    sys.stdout.write(json.dumps(input_schema(), indent=2) + "\n")


@schema_app.command("report")
def schema_report() -> None:
    """JSON Schema of the triage report (--format json)."""
    from .models.report import report_schema

    sys.stdout.write(json.dumps(report_schema(), indent=2) + "\n")


@kb_app.command("list")
def kb_list(
    knowledge: Annotated[list[Path] | None, typer.Option(
        "--knowledge", metavar="DIR", help="Extra knowledge directory (repeatable).")] = None,
) -> None:
    """List the failure modes: id, category, title (as a report shows it when nothing
    fills its placeholders) and where each comes from."""
    from .engine.actions import render_template
    from .knowledge.loader import load_knowledge

    kb = load_knowledge(knowledge or [])
    width = max((len(fm.id) for fm in kb.failure_modes), default=10)
    for fm in sorted(kb.failure_modes, key=lambda f: (f.category, f.id)):
        origin = kb.origin.get(fm.id, "")
        where = "builtin" if "/knowledge/builtin/" in origin else origin
        cases = len(fm.cases.match) + len(fm.cases.no_match)
        title = render_template(fm.title, {})
        sys.stdout.write(f"{fm.id:<{width}}  {fm.category:<19}  {title}  "
                         f"[{len(fm.actions)} actions, {cases} cases, {where}]\n")
    sys.stdout.write(f"{len(kb.failure_modes)} failure modes, {len(kb.terms)} vocabulary "
                     f"terms, {len(kb.general_actions)} general actions\n")


@kb_app.command("lint")
def kb_lint(
    dirs: Annotated[list[Path] | None, typer.Argument(
        help="Knowledge directories to check (the built-in one is always loaded).",
        show_default=False, metavar="DIR")] = None,
    cases: Annotated[bool, typer.Option(help="Also run every failure mode's cases.")] = True,
) -> None:
    """Check knowledge files: schema, unknown features, each failure mode's cases and the
    examples of terms, metric families and observation phrases."""
    from .knowledge.cases import run_cases, run_examples
    from .knowledge.loader import lint

    kb, errors = lint(dirs or [])
    problems = [e.format() for e in errors]
    checked = examples = 0
    if cases and not errors:
        results = run_cases(kb)
        checked = len(results)
        problems.extend(r.describe() for r in results if not r.ok)
        tried = run_examples(kb)
        examples = len(tried)
        problems.extend(r.describe() for r in tried if not r.ok)
    for line in problems:
        sys.stderr.write(f"opsagent: {line}\n")
    if problems:
        raise typer.Exit(2)
    sys.stdout.write(f"ok: {len(kb.failure_modes)} failure modes, {len(kb.terms)} terms, "
                     f"{len(kb.metric_families)} metric families, {checked} cases and "
                     f"{examples} examples passed\n")


@kb_app.command("features")
def kb_features() -> None:
    """List every feature a failure mode may use as evidence."""
    from .engine.features import ENGINE_FEATURES
    from .knowledge.loader import load_knowledge

    kb = load_knowledge()
    for name, description in sorted(ENGINE_FEATURES.items()):
        sys.stdout.write(f"{name:<28} {description}\n")
    for term in sorted(kb.terms, key=lambda t: t.feature):
        sys.stdout.write(f"{term.feature:<28} {term.description} (vocabulary)\n")


@app.command()
def version() -> None:
    """Print the version."""
    from ._version import __version__

    sys.stdout.write(f"opsagent {__version__}\n")


_SERVER_COMMANDS = ("serve", "worker")
_MEMORY_COMMANDS = ("history", "feedback")


def _register_extensions() -> None:
    """Let optional modules add their commands (once, however often ``main`` runs)."""
    if any(info.name == "eval" for info in app.registered_commands):
        return
    from .ingest.cli import register_cli as register_ingest_cli

    register_ingest_cli(app)

    from .notify.cli import register_cli as register_notify

    register_notify(app)
    try:
        from .evaluation import register_cli
    except ImportError:  # the evaluation module is optional at import time
        return
    register_cli(app)


def _register_server() -> bool:
    """Add ``serve`` and ``worker``; False when the server extra is not installed."""
    try:
        import sqlalchemy  # noqa: F401  (the server extra)
        import starlette  # noqa: F401
    except ImportError:
        return False
    from .server.cli import register_cli

    register_cli(app)
    return True


def _register_memory() -> None:
    """Add ``history`` and ``feedback`` (once)."""
    if any(group.name == "history" for group in app.registered_groups):
        return
    from .memory.cli import register_cli

    register_cli(app)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to exit codes and one readable line each. Output that
    cannot be written (a full disk or ``/dev/full``) is one line and exit 2 as well; a
    reader that went away (``| head``) is not an error."""
    try:
        code = _main(argv)
        sys.stdout.flush()
        if argv is None:
            _leave_abandoned_agent(code)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        _silence_stdout()
        sys.stderr.write(f"opsagent: error: cannot write the output: "
                         f"{exc.strerror or exc}\n")
        return 2
    return code


def _leave_abandoned_agent(code: int) -> None:
    """A one-shot command whose agent thread outlived its budget ends now, without the
    interpreter's shutdown: a thread stopped inside a C library's call during shutdown can
    abort the process after the report was written. The report is already out."""
    agent = sys.modules.get("opsagent.agent.refine")
    if agent is None or not agent.abandoned():
        return
    sys.stderr.flush()
    os._exit(code)


def _silence_stdout() -> None:
    """What is still buffered for a stdout that cannot take it is dropped, so that the
    interpreter's own flush at exit has nothing left to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a stdout without a descriptor (tests)
        pass


def _main(argv: list[str] | None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in (*_MEMORY_COMMANDS, "--help", "-h"):
        _register_memory()
    if not args or args[0] in ("eval", "formats", "detect", "notify", "--help", "-h"):
        # the commands of optional modules; `analyze` start-up stays lean
        _register_extensions()
    if (not args or args[0] in (*_SERVER_COMMANDS, "--help", "-h")) and \
            not _register_server() and args and args[0] in _SERVER_COMMANDS:
        sys.stderr.write(f"opsagent: error: '{args[0]}' needs the server extra: "
                         "pip install 'opsagent[server]'\n")
        return 2
    debug = os.environ.get("OPSAGENT_DEBUG") == "1"
    try:
        try:
            # without standalone mode, an Exit(code) comes back as the return value
            command = readable(typer.main.get_command(app))
            result = command.main(args=args, prog_name="opsagent", standalone_mode=False)
            if isinstance(result, int) and not isinstance(result, bool):
                return result
        except Exception as exc:
            if isinstance(exc, UserError) or not (
                    hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare 'opsagent': show the help
                sys.stderr.write(exc.format_message() + "\n")
                return 2
            sys.stderr.write(f"opsagent: error: {exc.format_message()}\n")
            return int(exc.exit_code)
    except UserError as exc:
        for line in exc.format().splitlines():
            sys.stderr.write(f"opsagent: error: {line}\n")
        return 2
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0))
    except SystemExit as exc:  # typer's completion options end the process themselves
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except typer.Abort:
        sys.stderr.write("opsagent: aborted\n")
        return 1
    except BrokenPipeError:
        raise
    except OSError as exc:
        if exc.errno in _OUTPUT_ERRNOS:
            raise
        if debug:
            raise
        sys.stderr.write(f"opsagent: internal error: {type(exc).__name__}: {exc} "
                         "(set OPSAGENT_DEBUG=1 for a traceback)\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except OpsagentError as exc:
        sys.stderr.write(f"opsagent: internal error: {exc}\n")
        return 1
    except Exception as exc:
        if debug:
            raise
        sys.stderr.write(f"opsagent: internal error: {type(exc).__name__}: {exc} "
                         "(set OPSAGENT_DEBUG=1 for a traceback)\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
