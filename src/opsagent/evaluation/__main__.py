"""``python -m opsagent.evaluation [DIR]``: the ``opsagent eval`` command on its own."""

import typer

from .command import register_cli

app = typer.Typer(add_completion=False, no_args_is_help=False)
register_cli(app)

if __name__ == "__main__":
    app()
