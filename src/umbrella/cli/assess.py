"""``umbrella assess`` and ``umbrella assumptions``: the deterministic assessment."""

from __future__ import annotations

import datetime as dt
import json
import math
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from umbrella.cli.headline import (
    headline_payload,
    json_records,
    print_headline,
    print_stress_tests,
)
from umbrella.cli.output import (
    Format,
    chosen_format,
    echo_records,
    format_option,
    json_alias,
    paragraph,
    reports_errors,
)
from umbrella.cli.tables import Column, print_table
from umbrella.errors import UsageError
from umbrella.settings import DEFAULT_SAMPLES, DEFAULT_SEED, MAX_KEPT

if TYPE_CHECKING:
    from umbrella.explore.assessment import Assessment

SCENARIO_ARGUMENT = typer.Argument(
    None, metavar="[SCENARIO]", help="A scenario file (default: the flagship europe-2026)."
)
STRESS_OPTION = typer.Option(
    None,
    "--stress",
    help="Fix a stress of the scenario at a year, as ID:YEAR (us-exit:2030); repeatable.",
)


def stressed(scenario: Any, given: list[str] | None) -> Any:
    """``scenario`` with the stresses given as ``ID:YEAR`` fixed; one-line errors."""
    from umbrella.model.scenario import with_stresses

    if not given:
        return scenario
    years: dict[str, int] = {}
    for item in given:
        name, _, year = item.partition(":")
        if not name or not year.strip().isdigit():
            raise UsageError(f"--stress {item!r}: write ID:YEAR, e.g. us-exit:2030")
        years[name] = int(year)
    return with_stresses(scenario, years)


@reports_errors
def assess_command(
    scenario: Path | None = SCENARIO_ARGUMENT,
    samples: int = typer.Option(
        DEFAULT_SAMPLES, "--samples", "-n", help="Futures in the ensemble (at least 100)."
    ),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of every random draw."),
    stress: list[str] | None = STRESS_OPTION,
    stress_tests: bool = typer.Option(
        False,
        "--stress-tests",
        help="Also show every option with each stress fixed at its test year, side by side.",
    ),
    fmt: Format = format_option("the headline: one row per option, every figure"),
    as_json: bool = json_alias("the headline table"),
    out: Path | None = typer.Option(
        None, "--out", help="Write the central future (NetCDF) and the tables (CSV) here."
    ),
) -> None:
    """Assess every option of a scenario: the chance deterrence holds, cost, time, Ukraine."""
    from umbrella.model.scenario import load_scenario

    chosen = chosen_format(fmt, as_json)
    if chosen is Format.csv and stress_tests:
        raise UsageError(
            "--format csv prints the headline alone; with --stress-tests use --format json, "
            "or --out DIR (writes stress_tests.csv)"
        )
    if not 100 <= samples <= MAX_KEPT:
        raise UsageError(
            f"--samples {samples}: use 100 to {MAX_KEPT:,} futures (assess keeps every future "
            "in memory; `umbrella run` takes more)"
        )
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder; --out needs a folder")
    loaded = stressed(load_scenario(scenario), stress)
    # The model and the ensemble load only once the scenario is known to be valid.
    from umbrella.explore.assessment import assess

    assessment = assess(loaded, samples=samples, seed=seed)
    table = assessment.headline()
    ds = assessment.dataset
    first, last = int(ds.year.values[0]), int(ds.year.values[-1])
    settings = {
        "samples": samples,
        "seed": seed,
        "first": first,
        "last": last,
        "n_proteges": int(ds.sizes["protege"]),
    }
    tests = None
    if stress_tests:
        from umbrella.explore.stress import stress_tests as run_stress_tests

        tests = run_stress_tests(loaded, samples=samples, seed=seed, as_assumed=table)
    if out is not None:
        command = _command_line(scenario, samples, seed, stress, stress_tests, chosen, out)
        _write(assessment, out, tests, command=command)
    if chosen is Format.csv:
        records = json_records(table.rename_axis("option").reset_index().astype({"option": str}))
        echo_records(records)
        return
    if chosen is Format.json:
        from umbrella.model import layout
        from umbrella.model.evaluate import summary_outcomes

        reports = summary_outcomes(layout(assessment.scenario))
        payload = headline_payload(
            table, scenario=assessment.scenario.name, reports=reports, **settings
        )
        if tests is not None:
            payload["stress_tests"] = json_records(tests)
        typer.echo(json.dumps(payload, indent=2, default=_json_number))
        return
    print_headline(
        table,
        title=f"{assessment.scenario.title} (as of {assessment.scenario.as_of}"
        + (f"; stress {', '.join(stress)})" if stress else ")"),
        **settings,
    )
    central = ds["holds_europe"].sel(year=last)
    paragraph(
        f"Central future (every assumption at its default): holds {first}-{last} "
        + ", ".join(
            f"{o} {float(v):.3f}" for o, v in zip(ds.option.values, central.values, strict=True)
        )
        + ". Per state, with the game's thresholds: --out. Model: docs/model.md."
    )
    if tests is not None:
        print_stress_tests(tests, loaded, first=first, last=last)


