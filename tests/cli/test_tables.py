"""Tables fit the terminal: no column is squeezed below what its content needs to be read."""

from __future__ import annotations

import csv
import io
import json
import re
from io import StringIO

import pytest
from rich.console import Console

from tests.cli.rendered import parse, umbrella
from umbrella.cli.tables import NARROWEST, Column, break_name, fit, print_table

WIDTHS = (80, 100, 120)


def _least(header: str, values: list[str]) -> int:
    """The width below which some cell of a column would be cut short, or its heading cut
    inside a word (a heading may break after ``_``)."""
    pieces = re.findall(r"[^_ ]*_|[^_ ]+", header)
    return max(min(NARROWEST, max(len(v) for v in values)), *(len(p) for p in pieces))


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def assumptions() -> list[dict[str, str]]:
    done = umbrella("assumptions", "--format", "csv", columns=100)
    assert done.returncode == 0, done.stderr
    return _csv(done.stdout)


@pytest.fixture(scope="module")
def actors() -> list[dict[str, str]]:
    done = umbrella("data", "show", "actors", "--format", "csv", columns=100)
    assert done.returncode == 0, done.stderr
    return _csv(done.stdout)


@pytest.mark.parametrize("width", WIDTHS)
def test_assumptions_fit_without_squeezed_columns(
    width: int, assumptions: list[dict[str, str]]
) -> None:
    done = umbrella("assumptions", columns=width)
    assert done.returncode == 0, done.stderr
    table = parse(done.stdout, anchor=2)  # the default: one line per assumption
    assert all(len(line) <= width for line in done.stdout.splitlines() if line.startswith("│"))
    values = {
        "name": [a["name"] for a in assumptions],
        "meaning": [a["meaning"] for a in assumptions],
        "default": [f"{float(a['default']):g}" for a in assumptions],
        "range": [f"{float(a['low']):g} - {float(a['high']):g}" for a in assumptions],
        "unit": [a["unit"] for a in assumptions],
        "basis": [a["basis"] for a in assumptions],
    }
    assert table.headers[:3] == ["name", "meaning", "default"]
    for header, shown in zip(table.headers, table.widths, strict=True):
        assert shown >= _least(header, values[header]), (width, header, shown)
    hidden = [h for h in values if h not in table.headers]
    if hidden:
        flat = " ".join(done.stdout.split())
        assert f"Not shown at {width} columns: {', '.join(hidden)};" in flat
        assert "--format csv gives every column" in flat
    # Every assumption is there, once, with the default of the CSV.
    assert {row[0]: row[2] for row in table.rows} == dict(
        zip(values["name"], values["default"], strict=True)
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_actors_fit_without_squeezed_columns(width: int, actors: list[dict[str, str]]) -> None:
    done = umbrella("data", "show", "actors", columns=width)
    assert done.returncode == 0, done.stderr
    table = parse(done.stdout)
    assert all(len(line) <= width for line in done.stdout.splitlines() if line.startswith("│"))
    assert table.headers[:2] == ["id", "name"]
    assert len(table.headers) >= 4
    for number, header in enumerate(table.headers):
        cells = [row[number] for row in table.rows] + [a[header] for a in actors]
        assert table.widths[number] >= _least(header, cells), (width, header)
    by_id = {row[0]: row for row in table.rows}
    assert list(by_id) == [a["id"] for a in actors]
    for actor in actors:
        row = by_id[actor["id"]]
        assert row[1] == actor["name"]
        if "population_m" in table.headers:
            shown = row[table.headers.index("population_m")]
            assert shown.startswith(f"{float(actor['population_m']):g}")


def test_csv_and_json_carry_the_same_assumptions(assumptions: list[dict[str, str]]) -> None:
    done = umbrella("assumptions", "--format", "json", columns=100)
    records = json.loads(done.stdout)
    assert [r["name"] for r in records] == [a["name"] for a in assumptions]
    for record, row in zip(records, assumptions, strict=True):
        assert float(row["default"]) == record["default"]
        assert (float(row["low"]), float(row["high"])) == (record["low"], record["high"])
        assert row["basis"] == record["basis"]
    # The old flag still gives the JSON.
    assert json.loads(umbrella("assumptions", "--json", columns=100).stdout) == records


def test_csv_and_json_carry_the_same_actors(actors: list[dict[str, str]]) -> None:
    records = json.loads(umbrella("data", "show", "actors", "--format", "json", columns=100).stdout)
    assert [r["id"] for r in records] == [a["id"] for a in actors]
    for record, row in zip(records, actors, strict=True):
        assert row["name"] == record["name"]
        assert float(row["population_m"]) == record["population_m"]["value"]
    # CSV has every column, the table a summary set.
    assert {"region", "population_m_low", "population_m_sources"} <= set(actors[0])


def test_csv_of_chosen_columns_and_filters() -> None:
    done = umbrella(
        "data",
        "show",
        "actors",
        "--format",
        "csv",
        "--columns",
        "name,region",
        "-f",
        "id=FRA",
        columns=100,
    )
    assert _csv(done.stdout) == [{"id": "FRA", "name": "France", "region": "europe"}]


def test_json_and_format_csv_together_are_refused() -> None:
    done = umbrella("assumptions", "--json", "--format", "csv", columns=100)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["error: give --json or --format csv, not both"]


def test_an_unknown_format_is_one_line() -> None:
    done = umbrella("data", "show", "actors", "--format", "xml", columns=100)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--format" in lines[0]


# The layout itself.


def test_fit_keeps_columns_legible_and_drops_the_least_important() -> None:
    columns = [
        Column("name", kind="name"),
        Column("value", justify="right"),
        Column("meaning", kind="text", narrowest=20, drop=1),
        Column("basis", kind="text", narrowest=40, drop=2),
    ]
    rows = [["a.very_long.dotted_identifier_name", "12.5", "word " * 30, "long " * 200]]
    narrow = fit(columns, rows, 60)
    assert [columns[i].header for i in narrow.shown] == ["name", "value", "meaning"]
    assert [columns[i].header for i in narrow.hidden] == ["basis"]
    assert narrow.widths[0] >= NARROWEST
    assert narrow.widths[1] == len("value")  # a fixed column keeps its width
    assert narrow.widths[2] >= 20
    wide = fit(columns, rows, 200)
    assert wide.hidden == []
    assert sum(wide.widths) + 13 <= 200  # 4 columns: 5 borders and 8 of padding


def test_breaking_names_after_punctuation() -> None:
    assert break_name("option.uk-france-coordination.capex_eur_bn", 20) == (
        "option.uk-france-\ncoordination.capex_\neur_bn"
    )
    assert break_name("USA, NATO, BGR", 9) == "USA,\nNATO, BGR"
    assert break_name("short", 20) == "short"
    assert break_name("defence_pct_gdp", 8) == "defence_\npct_gdp"


def test_print_table_notes_what_it_leaves_out() -> None:
    out = Console(file=StringIO(), width=40)
    columns = [Column("id"), Column("text", kind="text", narrowest=40, drop=1)]
    print_table(columns, [["x", "a b c " * 20]], console=out)
    text = " ".join(out.file.getvalue().split())  # type: ignore[attr-defined]
    assert "Not shown at 40 columns: text; --format csv gives every column." in text
    brackets = Console(file=StringIO(), width=40)
    print_table([Column("reason", kind="text")], [["[bold]x[/bold]"]], console=brackets)
    assert "[bold]x[/bold]" in brackets.file.getvalue()  # type: ignore[attr-defined]
