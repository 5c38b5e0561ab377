"""The headline table as ``umbrella assess`` and ``umbrella run`` print it (one printer)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich import box

from umbrella.cli.output import paragraph
from umbrella.cli.tables import Column, print_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "definitions",
    "headline_payload",
    "json_records",
    "print_headline",
    "print_stress_tests",
]


def definitions(first: int, last: int, n_proteges: int) -> dict[str, str]:
    """One sentence per figure of the headline, for readers and for the JSON output."""
    where = f"population-weighted over the {n_proteges} European states assessed"
    return {
        "holds_europe": "probability that deterrence holds (the challenger neither gains "
        f"unopposed nor fights) in every crisis opportunity from {first} through {last}, "
        f"{where}",
        "holds_europe_first": f"the same for {first} alone",
        "no_challenge_europe": f"share of crisis opportunities in {last} in which the "
        f"challenger does not challenge, {where}",
        "rebuffed_europe": f"share of crisis opportunities in {last} in which the challenger "
        "challenges and backs down when the protege is supported",
        "fails_europe": f"share of crisis opportunities in {last} in which deterrence fails: "
        "the challenger challenges and gains unopposed or fights",
        "holds_ukraine": "probability that deterrence of a new offensive against Ukraine "
        f"holds through {last}",
        "fails_ukraine": f"share of crisis opportunities in {last} in which deterrence of a new "
        "offensive against Ukraine fails",
        "change_vs_status_quo": "holds_europe minus the status quo's, in the same future",
        "on_time": "probability that the option is agreed and delivered on its timeline: the "
        "share of futures in which the governments it needs agree and keep to it "
        "(docs/options.md, 'Implementation risk')",
        "change_on_time_vs_status_quo": "change_vs_status_quo were the option agreed and "
        "delivered on time in every future",
        "ukraine_change, ukraine_change_on_time": "fails_ukraine minus the status quo's, with "
        "the risk and were the option delivered on time",
        "effect lost": "the share of the change on time (in Europe: holds; for Ukraine: fails "
        "per crisis) that the futures where the option stalls take away",
        "p10, p90": "10th and 90th percentiles over the futures",
        "crisis opportunity": "an occasion on which the challenger weighs a military challenge "
        "(a rate per year per group of states: `umbrella assumptions --filter crisis`)",
    }


# The look of the headline's tables: a rule under the heading, no frame.
_PLAIN: dict[str, Any] = {"box": box.SIMPLE_HEAD, "pad_edge": False}


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready records, a missing number as None."""
    # One conversion of the whole table to Python objects: a headline of a few rows and 200
    # columns takes under a millisecond this way, and 20 through ``to_dict("records")``.
    from pandas import NA  # loaded with the frame itself

    keys = [str(k) for k in frame.columns]
    return [
        {
            k: None if v is None or v is NA or (isinstance(v, float) and math.isnan(v)) else v
            for k, v in zip(keys, row, strict=True)
        }
        for row in frame.to_numpy(dtype=object).tolist()
    ]


