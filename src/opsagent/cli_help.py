"""Readable help for the ``opsagent`` command: ``PATH...``, ``DIR``, ``N``, never a
Python type such as ``<list[str]>``.

Applied once to the whole command tree, so command groups registered by other modules
get the same help without doing anything.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperArgument, TyperOption

_WORDS = {"float": "NUMBER", "int": "N", "str": "TEXT", "path": "PATH", "bool": ""}


class _Argument(TyperArgument):
    """A positional argument shown by its name: ``PATH...`` (no type beside it)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        name = self.display_name_raw.upper()
        return name + "..." if self.nargs != 1 else name


def _metavar(option: TyperOption, ctx: Any) -> str:
    shown = option.display_type(ctx).strip("<>")
    inner = re.fullmatch(r"list\[(.*)\]", shown)
    word = inner.group(1) if inner else shown
    if "|" in word:
        return "[" + word + "]"
    return _WORDS.get(word.lower(), word.upper())


def readable(command: Any, ctx: Any = None) -> Any:
    """Give every argument and option of ``command`` (a click command, as typer builds it)
    and its subcommands a metavar."""
    context = ctx or typer.Context(command)
    for param in command.params:
        if isinstance(param, TyperArgument) and not isinstance(param, _Argument):
            param.__class__ = _Argument
        elif isinstance(param, TyperOption) and param.metavar is None \
                and not param.is_flag and not param.count:
            param.metavar = _metavar(param, context) or None
    subcommands: dict[str, Any] = getattr(command, "commands", {})
    for sub in subcommands.values():
        readable(sub, context)
    return command
