"""The ingest commands of the ``opsagent`` CLI: ``formats`` lists the input formats and
what each detects on; ``detect FILE ...`` says which format takes each document of the
files and why, or why none does. The CLI calls :func:`register_cli` lazily."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..registry import default_registry


def formats_command() -> None:
    """List the input formats, in detection order, with what each detects on and the
    distribution that provides it (opsagent or a plug-in)."""
    from .detect import detects_on

    registry = default_registry()
    adapters = list(registry.adapters())
    width = max(len(a.name) for a in adapters)
    origins: dict[str, int] = {}
    for adapter in adapters:
        origin = registry.origin("adapter", adapter.name) or "unknown"
        origins[origin] = origins.get(origin, 0) + 1
        sys.stdout.write(f"{adapter.name:<{width}}  {adapter.title}\n"
                         f"{'':<{width}}  detects on: {detects_on(adapter)}\n"
                         f"{'':<{width}}  from: {origin}\n")
    counts = ", ".join(f"{count} from {origin}" for origin, count in origins.items())
    sys.stdout.write(f"{len(adapters)} formats ({counts}); tried in this order, the first "
                     "that accepts a document takes it\n")


def detect_command(
    paths: Annotated[list[str], typer.Argument(
        help="Payload files ('-' for stdin); each document of each file is explained.")],
) -> None:
    """Say which format takes each document of the files, and why (or why none does)."""
    from .detect import explain
    from .documents import read_documents

    registry = default_registry()
    missed = 0
    for name in paths:
        data = sys.stdin.buffer.read() if name == "-" else _read(Path(name))
        source = "<stdin>" if name == "-" else name
        docs, bad_lines = read_documents(data, source)
        for problem in bad_lines:
            sys.stdout.write(f"{problem}\n")
            missed += 1
        for doc in docs:
            adapter, why = explain(doc.data, registry)
            sys.stdout.write(f"{doc.source}: {why}\n")
            missed += adapter is None
    if missed:
        raise typer.Exit(2)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def register_cli(app: typer.Typer) -> None:
    """Add the ``formats`` and ``detect`` commands to a typer app."""
    app.command("formats", help="List the input formats and what each detects on.")(
        formats_command)
    app.command("detect", help="Say which input format takes a file, and why.")(
        detect_command)
