"""``umbrella run`` and ``umbrella explore``: ensembles and their analysis."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table

from umbrella.cli.assess import STRESS_OPTION, stressed
from umbrella.cli.headline import headline_payload, print_headline
from umbrella.cli.output import console, reports_errors
from umbrella.errors import UsageError
from umbrella.settings import (
    CHUNK_SIZE,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    SATISFICING,
    check_run_settings,
)

if TYPE_CHECKING:
    import pandas as pd

    from umbrella.explore.sampling import Sampler

STORE_OPTION = typer.Option(
    Path("umbrella-runs"), "--store", help="The run store's folder (created if missing)."
)


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    # Here, not at the top: every command line loads this module, few draw a bar.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, rate="")

        def update(done: int, total: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 else ""
            bar.update(task, completed=done, total=total, rate=rate)

        yield update


@reports_errors
def run_command(
    scenario: Path | None = typer.Argument(
        None, metavar="[SCENARIO]", help="A scenario file (default: the flagship)."
    ),
    samples: int = typer.Option(DEFAULT_SAMPLES, "--samples", "-n", help="Futures to sample."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of every random draw."),
    workers: int | None = typer.Option(
        None, "--workers", help="Run chunks on a local Dask cluster."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Use the Dask cluster at tcp://HOST:PORT (workers write to --store: put it on "
        "storage every worker shares).",
    ),
    store: Path = STORE_OPTION,
    chunk_size: int = typer.Option(CHUNK_SIZE, "--chunk-size", help="Futures per chunk."),
    sampler: str = typer.Option("lhs", "--sampler", help="lhs or sobol."),
    resume: str | None = typer.Option(None, "--resume", help="Finish an interrupted run."),
    stress: list[str] | None = STRESS_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Run the options over sampled futures, store the run, print the robustness table."""
    check_run_settings(samples, seed, chunk_size, workers, scheduler)
    from umbrella.explore.run import run

    if sampler not in ("lhs", "sobol"):
        raise UsageError(f"--sampler '{sampler}': use lhs or sobol")
    design: Sampler = "sobol" if sampler == "sobol" else "lhs"
    if resume is not None and scenario is not None:
        raise UsageError("--resume takes the scenario from the stored run; give no SCENARIO")
    if resume is not None:
        from umbrella.explore.run import open_run

        stored = open_run(resume, store)
        scenario_obj = stored.scenario
        samples, seed = stored.n_samples, stored.seed
    else:
        from umbrella.model import load_scenario

        scenario_obj = stressed(load_scenario(scenario), stress)
    with progress_bar("futures", not quiet and not as_json) as progress:
        result = run(
            scenario_obj,
            samples,
            seed,
            store=store,
            chunk_size=chunk_size,
            sampler=design,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=progress,
        )
    from umbrella.model import layout
    from umbrella.model.evaluate import summary_outcomes

    table = result.robustness()
    best = result.most_robust(table)
    figures = result.headline()
    years = result.scenario.years
    settings = {
        "samples": samples,
        "seed": seed,
        "first": years[0],
        "last": years[-1],
        "n_proteges": len(result.scenario.proteges),
    }
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "run_id": result.run_id,
                    "samples": samples,
                    "seed": seed,
                    "robustness": _records(table),
                    "most_robust": best,
                    "headline": headline_payload(
                        figures,
                        scenario=result.scenario.name,
                        samples=samples,
                        seed=seed,
                        first=years[0],
                        last=years[-1],
                        n_proteges=len(result.scenario.proteges),
                        reports=summary_outcomes(layout(result.scenario)),
                    ),
                },
                indent=2,
                default=str,
            )
        )
        return
    print_headline(figures, title=f"Run {result.run_id}: {result.scenario.title}", **settings)
    _print_robustness(table, f"Robustness on holds_europe ({samples:,} futures, seed {seed})")
    for rule, option in best.items():
        console.print(f"most robust by {rule}: {option}")
    console.print(f"Analyse it: umbrella explore {result.run_id} --prim OPTION --sobol")


