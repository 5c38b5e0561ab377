"""The ``umbrella`` command: one sub-application per stage of the pipeline."""

from __future__ import annotations

import typer

from umbrella import __version__
from umbrella.cli import assess, backtest, brief, calibrate, data, explore, game, runs, trust

app = typer.Typer(
    name="umbrella",
    help="Open, reproducible, quantitative analysis of nuclear umbrellas and security guarantees.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.add_typer(data.app, name="data")
app.add_typer(game.app, name="game")
app.add_typer(trust.app, name="trust")
app.command("brief")(brief.brief_command)
app.command("assess")(assess.assess_command)
app.command("assumptions")(assess.assumptions_command)
app.command("run")(explore.run_command)
app.command("explore")(explore.explore_command)
app.add_typer(runs.app, name="runs")
app.add_typer(calibrate.app, name="calibrate")
app.command("backtest")(backtest.backtest_command)


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
    """Entry point of the ``umbrella`` console script."""
    app()
