"""``umbrella calibrate``: fit assumptions to what was observed, and say how well it fits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich import box

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

__all__ = ["app"]

app = typer.Typer(help="Fit assumptions to observed data (docs/trust.md).", no_args_is_help=True)

DATA_OPTION = typer.Option(None, "--data", help="A folder of YAML tables laid over the dataset.")


@app.command("trust")
@reports_errors
def trust_command(
    samples: int = typer.Option(4096, "--samples", "-n", help="Draws of the prior (at least 16)."),
    seed: int = typer.Option(2026, "--seed", help="Seed of the draws."),
    until: str = typer.Option(
        "2022-12-31", "--until", help="Fit the poll points fielded up to this date; score the rest."
    ),
    data: Path | None = DATA_OPTION,
    fmt: Format = format_option("the posterior: one row per assumption"),
    as_json: bool = json_alias("the result"),
    points: Path | None = typer.Option(
        None, "--points", help="Write every poll point with its predictions here (CSV)."
    ),
    write: Path | None = typer.Option(
        None,
        "--write",
        help="Write the fitted assumptions here (YAML); the package ships "
        "src/umbrella/trust/calibrated.yaml, which ensembles sample by default.",
    ),
) -> None:
    """Fit the trust assumptions to the polls; report the posterior and the held-out fit."""
    from umbrella.data import load_world
    from umbrella.trust.calibration import calibrate

    chosen = chosen_format(fmt, as_json)
    try:
        cutoff = dt.date.fromisoformat(until)
    except ValueError:
        raise UsageError(f"--until '{until}': write a date as YYYY-MM-DD") from None
    for option, target in (("--points", points), ("--write", write)):
        if target is not None and not target.parent.is_dir():
            raise UsageError(f"{option} {target}: the folder {target.parent} does not exist")
        if target is not None and target.is_dir():
            raise UsageError(f"{option} {target}: is a folder; give a file name")
    result = calibrate(load_world(data), samples=samples, seed=seed, until=cutoff)
    if points is not None:
        frame = result.points.assign(countries=result.points["countries"].map(" ".join))
        partial = points.with_name(points.name + ".part")
        frame.to_csv(partial, index=False)
        partial.replace(points)
    if write is not None:
        import yaml

        text = (
            "# The trust assumptions fitted to the polls (docs/trust.md). Written by\n"
            f"# `umbrella calibrate trust --samples {samples} --seed {seed} --until {cutoff} "
            "--write`; do not edit by hand.\n"
        )
        text += yaml.safe_dump(result.record(), sort_keys=False)
        partial = write.with_name(write.name + ".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(write)
        typer.echo(f"wrote {write}", err=True)
    posterior = [
        {"name": str(name), **{str(k): v for k, v in row.items()}}
        for name, row in result.posterior.iterrows()
    ]
    if chosen is Format.csv:
        echo_records(posterior)
        return
    if chosen is Format.json:
        payload = {
            "samples": samples,
            "seed": seed,
            "until": cutoff.isoformat(),
            "effective_samples": result.effective_samples,
            "posterior": posterior,
            "fitted": result.fitted,
            "held_out": result.held_out,
        }
        typer.echo(json.dumps(payload, indent=2, default=float))
        return
    print_table(
        [
            Column("assumption", kind="name", narrowest=16),
            *(
                Column(label, justify="right", drop=number)
                for number, label in enumerate(
                    ("hand default", "hand range", "posterior median", "5-95%")
                )
            ),
        ],
        [
            [
                str(name),
                f"{row['default']:g}",
                f"{row['low']:g}-{row['high']:g}",
                f"{row['median']:.3g}",
                f"{row['p05']:.3g}-{row['p95']:.3g}",
            ]
            for name, row in result.posterior.iterrows()
        ],
        title=f"Trust assumptions fitted to the polls up to {cutoff} "
        f"({samples:,} prior draws, effective sample {result.effective_samples:,.0f})",
        box=box.SIMPLE_HEAD,
    )
    rows = (
        ("fitted (up to the date)", result.fitted),
        ("held out, calibrated", result.held_out),
        ("held out, hand defaults", _strip(result.held_out, "_defaults")),
        ("held out, leave-one-out offsets", _strip(result.held_out, "_loo")),
        ("  the same, hand defaults", _strip(result.held_out, "_loo_defaults")),
    )
    print_table(
        [
            Column("", kind="text", narrowest=16),
            *(
                Column(label, justify="right", drop=number)
                for number, label in enumerate(
                    ("points", "items", "correlation", "RMSE, points", "90% band covers")
                )
            ),
        ],
        [
            [
                label,
                f"{scores.get('points', 0):.0f}",
                f"{scores.get('items', 0):.0f}",
                _number(scores.get("correlation")),
                _number(scores.get("rmse_points"), 1),
                _number(scores.get("coverage_90"), 2),
            ]
            for label, scores in rows
        ],
        title="Fit to the poll shares (predicted from the model's trust)",
        box=box.SIMPLE_HEAD,
        hidden_note="--format json gives every score",
    )
    paragraph(
        "Each poll item (a series and the answer it counts) gets its own offset on the logit "
        "scale, estimated on the fitted points; held-out points of items first asked later "
        "are scored with offsets from the item's other later points (leave-one-out). "
        "Method: docs/trust.md."
    )


def _strip(scores: dict[str, float], suffix: str) -> dict[str, float]:
    return {k.removesuffix(suffix): v for k, v in scores.items() if k.endswith(suffix)}


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