@reports_errors
def explore_command(
    run_id: str = typer.Argument(..., help="A stored run (umbrella runs list)."),
    store: Path = STORE_OPTION,
    prim_option: str | None = typer.Option(
        None, "--prim", help="Find where this option fails (PRIM)."
    ),
    outcome: str = typer.Option("holds_europe", "--outcome", help="Outcome to analyse."),
    fail_below: float = typer.Option(
        SATISFICING, "--fail-below", help="With --prim: failure is the outcome below this."
    ),
    sobol: bool = typer.Option(False, "--sobol", help="Sobol sensitivity indices."),
    sobol_base: int = typer.Option(256, "--sobol-base", help="Base rows (a power of two)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Analyse a stored run: robustness, PRIM boxes where an option fails, Sobol indices."""
    from umbrella.explore.run import open_run

    stored = open_run(run_id, store)
    payload: dict[str, object] = {"run_id": run_id}
    table = stored.robustness(outcome)
    payload["robustness"] = _records(table)
    payload["most_robust"] = stored.most_robust(table)
    if not as_json:
        _print_robustness(table, f"Run {run_id}: robustness on {outcome}")
    if prim_option is not None:
        box_found = stored.prim(prim_option, outcome, fail_below)
        payload["prim"] = {
            "option": prim_option,
            "coverage": box_found.coverage,
            "density": box_found.density,
            "mass": box_found.mass,
            "n_failures": box_found.n_failures,
            "box": _records(box_found.box),
        }
        if not as_json:
            sampled = (
                f" (a seeded sample of the run's {stored.n_samples:,})"
                if box_found.n_futures < stored.n_samples
                else ""
            )
            console.print(
                f"PRIM: {prim_option} fails ({outcome} < {fail_below}) in "
                f"{box_found.n_failures:,} of {box_found.n_futures:,} futures{sampled}; the "
                f"box holds {box_found.coverage:.0%} of them (coverage) and "
                f"{box_found.density:.0%} of its futures fail (density):"
            )
            console.print(box_found.describe(), markup=False)
    if sobol:
        with progress_bar("sobol", not as_json) as progress:
            indices = stored.sobol(sobol_base, (outcome,), progress=progress)
        payload["sobol"] = _records(indices.reset_index())
        if not as_json:
            _print_sobol(indices, outcome)
    if as_json:
        typer.echo(json.dumps(payload, indent=2, default=float))


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows = frame.reset_index() if frame.index.name else frame
    return json.loads(rows.to_json(orient="records"))  # type: ignore[no-any-return]


def _print_robustness(table: pd.DataFrame, title: str) -> None:
    view = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 0), pad_edge=False)
    view.add_column("option", no_wrap=True)
    wanted = [
        "mean",
        "p10",
        "p90",
        "mean_regret",
        "max_regret",
        "satisficing",
        "rank_minimax_regret",
    ]
    numeric = [c for c in wanted if c in table.columns and table[c].notna().any()]
    for column in numeric:
        label = column.replace("rank_minimax_regret", "rank").replace("satisficing", "satisf.")
        view.add_column(label.replace("_", "\n"), justify="right", no_wrap=True)
    for option, row in table.iterrows():
        view.add_row(
            str(option), *(f"{row[c]:.3f}" if "rank" not in c else str(row[c]) for c in numeric)
        )
    console.print(view)


def _print_sobol(indices: pd.DataFrame, outcome: str) -> None:
    import pandas as pd

    total = pd.DataFrame(indices.xs("ST", axis=1, level=1))  # columns: outcome:option
    first = pd.DataFrame(indices.xs("S1", axis=1, level=1))
    total.columns = first.columns = [str(c).split(":", 1)[1] for c in total.columns]
    peak = total.max(axis=1).sort_values(ascending=False).index[:12]
    view = Table(
        title=f"Sobol indices of {outcome}: the 12 largest total-order effects",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    view.add_column("uncertainty", overflow="fold")
    view.add_column("ST\nmax", justify="right", no_wrap=True, min_width=5)
    view.add_column("for option", overflow="fold")
    view.add_column("S1\nthere", justify="right", no_wrap=True, min_width=5)
    view.add_column("ST\nstatus quo", justify="right", no_wrap=True, min_width=6)
    baseline = total.columns[0]
    for name in peak:
        option = str(total.loc[name].idxmax())
        view.add_row(
            str(name),
            f"{total.loc[name, option]:.2f}",
            option,
            f"{first.loc[name, option]:.2f}",
            f"{total.loc[name, baseline]:.2f}",
        )
    console.print(view)
