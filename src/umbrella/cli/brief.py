"""``umbrella brief``: the report a newsroom or a ministry reads, from a run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from umbrella.cli.explore import STORE_OPTION
from umbrella.cli.output import console, reports_errors
from umbrella.cli.progress import progress
from umbrella.errors import UsageError
from umbrella.settings import DEFAULT_SAMPLES, DEFAULT_SEED
from umbrella.settings import REPORT_FORMATS as FORMATS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["brief_command", "print_markdown", "terminal_text"]

# The conclusion cites the run as a Markdown link to the brief's provenance section,
# ``[run ID]``; on the terminal the run is named just above, so the mark is dropped.
_RUN_MARK = re.compile(r"\s*\[run [^\]]*\]")
_STYLES = {"strong_open": "bold", "em_open": "italic"}


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
    no_store: bool = typer.Option(
        False, "--no-store", help="Keep the new run in memory only: nothing is left on disk."
    ),
    sobol_base: int = typer.Option(
        256, "--sobol-base", help="Base rows of the Sobol design (a power of two)."
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
    lang: Literal["en", "uk"] = typer.Option("en", "--lang", help="Language of the brief."),
) -> None:
    """Write the brief: HTML (self-contained), Markdown with PNG charts, and data as CSV."""
    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    if not chosen:
        raise UsageError("--format: give at least one of html, md, pdf")
    if no_store and run_id is not None:
        raise UsageError("--no-store: --run reads a stored run; give its --store instead")
    from umbrella.report.build import PHASES, write_brief

    with progress("brief", PHASES, quiet=quiet) as shown:
        brief = write_brief(
            scenario,
            run_id=run_id,
            samples=samples,
            seed=seed,
            out=out,
            formats=chosen,
            store=None if no_store else store,
            sobol_base=sobol_base,
            progress=shown.count,
            phase=shown.phase,
            lang=lang,
        )
    if no_store:
        console.print(
            f"Brief written in {brief.seconds:.1f} s (the run was not stored: --no-store):",
            markup=False,
            highlight=False,
        )
    else:
        console.print(
            f"Brief of run {brief.run_id} written in {brief.seconds:.1f} s:",
            markup=False,
            highlight=False,
        )
    for kind, path in brief.files.items():
        console.print(f"  {kind:4s} {path}", markup=False, highlight=False)
    if not no_store:
        import shlex

        again = shlex.join(["umbrella", "brief", "--run", brief.run_id, "--store", str(store)])
        console.print(
            f"Run {brief.run_id} is stored in {store}; to write its brief again: {again}",
            markup=False,
            highlight=False,
        )
    console.print()
    print_markdown(brief.conclusion[0], console)


def terminal_text(paragraph: str) -> Text:
    """A paragraph of the brief's Markdown as the terminal shows it: strong and emphasis
    as bold and italic (plain text where the output is not a terminal), links as their
    text, code as it is, and no run marks."""
    from markdown_it import MarkdownIt
    from rich.text import Text

    tokens = MarkdownIt("commonmark").parseInline(_RUN_MARK.sub("", paragraph))
    text = Text()
    styles: list[str] = []
    children = tokens[0].children if tokens else None
    for token in children or []:
        if token.type in _STYLES:
            styles.append(_STYLES[token.type])
        elif token.type.removesuffix("_close") + "_open" in _STYLES and styles:
            styles.pop()
        elif token.type in ("text", "code_inline", "html_inline"):
            text.append(token.content, style=" ".join(styles) or None)
        elif token.type == "softbreak":
            text.append(" ")
        elif token.type == "hardbreak":
            text.append("\n")
    return text


def print_markdown(paragraph: str, out: Console) -> None:
    """Print a paragraph of Markdown on ``out``, wrapped to its width."""
    for line in terminal_text(paragraph).wrap(out, out.width):
        line.rstrip()
        out.print(line, soft_wrap=True, highlight=False)
