"""The ``umbrella`` command: one sub-application per stage of the pipeline."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer

from umbrella import __version__
from umbrella.cli import (
    assess,
    backtest,
    brief,
    calibrate,
    data,
    explore,
    game,
    runs,
    serve,
    signposts,
    trust,
)

app = typer.Typer(
    name="umbrella",
    help="Open, reproducible, quantitative analysis of nuclear umbrellas and security guarantees.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=True,
)
app.add_typer(data.app, name="data")
app.add_typer(game.app, name="game")
app.add_typer(trust.app, name="trust")
app.command("brief")(brief.brief_command)
app.command("assess")(assess.assess_command)
app.command("assumptions")(assess.assumptions_command)
app.command("run")(explore.run_command)
app.command("explore")(explore.explore_command)
app.command("signposts")(signposts.signposts_command)
app.add_typer(runs.app, name="runs")
app.add_typer(calibrate.app, name="calibrate")
app.command("backtest")(backtest.backtest_command)
app.command("serve")(serve.serve_command)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"umbrella {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Open, reproducible, quantitative analysis of nuclear umbrellas and security guarantees."""


def main() -> None:
    """Entry point of the ``umbrella`` console script.

    Usage errors (an unknown option, a value of the wrong type) are one line on stderr and
    exit 2, like every other error, instead of click's framed box.
    """
    errors = _click_errors()
    try:
        code = app(standalone_mode=False)
    except errors.NoArgsIsHelpError as error:
        typer.echo(error.ctx.get_help() if error.ctx is not None else str(error))
        raise SystemExit(2) from None
    except errors.UsageError as error:
        where = error.ctx.command_path if error.ctx is not None else "umbrella"
        message = " ".join(error.format_message().split())
        typer.echo(f"error: {message} (see '{where} --help')", err=True)
        raise SystemExit(2) from None
    except typer.Abort:
        typer.echo("aborted", err=True)
        raise SystemExit(130) from None
    except errors.ClickException as error:
        typer.echo(f"error: {' '.join(error.format_message().split())}", err=True)
        raise SystemExit(error.exit_code) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def _click_errors() -> Any:
    """The exception classes of the click that typer runs on (recent typer versions carry
    their own copy of click, whose classes are not click's)."""
    try:
        return import_module("typer._click.exceptions")
    except ImportError:  # older typer: click itself
        return import_module("click.exceptions")