@reports_errors
def assumptions_command(
    scenario: Path | None = SCENARIO_ARGUMENT,
    fmt: Format = format_option("name, meaning, default, low, high, unit, basis, distribution"),
    as_json: bool = json_alias("the registry"),
    contains: str | None = typer.Option(None, "--filter", help="Only names containing this."),
) -> None:
    """Print the assumption registry: name, meaning, default, range, unit and basis."""
    from umbrella.model import load_scenario

    chosen = chosen_format(fmt, as_json)
    registry = load_scenario(scenario).registry
    entries = [a for a in registry.values() if contains is None or contains in a.name]
    if chosen is Format.json:
        typer.echo(json.dumps([a.__dict__ for a in entries], indent=2))
        return
    if chosen is Format.csv:
        echo_records([a.__dict__ for a in entries])
        return
    columns = [
        Column("name", kind="name", narrowest=20),
        Column("meaning", kind="text", narrowest=20, drop=1),
        Column("default", justify="right"),
        Column("range", drop=1),
        Column("unit", kind="text", narrowest=10, drop=2),
        Column("basis", kind="text", narrowest=40, drop=3),
    ]
    rows = [
        [a.name, a.meaning, f"{a.default:g}", f"{a.low:g} - {a.high:g}", a.unit, a.basis]
        for a in entries
    ]
    print_table(columns, rows, title=f"Assumptions ({len(entries)})")


def _command_line(
    scenario: Path | None,
    samples: int,
    seed: int,
    stress: list[str] | None,
    stress_tests: bool,
    fmt: Format,
    out: Path,
) -> str:
    """The command that wrote the files, spelt out with every setting it used."""
    words = ["umbrella", "assess", *([str(scenario)] if scenario is not None else [])]
    words += ["--samples", str(samples), "--seed", str(seed)]
    for item in stress or []:
        words += ["--stress", item]
    words += ["--stress-tests"] * stress_tests
    words += ["--format", fmt.value] * (fmt is not Format.table) + ["--out", str(out)]
    return shlex.join(words)


def _cf_attributes(assessment: Assessment, command: str) -> dict[str, str]:
    """Global attributes of the central future's NetCDF, by the CF conventions (1.11)."""
    from umbrella import __version__

    scenario = assessment.scenario
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "Conventions": "CF-1.11",
        "title": f"{scenario.title}: every option on the central future",
        "institution": "umbrella",
        "source": f"umbrella {__version__}, scenario {scenario.name}",
        "history": f"{now}: {command}",
        "references": "docs/model.md (the model and its assumptions), docs/data.md (the "
        "world dataset), docs/scenarios.md (the scenario file)",
        "comment": "The central future: every assumption at its default, labelled per "
        "protege. The figures to quote are the ensemble's, in headline.csv: mean and "
        f"10th-90th percentiles over {assessment.samples} futures drawn from seed "
        f"{assessment.seed}.",
    }


def _write(assessment: object, out: Path, tests: Any = None, command: str = "") -> None:
    from umbrella.explore.assessment import Assessment

    if not isinstance(assessment, Assessment):
        raise TypeError("expected an Assessment")
    out.mkdir(parents=True, exist_ok=True)
    dataset = assessment.dataset.copy()
    dataset["point_class"] = dataset["point_class"].astype(str)
    for name in list(dataset.data_vars):
        if dataset[name].dtype == bool:
            dataset[name] = dataset[name].astype("int8")
    dataset = dataset.assign_coords(ally=dataset.ally.astype("int8"))
    dataset = dataset.assign_coords(group=dataset.group.astype(str))
    dataset.attrs.update(_cf_attributes(assessment, command or f"umbrella assess --out {out}"))
    target = out / "assessment.nc"
    partial = out / "assessment.nc.part"
    dataset.to_netcdf(partial, engine="scipy")
    partial.replace(target)  # never leave a half-written file under the final name
    assessment.headline().to_csv(out / "headline.csv")
    assessment.to_dataframe().to_csv(out / "options_by_year.csv", index=False)
    written = [target, out / "headline.csv", out / "options_by_year.csv"]
    if tests is not None:
        tests.to_csv(out / "stress_tests.csv", index=False)
        written.append(out / "stress_tests.csv")
    # On stderr: stdout stays one JSON document under --json.
    typer.echo("wrote " + ", ".join(str(p) for p in written), err=True)


def _json_number(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
