"""``umbrella data``: check, show and cite the world dataset."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from umbrella.cli.output import (
    EXIT_INVALID,
    Format,
    chosen_format,
    console,
    echo_csv,
    format_option,
    json_alias,
    reports_errors,
)
from umbrella.cli.tables import NARROWEST, Column, Kind, print_table
from umbrella.errors import UsageError
from umbrella.settings import CITE_FORMATS, EXPORT_FORMATS, TABLE_NAMES

if TYPE_CHECKING:
    import pandas as pd

    from umbrella.data.rows import Rows

app = typer.Typer(help="Check, show, cite and export the world dataset.", no_args_is_help=True)

DATA_OPTION = typer.Option(
    None, "--data", help="Folder of YAML tables laid over the shipped dataset (docs/data.md)."
)

_COLUMNS = {
    "sources": ["publisher", "title", "published", "kind"],
    "actors": [
        "name",
        "nuclear_status",
        "nato_since",
        "eu_since",
        "population_m",
        "gdp_usd_bn",
        "defence_usd_bn",
        "defence_pct_gdp",
    ],
    "forces": ["stockpile", "inventory", "deployed", "legs", "ssbns", "nuclear_spending_usd_bn"],
    "deployments": ["owner", "hosts", "weapons", "status"],
    "polls": ["series", "guarantor", "country", "fieldwork", "share_pct"],
    "crises": ["dataset", "year", "challenger", "target", "challenge", "level"],
    "commitments": ["kind", "guarantors", "proteges", "binding", "nuclear", "start", "end"],
    "events": ["date", "kind", "actors", "summary"],
    "options": [
        "name",
        "capex_eur_bn",
        "opex_eur_bn_per_year",
        "years_to_first_effect",
        "years_to_full_effect",
    ],
    "quotes": ["date", "speaker", "text"],
    "commitment_edges": ["commitment", "kind", "guarantor", "protege", "start", "end"],
}
_SHORT = 12  # characters: a longer value without spaces may break at punctuation
_TEXT_COLUMNS = {"summary", "title", "text", "name", "description", "publisher"}
_FILTER = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*$")


@app.command("check")
@reports_errors
def check_command(data: Path | None = DATA_OPTION) -> None:
    """Validate the dataset: schema, codes, dates, ranges, sources and references.

    Prints each problem as file:record-id:field: message and exits 2, or exits 0.
    """
    from umbrella.data import TABLES, check_world, load_world

    problems = check_world(data)
    if problems:
        for problem in problems:
            typer.echo(str(problem))
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(code=EXIT_INVALID)
    world = load_world(data)
    counts = ", ".join(f"{len(world.records[t])} {t}" for t in TABLES)
    typer.echo(f"ok: {counts}")


@app.command("show")
@reports_errors
def show_command(
    table: str = typer.Argument(..., help=f"One of: {', '.join(_COLUMNS)}."),
    data: Path | None = DATA_OPTION,
    fmt: Format = format_option("id and every column, or those of --columns"),
    as_json: bool = json_alias("the records"),
    filters: list[str] = typer.Option(
        [],
        "--filter",
        "-f",
        help="FIELD=VALUE (also != > < >= <= and ~ for 'contains'); repeat to combine.",
    ),
    columns: str | None = typer.Option(
        None, "--columns", help="Comma-separated columns to show (default: a summary set)."
    ),
) -> None:
    """Print a table of the dataset, as a table, CSV or JSON."""
    chosen_fmt = chosen_format(fmt, as_json)
    shown = _shown(table, data)
    for expression in filters:
        shown = shown.where(expression)
    if chosen_fmt is Format.json:
        typer.echo(json.dumps(_json_rows(shown), indent=2, ensure_ascii=False, default=str))
        return
    chosen = [c.strip() for c in columns.split(",")] if columns else _COLUMNS.get(table, [])
    missing = [c for c in chosen if c not in shown.rows.columns]
    if columns and missing:
        raise UsageError(
            f"--columns: unknown column(s) {', '.join(missing)}; "
            f"columns are: {', '.join(shown.rows.columns)}"
        )
    if chosen_fmt is Format.csv:
        _print_csv(shown, chosen if columns else shown.rows.columns)
        return
    _print_table(table, shown, [c for c in chosen if c in shown.rows.columns])


@app.command("cite")
@reports_errors
def cite_command(
    record_id: str | None = typer.Argument(
        None,
        metavar="RECORD",
        help="A record id, or TABLE:ID when ids clash (default: every source).",
    ),
    fmt: str = typer.Option(
        "text",
        "--format",
        help=f"One of: {', '.join(CITE_FORMATS)}. BibTeX, CSL-JSON and RIS give one entry "
        "per source the record cites.",
    ),
    data: Path | None = DATA_OPTION,
) -> None:
    """Print the full citation of a record (or of a source, or of every source)."""
    from umbrella.data import cite, load_world

    if fmt not in CITE_FORMATS:
        raise UsageError(f"--format '{fmt}': one of {', '.join(CITE_FORMATS)}")
    typer.echo(cite(load_world(data), record_id, fmt).rstrip("\n"))


@app.command("export")
@reports_errors
def export_command(
    fmt: str = typer.Option(
        "datapackage",
        "--format",
        help="datapackage: one CSV per table and datapackage.json (Frictionless Data Package).",
    ),
    out: Path = typer.Option(
        Path("world-datapackage"), "--out", help="The folder to write (made if missing)."
    ),
    data: Path | None = DATA_OPTION,
) -> None:
    """Export the dataset as CSV tables with their schemas, for any Data Package tool."""
    from umbrella.data import load_world
    from umbrella.data.export import export_world

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format '{fmt}': one of {', '.join(EXPORT_FORMATS)}")
    written = export_world(load_world(data), out, fmt)
    typer.echo(f"wrote {written[-1]} and {len(written) - 1} CSV tables in {out}")


def _shown(table: str, data: Path | None) -> _Shown:
    """The rows of ``table`` to show: of the shipped dataset as cached once it passed its
    checks, or read and checked now. A table of records is shown from the records as read,
    without a DataFrame, so without loading pandas (umbrella.data.rows)."""
    from umbrella.data import cache

    key = cache.dataset_key() if data is None and table in TABLE_NAMES else None
    view = cache.load_view(table, key) if key is not None else None
    if view is not None:
        return _Shown(view.rows, with_id=True, json=view.json)
    from umbrella.data.check import read_checked

    records = read_checked(data)
    if table not in records:  # a table derived from the records, or an unknown one
        from umbrella.data.world import World

        return _Shown.of(World(records=records).table(table))
    from umbrella.data.rows import table_view

    view = table_view(table, records[table])
    if key is not None:
        cache.store_view(table, key, view)
    return _Shown(view.rows, with_id=True, json=view.json)


@dataclass(frozen=True)
class _Shown:
    """The rows of a table to show, whether their ids are record ids (or row numbers), and
    each record as JSON by id (None: the rows are the JSON)."""

    rows: Rows
    with_id: bool
    json: Mapping[str, dict[str, Any]] | None = None

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Shown:
        from umbrella.data.rows import Rows

        rows = Rows(
            [str(c) for c in frame.columns],
            list(frame.index),
            [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")],
        )
        return cls(rows, with_id=frame.index.name == "id")

    def where(self, expression: str) -> _Shown:
        """The rows that pass one ``--filter`` expression."""
        match = _FILTER.match(expression)
        if match is None:
            raise UsageError(f"--filter '{expression}': write FIELD=VALUE (or != > < >= <= ~)")
        field, operator, wanted = match.groups()
        if field != "id" and field not in self.rows.columns:
            raise UsageError(
                f"--filter '{expression}': unknown field '{field}'; "
                f"fields are: id, {', '.join(self.rows.columns)}"
            )
        try:
            kept = self.rows.where(
                lambda rid, row: _matches(rid if field == "id" else row[field], operator, wanted)
            )
        except ValueError:
            raise UsageError(f"--filter '{expression}': '{wanted}' is not a number") from None
        return _Shown(kept, self.with_id, self.json)


def _missing(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


def _matches(cell: Any, operator: str, wanted: str) -> bool:
    if isinstance(cell, list):
        texts = [str(v).lower() for v in cell]
        hit = (
            wanted.lower() in texts
            if operator in ("=", "!=")
            else any(wanted.lower() in t for t in texts)
        )
        return not hit if operator == "!=" else hit
    if _missing(cell):
        return operator == "!="
    if operator in (">", "<", ">=", "<="):
        left: Any
        right: Any
        if isinstance(cell, int | float):
            left, right = float(cell), float(wanted)
        else:
            left, right = str(cell), wanted
        return bool(
            {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[
                operator
            ]
        )
    text = str(cell).lower()
    if operator == "~":
        return wanted.lower() in text
    equal = text == wanted.lower() or _same_number(cell, wanted)
    return equal if operator == "=" else not equal


def _same_number(cell: Any, wanted: str) -> bool:
    try:
        return isinstance(cell, int | float) and float(cell) == float(wanted)
    except ValueError:
        return False


def _json_rows(shown: _Shown) -> list[dict[str, Any]]:
    if shown.json is not None:
        return [shown.json[rid] for rid in shown.rows.ids]
    return shown.rows.rows


def _print_csv(shown: _Shown, columns: list[str]) -> None:
    rows = shown.rows
    echo_csv(
        ["id", *columns] if shown.with_id else columns,
        (
            [*([record_id] if shown.with_id else []), *(row[c] for c in columns)]
            for record_id, row in zip(rows.ids, rows.rows, strict=True)
        ),
    )


def _print_table(name: str, shown: _Shown, columns: list[str]) -> None:
    rows = shown.rows
    specs = [Column("id", kind="name", narrowest=12)] if shown.with_id else []
    cells = [
        [
            *([str(record_id)] if shown.with_id else []),
            *(_cell(rows.columns, row, c) for c in columns),
        ]
        for record_id, row in zip(rows.ids, rows.rows, strict=True)
    ]
    offset = len(specs)
    for position, column in enumerate(columns):
        values = [row[column] for row in rows.rows]
        texts = [row[offset + position] for row in cells]
        numeric = f"{column}_low" not in rows.columns and all(
            _missing(v) or (isinstance(v, int | float) and not isinstance(v, bool)) for v in values
        )
        # Dates, codes and flags keep their width; longer words and lists may wrap.
        short = all(len(t) <= _SHORT and " " not in t for t in texts)
        kind: Kind = "text" if column in _TEXT_COLUMNS else "name"
        specs.append(
            Column(
                column,
                justify="right" if numeric else "left",
                kind="fixed" if numeric or short else kind,
                narrowest=20 if column in _TEXT_COLUMNS else NARROWEST,
                # The first column always shows; the others, left to right, while they fit.
                drop=position,
            )
        )
    print_table(specs, cells, title=f"{name} ({len(rows.ids)} records)")
    kinds = Counter(row["kind"] for row in rows.rows) if "kind" in rows.columns else None
    if kinds:
        console.print(", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())))


def _cell(columns: list[str], row: dict[str, Any], column: str) -> str:
    value = row[column]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if _missing(value):
        return ""
    if f"{column}_low" in columns:
        low, high = row[f"{column}_low"], row[f"{column}_high"]
        text = f"{value:g}"
        if low != value or high != value:
            text += f" ({low:g}-{high:g})"
        year = row[f"{column}_year"]
        return f"{text} [{'<NA>' if _missing(year) else year}]"
    return str(value)
