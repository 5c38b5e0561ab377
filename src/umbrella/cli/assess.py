"""``umbrella assess`` and ``umbrella assumptions``: the deterministic assessment."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from umbrella.cli.output import console, reports_errors
from umbrella.errors import UsageError

SCENARIO_ARGUMENT = typer.Argument(
    None, metavar="[SCENARIO]", help="A scenario file (default: the flagship europe-2026)."
)


@reports_errors
def assess_command(
    scenario: Path | None = SCENARIO_ARGUMENT,
    as_json: bool = typer.Option(False, "--json", help="Print the headline table as JSON."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the full result (NetCDF) and the tables (CSV) here."
    ),
) -> None:
    """Assess every option of a scenario: deterrence, cost, time, proliferation, Ukraine."""
    from umbrella.model import assess

    assessment = assess(scenario)
    headline = assessment.headline()
    if out is not None:
        _write(assessment, out)
    if as_json:
        rows = headline.reset_index().to_dict(orient="records")
        typer.echo(
            json.dumps(
                {"scenario": assessment.scenario.name, "options": rows},
                indent=2,
                default=_json_number,
            )
        )
        return
    ds = assessment.dataset
    first, last = int(ds.year.values[0]), int(ds.year.values[-1])
    table = Table(
        title=f"{assessment.scenario.title} (as of {assessment.scenario.as_of})",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        pad_edge=False,
    )
    columns = [
        (f"deterrence_europe_{last}", f"Europe\n{last}", "{:.3f}"),
        ("change_vs_status_quo", "vs\nSQ", "{:+.3f}"),
        (f"deterrence_ukraine_{last}", f"UKR\n{last}", "{:.3f}"),
        ("npv_eur_bn", "NPV\n€bn", "{:.0f}"),
        (f"proliferation_{last}", "prolif\nindex", "{:.2f}"),
        ("ukraine_support_eur_bn", "UKR\n€bn/y", "{:.1f}"),
    ]
    table.add_column("option", no_wrap=True)
    for _, label, _ in columns:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("years", justify="right", no_wrap=True)
    for option, row in headline.iterrows():
        cells = [fmt.format(row[key]) for key, _, fmt in columns]
        years = f"{row['years_to_first_effect']:g}-{row['years_to_full_effect']:g}"
        table.add_row(str(option), *cells, years)
    console.print(table)
    start = float(headline[f"deterrence_europe_{first}"].iloc[0])
    console.print(f"Europe-wide probability that deterrence holds in {first}: {start:.3f}")
    console.print(f"Weakest proteges in {last}:")
    for option, row in headline.iterrows():
        console.print(f"  {option}: {row['weakest']}")
    console.print(
        "Europe: probability that deterrence holds, population-weighted over "
        f"{len(ds.protege)} proteges; vs SQ: change against the status quo in {last}; "
        "years: to first and full effect. Model and assumptions: docs/model.md."
    )


@reports_errors
def assumptions_command(
    scenario: Path | None = SCENARIO_ARGUMENT,
    as_json: bool = typer.Option(False, "--json", help="Print the registry as JSON."),
    contains: str | None = typer.Option(None, "--filter", help="Only names containing this."),
) -> None:
    """Print the assumption registry: name, meaning, default, range, unit and basis."""
    from umbrella.model import load_scenario

    registry = load_scenario(scenario).registry
    entries = [a for a in registry.values() if contains is None or contains in a.name]
    if as_json:
        typer.echo(json.dumps([a.__dict__ for a in entries], indent=2))
        return
    table = Table(title=f"Assumptions ({len(entries)})", expand=True)
    for column in ("name", "meaning", "default", "range", "unit", "basis"):
        table.add_column(
            column, overflow="fold", ratio=3 if column in ("meaning", "basis") else None
        )
    for a in entries:
        table.add_row(
            a.name, a.meaning, f"{a.default:g}", f"{a.low:g} - {a.high:g}", a.unit, a.basis
        )
    console.print(table)


def _write(assessment: object, out: Path) -> None:
    from umbrella.model.assess import Assessment

    if not isinstance(assessment, Assessment):
        raise TypeError("expected an Assessment")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder; --out needs a folder")
    out.mkdir(parents=True, exist_ok=True)
    dataset = assessment.dataset.copy()
    dataset["equilibrium_class"] = dataset["equilibrium_class"].astype(str)
    for name in list(dataset.data_vars):
        if dataset[name].dtype == bool:
            dataset[name] = dataset[name].astype("int8")
    dataset = dataset.assign_coords(ally=dataset.ally.astype("int8"))
    target = out / "assessment.nc"
    partial = out / "assessment.nc.part"
    dataset.to_netcdf(partial, engine="scipy")
    partial.replace(target)  # never leave a half-written file under the final name
    assessment.headline().to_csv(out / "headline.csv")
    assessment.to_dataframe().to_csv(out / "options_by_year.csv", index=False)
    typer.echo(f"wrote {target}, {out / 'headline.csv'}, {out / 'options_by_year.csv'}")


def _json_number(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
