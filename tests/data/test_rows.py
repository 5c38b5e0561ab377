"""The plain rows `umbrella data show` prints are the rows of the World's DataFrames."""

from __future__ import annotations

import math
import pickle
from typing import Any

import pandas as pd
import pytest
from pydantic import BaseModel

from umbrella.data import World
from umbrella.data.rows import _typed, table_rows, table_view
from umbrella.settings import TABLE_NAMES


def _plain(value: Any) -> Any:
    """A DataFrame cell as a plain value, every kind of missing value as None."""
    if isinstance(value, list):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_rows_hold_what_the_dataframe_holds(world: World, name: str) -> None:
    frame = world.table(name)
    rows = table_rows(name, world.records[name])
    assert rows.columns == [str(c) for c in frame.columns]
    assert rows.ids == [str(i) for i in frame.index]  # events by date, the others as read
    for row, (_, expected) in zip(rows.rows, frame.iterrows(), strict=True):
        for column in rows.columns:
            mine, theirs = row[column], _plain(expected[column])
            assert (type(mine), mine) == (type(theirs), theirs), (name, column)


@pytest.mark.parametrize(
    "values",
    [
        [1, 2],
        [1, None],
        [1.5, None],
        [1, 2.5],
        [None, None],
        [True, None],
        [True, False],
        [1, True],
        ["a", None],
        [1, "a"],
        [[1], None],
    ],
)
def test_a_column_gets_the_type_pandas_infers(values: list[Any]) -> None:
    frame = pd.DataFrame([{"x": v, "y": "-"} for v in values])
    expected = [_plain(cell) for cell in (row["x"] for _, row in frame.iterrows())]
    got = _typed(values, whole=False)
    assert [(type(v), v) for v in got] == [(type(v), v) for v in expected]


def _row(world: World, table: str, record_id: str) -> dict[str, Any]:
    rows = table_rows(table, world.records[table])
    return rows.rows[rows.ids.index(record_id)]


def test_an_agreement_becomes_columns(world: World) -> None:
    rows = table_rows("options", world.records["options"])
    assert "agreement" not in rows.columns
    at = rows.columns.index("agreement_governments")
    assert rows.columns[at : at + 3] == [
        "agreement_governments",
        "agreement_note",
        "agreement_sources",
    ]
    row = _row(world, "options", "uk-france-coordination")
    assert row["agreement_governments"] == ["GBR", "FRA"]  # a list, as other list fields
    assert isinstance(row["agreement_note"], str)
    assert row["agreement_sources"] == ["northwood-declaration-2025-07-10-strategicstudyindia"]
    assert _row(world, "options", "status-quo")["agreement_governments"] == []


def test_elections_become_whole_number_columns(world: World) -> None:
    rows = table_rows("actors", world.records["actors"])
    assert "elections" not in rows.columns
    parts = ["office", "next", "every_years", "rule", "sources"]
    at = rows.columns.index("elections_office")
    assert rows.columns[at : at + 5] == [f"elections_{p}" for p in parts]
    france = _row(world, "actors", "FRA")
    assert (type(france["elections_next"]), france["elections_next"]) == (int, 2027)
    assert (type(france["elections_every_years"]), france["elections_every_years"]) == (int, 5)
    assert france["elections_office"] == "President of the Republic"
    assert france["elections_sources"] == ["conseil-constitutionnel-constitution-1958"]
    without = [row for row in rows.rows if row["elections_office"] is None]
    assert without  # actors no option needs to agree have none: every part is empty
    assert all(row[f"elections_{p}"] is None for row in without for p in parts)
    assert all(isinstance(row["elections_next"], int | None) for row in rows.rows)


def _models_in(value: Any) -> list[Any]:
    if isinstance(value, BaseModel):
        return [value]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _models_in(v)]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _models_in(v)]
    return []


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_rows_hold_plain_values_only(world: World, name: str) -> None:
    view = table_view(name, world.records[name])
    for record_id, row in zip(view.rows.ids, view.rows.rows, strict=True):
        for column, cell in row.items():
            assert not _models_in(cell), (name, record_id, column)
    # So a cached view (umbrella.data.cache) is read back without the schema.
    assert b"umbrella.data.schema" not in pickle.dumps(view)
