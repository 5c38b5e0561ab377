"""The plain rows `umbrella data show` prints are the rows of the World's DataFrames."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from umbrella.data import World
from umbrella.data.rows import _typed, table_rows
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
