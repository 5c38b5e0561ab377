"""``umbrella backtest``: the model as of past dates, scored against what happened."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import typer
from rich import box

from umbrella.cli.assess import SCENARIO_ARGUMENT
from umbrella.cli.headline import json_records
from umbrella.cli.output import (
    Format,
    chosen_format,
    console,
    echo_records,
    format_option,
    json_alias,
    paragraph,
    reports_errors,
)
from umbrella.cli.tables import Column, print_table
from umbrella.errors import UsageError

__all__ = ["backtest_command"]

# The states the field's cases are about, shown beside the scores.
MOST_CASE_COLUMNS = 6  # more dates than this, and the cases' table is not printed
CASES = ("GEO", "UKR", "MDA", "FIN", "SWE", "EST", "LVA", "LTU", "POL")


@reports_errors
def backtest_command(
    scenario: Path | None = SCENARIO_ARGUMENT,
    dates: list[str] | None = typer.Option(
        None,
        "--date",
        help="A date to backtest, YYYY-MM-DD; repeatable (default: 2008-07-01, 2014-02-01, "
        "2022-01-15).",
    ),
    years: str | None = typer.Option(
        None,
        "--years",
        help="Backtest 1 January of every year FIRST-LAST (e.g. 1995-2025), beside any --date; "
        "ordinary years show how often the model expects what did not happen.",
    ),
    samples: int = typer.Option(1000, "--samples", "-n", help="Futures per date (at least 1)."),
    seed: int = typer.Option(2026, "--seed", help="Seed of every random draw."),
    fmt: Format = format_option("the scores; json adds every prediction"),
    as_json: bool = json_alias("scores and predictions"),
    out: Path | None = typer.Option(
        None, "--out", help="Write every state's prediction at every date here (CSV)."
    ),
) -> None:
    """Score the model as of past dates against the challenges of the following year."""
    from umbrella.explore.backtest import DATES, backtest
    from umbrella.model import load_scenario

    chosen = chosen_format(fmt, as_json)

    days = [] if dates or years else list(DATES)
    if years:
        first, _, last = years.partition("-")
        if not (first.strip().isdigit() and last.strip().isdigit()) or int(first) > int(last):
            raise UsageError(f"--years '{years}': write FIRST-LAST, e.g. 1995-2025")
        days += [dt.date(y, 1, 1) for y in range(int(first), int(last) + 1)]
    if dates:
        for text in dates:
            try:
                days.append(dt.date.fromisoformat(text))
            except ValueError:
                raise UsageError(f"--date '{text}': write a date as YYYY-MM-DD") from None
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    if out is not None and out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give a file name")
    result = backtest(load_scenario(scenario), days, samples=samples, seed=seed)
    if out is not None:
        partial = out.with_name(out.name + ".part")
        result.predictions.to_csv(partial, index=False)
        partial.replace(out)
    if chosen is Format.csv:
        echo_records(json_records(result.scores))
        return
    if chosen is Format.json:
        payload = {
            "samples": samples,
            "seed": seed,
            "scores": json_records(result.scores),
            "predictions": json_records(result.predictions),
        }
        typer.echo(json.dumps(payload, indent=2, default=float))
        return
    _print_scores(result.scores, samples)
    if len(days) <= MOST_CASE_COLUMNS:
        _print_cases(result.predictions)
    else:
        console.print("Every state's prediction at every date: --out FILE.csv or --json.")


def _print_scores(scores: object, samples: int) -> None:
    import pandas as pd

    assert isinstance(scores, pd.DataFrame)
    meaning = {
        "challenge": "Russia used force first against a European state",
        "failure": "deterrence failed: war or seizure of territory",
    }
    for target, rows in scores.groupby("target", sort=False):
        per_date = rows[rows["date"] != "all"].drop_duplicates("date")
        counts = sorted({int(n) for n in per_date["states"]})
        states = (
            f"{counts[0]} states at each of {len(per_date)} dates"
            if len(counts) == 1
            else f"{min(counts)}-{max(counts)} states at each of {len(per_date)} dates"
        )
        cells: list[list[str]] = []
        sections: list[int] = []
        previous = None
        for row in rows.to_dict("records"):
            if previous is not None and row["date"] != previous:
                sections.append(len(cells))
            previous = row["date"]
            area = float(row["auc"])
            cells.append(
                [
                    str(row["date"]),
                    str(row["predictor"]),
                    f"{int(row['events'])}",
                    f"{float(row['expected']):.2f}",
                    f"{float(row['brier']):.4f}",
                    f"{float(row['log_score']):.3f}",
                    "n/a" if math.isnan(area) else f"{area:.3f}",
                ]
            )
        print_table(
            [
                Column("date"),
                Column("predictor"),
                *(
                    Column(name, justify="right", drop=number)
                    for number, name in enumerate(
                        ("events", "expected", "Brier", "log score", "AUC")
                    )
                ),
            ],
            cells,
            title=f"Backtest, {target} within a year: {meaning[str(target)]} "
            f"({states}; {samples:,} futures per date)",
            box=box.SIMPLE_HEAD,
            sections=sections,
        )
    paragraph(
        "events: what happened; expected: the events the predictor expected (the sum of its "
        "probabilities). Brier: mean squared error (0 best). Log score: mean log probability "
        "of what happened (0 best). AUC: the chance that a challenged state was ranked above "
        "one that was not (0.5: no skill). Predictors: the model; a constant rate; a rate by "
        "NATO membership alone; each state's own record alone (docs/backtest.md)."
    )


def _print_cases(predictions: object) -> None:
    import pandas as pd

    assert isinstance(predictions, pd.DataFrame)
    chosen = predictions[predictions["state"].isin(CASES)]
    days = [str(day) for day in chosen["date"].unique()]
    cells = []
    for state in CASES:
        rows = chosen[chosen["state"] == state]
        if rows.empty:
            continue
        line = [state]
        for row in rows.to_dict("records"):
            happened = " challenged" if row["outcome_challenge"] else ""
            if row["outcome_failure"]:
                happened = " war/seizure"
            line.append(f"{100 * float(row['model_challenge']):.1f}{happened}")
        cells.append(line)
    print_table(
        [Column("state"), *(Column(day, justify="right", kind="text", drop=1) for day in days)],
        cells,
        title="The cases: the model's chance of a Russian challenge within a year (per cent), "
        "and what happened",
        box=box.SIMPLE_HEAD,
        hidden_note="--out FILE.csv or --format json gives every date",
    )
