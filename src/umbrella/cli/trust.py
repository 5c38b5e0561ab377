"""``umbrella trust``: trust in each guarantor over time, as a table, JSON or a chart.

``app`` is a Typer application whose one command is its callback, so it mounts as
``app.add_typer(trust.app, name="trust")``; :func:`trust_command` can be registered
directly instead with ``app.command("trust")(trust.trust_command)``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from umbrella.cli.output import (
    Format,
    chosen_format,
    echo_records,
    format_option,
    json_alias,
    reports_errors,
)
from umbrella.cli.tables import Column, print_table
from umbrella.errors import UsageError

if TYPE_CHECKING:
    import xarray as xr

    from umbrella.data import World

__all__ = ["app", "trust_command"]

app = typer.Typer(
    help="Trust in each guarantor over time (Beta reputation with forgetting, docs/trust.md).",
)

_EVERY = ("quarter", "month")
_FORMATS = (".png", ".svg", ".pdf")
_VARIABLES = ("mean", "low", "high", "alpha", "beta")


@app.callback(invoke_without_command=True, subcommand_metavar="")
@reports_errors
def trust_command(
    guarantors: list[str] = typer.Option(
        [], "--guarantor", "-g", help="USA, GBR or FRA; repeat for several (default: all)."
    ),
    start: str = typer.Option("2022-01", "--from", help="First month, YYYY-MM."),
    end: str | None = typer.Option(
        None, "--to", help="Last month, YYYY-MM (default: the month of the last event)."
    ),
    every: str = typer.Option("quarter", "--every", help="Rows of the table: quarter or month."),
    data: Path | None = typer.Option(
        None, "--data", help="Folder of YAML tables laid over the shipped dataset (docs/data.md)."
    ),
    settings: list[str] = typer.Option(
        [], "--set", "-s", help="A trust assumption as NAME=VALUE, e.g. trust.spillover=0.3."
    ),
    hand: bool = typer.Option(
        False, "--hand", help="Use the hand-judged assumptions, not those fitted to the polls."
    ),
    fmt: Format = format_option(
        "the monthly trajectories: guarantor, view, month, mean, low, high, alpha, beta"
    ),
    as_json: bool = json_alias("the monthly trajectories"),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write a chart of the trajectories (.png, .svg or .pdf)."
    ),
) -> None:
    """Trust in each guarantor: general (view 'others') and per directly concerned protege.

    The assumptions are those fitted to the polls (docs/trust.md) unless --hand.

    Prints the posterior mean and 90% credible interval at the end of each quarter (or
    month), then one line per guarantor-protege pair that an event concerned directly.
    """
    from umbrella.assumptions import resolve
    from umbrella.data import load_world
    from umbrella.trust import ASSUMPTIONS, trajectories
    from umbrella.trust.assumptions import HAND
    from umbrella.trust.trajectories import GUARANTORS, parse_month

    output = chosen_format(fmt, as_json)
    if output is not Format.table and plot is not None:
        flag = "--json" if as_json else f"--format {output.value}"
        raise UsageError(f"give {flag} or --plot, not both")
    if every not in _EVERY:
        raise UsageError(f"--every '{every}': one of {', '.join(_EVERY)}")
    chosen = tuple(dict.fromkeys(g.strip().upper() for g in guarantors)) or GUARANTORS
    for guarantor in chosen:
        if guarantor not in GUARANTORS:
            raise UsageError(
                f"--guarantor '{guarantor}': unknown guarantor; one of {', '.join(GUARANTORS)}"
            )
    first = parse_month(start, "--from")
    if end is not None and first > parse_month(end, "--to"):
        raise UsageError(f"--from {start} is after --to {end}")
    if plot is not None:
        _check_output(plot)
    params = resolve(HAND if hand else ASSUMPTIONS, _parse_settings(settings))
    world = load_world(data)
    dataset = trajectories(world, params, start=start, end=end, guarantors=chosen)
    dataset = dataset.isel(sample=0)
    if output is Format.json:
        typer.echo(json.dumps(_records(dataset), indent=2))
    elif output is Format.csv:
        echo_records(_records(dataset))
    elif plot is not None:
        _plot(dataset, world, plot)
        typer.echo(f"wrote {plot}")
    else:
        _print_tables(dataset, every)


def _parse_settings(settings: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set '{setting}': write NAME=VALUE, e.g. trust.spillover=0.3")
        try:
            values[name.strip()] = float(text)
        except ValueError:
            raise UsageError(f"--set '{setting}': '{text}' is not a number") from None
    return values


def _check_output(path: Path) -> None:
    if path.suffix.lower() not in _FORMATS:
        raise UsageError(f"--plot {path}: the file must end in {', '.join(_FORMATS)}")
    if not path.parent.is_dir():
        raise UsageError(f"--plot {path}: folder {path.parent} does not exist")


def _direct_views(dataset: xr.Dataset, guarantor: str) -> list[str]:
    """Views whose trajectory differs from 'others': a protege an event concerned directly."""
    one = dataset.sel(guarantor=guarantor)
    others = one.sel(view="others")
    differs = (abs(one["alpha"] - others["alpha"]) + abs(one["beta"] - others["beta"])) > 1e-9
    return [str(v) for v in one["view"].values if v != "others" and bool(differs.sel(view=v).any())]


def _month_label(value: Any) -> str:
    import numpy as np

    return str(np.datetime64(value, "M"))


def _cell(point: xr.Dataset) -> str:
    return f"{float(point['mean']):.2f} ({float(point['low']):.2f}-{float(point['high']):.2f})"


def _print_tables(dataset: xr.Dataset, every: str) -> None:
    import numpy as np

    months = dataset["month"].values
    picked = [
        i
        for i, m in enumerate(months)
        if every == "month"
        or np.datetime64(m, "M").astype(int) % 3 == 2
        or i in (0, len(months) - 1)
    ]
    level = float(dataset.attrs["level"])
    guarantors = [str(g) for g in dataset["guarantor"].values]
    print_table(
        [Column("month"), *(Column(g, justify="right", drop=1) for g in guarantors)],
        [
            [
                _month_label(months[i]),
                *(_cell(dataset.sel(guarantor=g, view="others").isel(month=i)) for g in guarantors),
            ]
            for i in picked
        ],
        title="Trust in each guarantor (view 'others': proteges no event named)",
        caption=f"posterior mean ({level:.0%} credible interval) at the end of each "
        f"{every}; assumptions at their defaults unless --set",
        hidden_note="--guarantor picks them, --format csv gives every value",
    )
    first, last = _month_label(months[0]), _month_label(months[-1])
    rows = []
    for guarantor in guarantors:
        others = dataset.sel(guarantor=guarantor, view="others")["mean"].values
        for view in _direct_views(dataset, guarantor):
            series = dataset.sel(guarantor=guarantor, view=view)
            means = series["mean"].values
            lowest = int(np.argmin(means))
            rows.append(
                [
                    f"{guarantor}->{view}",
                    f"{means[0]:.2f}",
                    f"{means[lowest]:.2f} ({_month_label(months[lowest])})",
                    _cell(series.isel(month=-1)),
                    f"{others[-1]:.2f}",
                ]
            )
    print_table(
        [
            Column("pair"),
            Column(first, justify="right", drop=2),
            Column("lowest", justify="right", drop=1),
            Column(last, justify="right"),
            Column("others", justify="right", drop=3),
        ],
        rows,
        title="Directly concerned proteges (a view of their own)",
        caption="posterior means; lowest: the lowest in the window, and its month",
    )


def _records(dataset: xr.Dataset) -> list[dict[str, Any]]:
    months = [_month_label(m) for m in dataset["month"].values]
    records: list[dict[str, Any]] = []
    for guarantor in dataset["guarantor"].values:
        for view in dataset["view"].values:
            series = dataset.sel(guarantor=guarantor, view=view)
            columns = {name: series[name].values.tolist() for name in _VARIABLES}
            records += [
                {"guarantor": str(guarantor), "view": str(view), "month": month}
                | {name: float(values[i]) for name, values in columns.items()}
                for i, month in enumerate(months)
            ]
    return records


def _plot(dataset: xr.Dataset, world: World, path: Path) -> None:
    import numpy as np
    from matplotlib.figure import Figure

    from umbrella.data.schema import Event

    guarantors = [str(g) for g in dataset["guarantor"].values]
    months = dataset["month"].values
    ends = (months.astype("datetime64[M]") + 1).astype("datetime64[D]")  # end of each month
    figure = Figure(figsize=(10, 2.8 * len(guarantors) + 0.6), layout="constrained")
    axes = figure.subplots(len(guarantors), 1, sharex=True, squeeze=False)[:, 0]
    level = float(dataset.attrs["level"])
    window = (np.datetime64(months[0], "M"), np.datetime64(months[-1], "M"))
    events = [e for e in world.records["events"].values() if isinstance(e, Event)]
    for axis, guarantor in zip(axes, guarantors, strict=True):
        for view in ["others", *_direct_views(dataset, guarantor)]:
            series = dataset.sel(guarantor=guarantor, view=view)
            general = view == "others"
            (line,) = axis.plot(
                ends,
                series["mean"].values,
                linestyle="-" if general else "--",
                linewidth=2.0 if general else 1.2,
                label="general (others)" if general else f"{guarantor}->{view}",
            )
            if general:
                axis.fill_between(
                    ends,
                    series["low"].values,
                    series["high"].values,
                    color=line.get_color(),
                    alpha=0.2,
                    linewidth=0,
                    label=f"{level:.0%} credible interval",
                )
        for event in events:
            signs = {f.sign for f in event.effects if f.guarantor == guarantor and f.sign != 0}
            if signs and window[0] <= np.datetime64(event.date, "M") <= window[1]:
                axis.axvline(
                    np.datetime64(event.date, "D"),
                    color="tab:red" if -1 in signs else "tab:green",
                    alpha=0.35,
                    linewidth=0.8,
                )
        axis.set_ylim(0.0, 1.0)
        axis.set_ylabel(f"trust in {guarantor}")
        axis.grid(alpha=0.3)
        axis.legend(loc="lower left", fontsize="small", ncols=3)
    axes[0].set_title(
        "Trust in each guarantor at the end of each month (posterior mean); "
        "events: red negative, green positive"
    )
    temporary = path.with_name(path.name + ".part")
    figure.savefig(temporary, format=path.suffix.lower().lstrip("."), dpi=120)
    temporary.replace(path)  # never leave a half-written file under the real name