def headline_payload(
    table: pd.DataFrame,
    *,
    scenario: str,
    samples: int,
    seed: int,
    first: int,
    last: int,
    n_proteges: int,
    reports: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The headline as JSON-ready data: settings, definitions, one record per option."""
    rows = json_records(table.rename_axis("option").reset_index().astype({"option": str}))
    return {
        "scenario": scenario,
        "samples": samples,
        "seed": seed,
        "first_year": first,
        "last_year": last,
        "definitions": definitions(first, last, n_proteges)
        | {k: v for k, v in _outcomes().items() if k in _headline() and k.startswith("npv")}
        | {k: v for k, v in (reports or {}).items() if k not in _outcomes()},
        "options": rows,
    }


def _cell(row: pd.Series, name: str, digits: int = 3, signed: bool = False) -> str:
    value, low, high = row[name], row[f"{name}_p10"], row[f"{name}_p90"]
    if isinstance(value, float) and math.isnan(value):
        return "-"
    sign = "+" if signed else ""
    return f"{value:{sign}.{digits}f}\n({low:{sign}.{digits}f} to {high:{sign}.{digits}f})"


def print_headline(
    table: pd.DataFrame,
    *,
    title: str,
    samples: int,
    seed: int,
    first: int,
    last: int,
    n_proteges: int,
) -> None:
    """The headline (deterrence, then the three shares per crisis, then costs) and its key."""
    options = [str(option) for option in table.index]
    rows = [row for _, row in table.iterrows()]
    print_table(
        [
            Column("option"),
            Column(f"holds\n{first}", justify="right", kind="text", narrowest=10),
            Column(f"holds\n{first}-{last}", justify="right", kind="text", narrowest=10),
            Column("vs status\nquo", justify="right", kind="text", narrowest=10),
            Column(f"UKR fails\nper crisis {last}", justify="right", kind="text", narrowest=10),
        ],
        [
            [
                option,
                _cell(row, "holds_europe_first"),
                _cell(row, "holds_europe"),
                _cell(row, "change_vs_status_quo", signed=True),
                _cell(row, "fails_ukraine"),
            ]
            for option, row in zip(options, rows, strict=True)
        ],
        title=title,
        **_PLAIN,
    )
    shares = ("no_challenge_europe", "rebuffed_europe", "fails_europe")
    print_table(
        [
            Column("option"),
            Column("year", justify="right"),
            *(Column(label, justify="right") for label in ("no challenge", "rebuffed", "fails")),
        ],
        [
            [option if suffix == "_first" else "", str(year)]
            + [f"{row[name + suffix]:.3f}" for name in shares]
            for option, row in zip(options, rows, strict=True)
            for year, suffix in ((first, "_first"), (last, ""))
        ],
        title="Per crisis opportunity, Europe-wide",
        **_PLAIN,
    )
    reports = [
        c
        for c in table.columns
        if c.startswith("holds_in_")
        and not c.startswith("holds_in_europe")
        and not c.endswith(("_p10", "_p90", "_equal"))
    ]
    if reports and "holds_in_europe_equal" in table.columns:
        exposed = "holds_in_europe_exposure" in table.columns
        columns = [Column("option"), Column("europe", justify="right")]
        if exposed:
            columns.append(Column("europe by\nexposure", justify="right", drop=1))
        columns += [
            Column(name.removeprefix("holds_in_").replace("_", " "), justify="right", drop=2 + n)
            for n, name in enumerate(reports)
        ]
        cells = []
        for option, row in zip(options, rows, strict=True):
            line = [option, f"{row['holds_europe']:.3f}\n({row['holds_in_europe_equal']:.3f})"]
            if exposed:
                line.append(f"{row['holds_in_europe_exposure']:.3f}")
            line += [f"{row[name]:.3f}\n({row[name + '_equal']:.3f})" for name in reports]
            cells.append(line)
        print_table(
            columns,
            cells,
            title=f"Who is protected: holds {first}-{last}, by population (each state once)",
            hidden_note="--format json or csv gives every group",
            **_PLAIN,
        )
    print_table(
        [
            Column("option"),
            Column("NPV\nEUR bn", justify="right"),
            Column(f"prolif.\nindex {last}", justify="right"),
            Column("UKR support\nEUR bn/y", justify="right"),
            Column("years to\neffect", justify="right"),
        ],
        [
            [
                option,
                f"{row['npv_eur_bn']:.0f}",
                f"{row['proliferation']:.2f}",
                f"{row['ukraine_support_eur_bn']:.1f}",
                (
                    f"{row['years_to_first_effect']:g}-{row['years_to_full_effect']:g}"
                    if "years_to_first_effect" in row
                    else "-"
                ),
            ]
            for option, row in zip(options, rows, strict=True)
        ],
        **_PLAIN,
    )
    _print_implementation(options, rows)
    paragraph(
        f"Means over {samples:,} futures (seed {seed}), 10th to 90th percentiles in brackets."
    )
    for name, sentence in definitions(first, last, n_proteges).items():
        paragraph(f"{name}: {sentence}.", indent="  ", hanging="    ")


def _print_implementation(options: list[str], rows: list[pd.Series]) -> None:
    """Per option: the probability that it is delivered on time, and how much of its change
    against the status quo the futures where it stalls take away."""
    if not rows or "on_time" not in rows[0] or all(row["on_time"] == 1.0 for row in rows):
        return
    lines = []
    for option, row in zip(options, rows, strict=True):
        planned, change = row["change_on_time_vs_status_quo"], row["change_vs_status_quo"]
        line = [option, f"{row['on_time']:.2f}", f"{planned:+.3f}", f"{change:+.3f}"]
        line.append(_lost(planned, change))
        line.append(_lost(row["ukraine_change_on_time"], row["ukraine_change"]))
        lines.append(line)
    print_table(
        [
            Column("option"),
            Column("on time", justify="right"),
            Column("vs status quo\nif on time", justify="right"),
            Column("vs status quo\nwith risk", justify="right"),
            Column("effect lost\nEurope", justify="right"),
            Column("effect lost\nUkraine", justify="right", drop=1),
        ],
        lines,
        title="Will it happen at all? Implementation risk (holds, Europe-wide)",
        **_PLAIN,
    )


def _lost(planned: float, change: float) -> str:
    """:func:`~umbrella.explore.headline.effect_lost` as a percentage; "-" where there is
    no change to lose."""
    from umbrella.explore.headline import effect_lost

    lost = effect_lost(planned, change)
    return "-" if math.isnan(lost) else f"{lost:.0%}"


def print_stress_tests(tests: Any, scenario: Any, *, first: int, last: int) -> None:
    """Each option's ``holds_europe`` and change against the status quo, as assumed and
    under each stress at its test year."""
    labels = {s.id: s.label for s in scenario.stresses}
    order = list(dict.fromkeys(tests["stress"]))
    wide = tests.set_index(["option", "stress"])
    years = tests.drop_duplicates("stress").set_index("stress")["year"]
    columns = [Column("option")]
    for number, stress in enumerate(order):
        heading = "as assumed" if stress == "none" else f"{labels[stress]}\n{years[stress]}"
        columns.append(Column(heading, justify="right", drop=number))
    options = list(dict.fromkeys(tests["option"]))
    rows = []
    for option in options:
        cells = [str(option)]
        for stress in order:
            row = wide.loc[(option, stress)]
            cell = f"{row['holds_europe']:.3f}"
            if option != options[0]:
                cell += f"\n({row['change_vs_status_quo']:+.3f})"
            cells.append(cell)
        rows.append(cells)
    print_table(
        columns,
        rows,
        title=f"Stress tests: holds {first}-{last} (change vs status quo)",
        hidden_note="--out DIR writes every stress to stress_tests.csv",
        **_PLAIN,
    )
    paragraph(
        "Each stress is fixed at its test year, every other assumption as the scenario has "
        "it; the scenario itself assumes none comes before the horizon. Stresses: "
        + "; ".join(f"{s.label}: {s.description}" for s in scenario.stresses if s.id in order)
        + "."
    )


def _outcomes() -> dict[str, str]:
    # Imported when a headline is printed: the command line starts without the model.
    from umbrella.model.evaluate import SUMMARY_OUTCOMES

    return SUMMARY_OUTCOMES


def _headline() -> tuple[str, ...]:
    from umbrella.explore.headline import HEADLINE

    return tuple(HEADLINE)
