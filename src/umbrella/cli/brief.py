"""``umbrella brief``: the report a newsroom or a ministry reads, from a run."""

from __future__ import annotations

from pathlib import Path

import typer

from umbrella.cli.explore import STORE_OPTION, progress_bar
from umbrella.cli.output import console, reports_errors
from umbrella.errors import UsageError
from umbrella.settings import DEFAULT_SAMPLES, DEFAULT_SEED
from umbrella.settings import REPORT_FORMATS as FORMATS

__all__ = ["brief_command"]


@reports_errors
def brief_command(
    scenario: Path | None = typer.Argument(
        None, metavar="[SCENARIO]", help="A scenario file (default: the flagship)."
    ),
    run_id: str | None = typer.Option(
        None, "--run", help="Write the brief of this stored run instead of a new one."
    ),
    samples: int = typer.Option(
        DEFAULT_SAMPLES, "--samples", "-n", help="Futures in the new run (at least 1000)."
    ),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of every random draw."),
    out: Path = typer.Option(Path("brief"), "--out", "-o", help="Folder to write."),
    formats: str = typer.Option(
        "html,md", "--format", help=f"Comma-separated: {', '.join(FORMATS)} (pdf needs Chromium)."
    ),
    store: Path = STORE_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Write the brief: HTML (self-contained), Markdown with PNG charts, and data as CSV."""
    from umbrella.report import write_brief

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    if not chosen:
        raise UsageError("--format: give at least one of html, md, pdf")
    with progress_bar("futures", not quiet) as progress:
        brief = write_brief(
            scenario,
            run_id=run_id,
            samples=samples,
            seed=seed,
            out=out,
            formats=chosen,
            store=store,
            progress=progress,
        )
    console.print(f"Brief of run {brief.run_id} written in {brief.seconds:.1f} s:")
    for kind, path in brief.files.items():
        console.print(f"  {kind:4s} {path}")
    console.print()
    console.print(brief.conclusion[0], markup=False)
