"""What a user sees before triaging anything: the version, help, shell completion."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.core import TyperOption

from opsagent import cli
from opsagent._version import __version__
from opsagent.cli_help import readable

from ..conftest import run_cli
from .conftest import Run


def _commands() -> list[tuple[str, Any]]:
    cli._register_extensions()
    root = readable(typer.main.get_command(cli.app))
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        found.append((prefix, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(f"{prefix} {name}".strip(), sub)

    walk("", root)
    return found


def test_version_flag_and_command(opsagent: Run) -> None:
    for argv in (["--version"], ["version"]):
        result = opsagent(*argv)
        assert result.code == 0
        assert result.stdout == f"opsagent {__version__}\n"


def test_shell_completion_is_typers_own(opsagent: Run) -> None:
    help_text = opsagent("--help").stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    # the script itself, as a shell would load it (the shell is detected from $SHELL)
    result = run_cli("--show-completion", "bash", env={"SHELL": "/bin/bash"})
    assert result.code == 0, result.stderr
    assert "complete" in result.stdout and "_OPSAGENT_COMPLETE" in result.stdout


def test_completion_offers_the_commands() -> None:
    result = run_cli(env={"_OPSAGENT_COMPLETE": "complete_bash", "COMP_WORDS": "opsagent an",
                          "COMP_CWORD": "1"})
    assert result.code == 0, result.stderr
    assert "analyze" in result.stdout.split()


@pytest.mark.parametrize("argv", [["analyze", "--help"], ["kb", "lint", "--help"],
                                  ["eval", "--help"]])
def test_help_names_values_by_what_they_are(opsagent: Run, argv: list[str]) -> None:
    out = opsagent(*argv).stdout
    assert "<" not in out and "list[" not in out, out  # no Python types such as <list[str]>
    usage = out.splitlines()[0]
    assert re.search(r"\[(PATH|DIR)\]\.\.\.$", usage), usage


def test_analyze_help_metavars(opsagent: Run) -> None:
    out = opsagent("analyze", "--help").stdout
    for shown in ("PATH...", "--knowledge DIR", "--catalog FILE", "--now TIME", "--llm SPEC",
                  "-o, --output FILE", "-f, --format FORMAT"):
        assert shown in out, shown


def test_no_option_of_any_command_shows_a_python_type() -> None:
    for name, command in _commands():
        ctx = typer.Context(command, info_name=name or "opsagent")
        for param in command.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                assert "<" not in record[0] and "list[" not in record[0], (name, record)


def test_one_meaning_per_short_option_across_commands() -> None:
    meaning: dict[str, tuple[str, str]] = {}
    for name, command in _commands():
        for param in command.params:
            if not isinstance(param, TyperOption):
                continue
            longs = sorted(o for o in param.opts if o.startswith("--"))
            for short in (o for o in param.opts if not o.startswith("--")):
                long = longs[0] if longs else short
                seen = meaning.setdefault(short, (long, name))
                assert seen[0] == long, (f"{short} means {seen[0]} in '{seen[1]}' "
                                         f"but {long} in '{name}'")
    assert meaning["-k"][0] == "--case" and meaning["-o"][0] == "--output"
