"""``/api/world/{table}`` and ``/api/sources/{id}``: the world dataset, sources kept."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Path, Request

from umbrella.settings import TABLE_NAMES
from umbrella.web.state import ApiError, Context, context

router = APIRouter(tags=["world"])

DERIVED = ("commitment_edges", "quotes")
"""Tables derived from the records (one row per guarantor-protege pair, per quote)."""
TABLES = (*TABLE_NAMES, *DERIVED)
_SOURCE_ID = r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$"


def _world(ctx: Context) -> Any:
    """The shipped world dataset, read and checked once per process."""
    if ctx.world is None:
        from umbrella.data import load_world

        ctx.world = load_world()
    return ctx.world


@router.get(
    "/world/{table}",
    summary="A table of the world dataset",
    description="Every record of the table as JSON, with the ids of its sources. Filter with "
    "query parameters `field=value` (as `umbrella data show TABLE --filter field=value`: "
    "case-insensitive; for a list field, one of its values); several filters combine. "
    f"Tables: {', '.join(TABLES)}.",
)
def world_table(
    request: Request,
    table: str = Path(pattern=r"^[a-z_]{1,40}$"),
    ctx: Context = Depends(context),
) -> list[dict[str, Any]]:
    if table not in TABLES:
        raise ApiError(404, f"unknown table '{table}'; tables: {', '.join(TABLES)}", "path.table")
    world = _world(ctx)
    filters = list(request.query_params.multi_items())
    if table in DERIVED:
        frame = world.table(table)
        if frame.index.name is not None:  # record ids: kept as a column
            frame = frame.reset_index()
        rows = [
            {str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
        ]
        columns = {str(c) for c in frame.columns}
        _check_fields(filters, columns)
        return [row for row in rows if all(_matches(row.get(f), v) for f, v in filters)]
    from umbrella.data.rows import table_view

    view = table_view(table, world.records[table])
    _check_fields(filters, {"id", *view.rows.columns})
    return [
        view.json[rid]
        for rid, row in zip(view.rows.ids, view.rows.rows, strict=True)
        if all(_matches(rid if f == "id" else row.get(f), v) for f, v in filters)
    ]


@router.get("/sources/{source_id}", summary="One source: its full record and citation")
def source(
    source_id: str = Path(pattern=_SOURCE_ID),
    ctx: Context = Depends(context),
) -> dict[str, Any]:
    from umbrella.data.cite import format_source

    world = _world(ctx)
    record = world.records["sources"].get(source_id)
    if record is None:
        raise ApiError(
            404, f"unknown source '{source_id}'; see GET /api/world/sources", "path.source_id"
        )
    body: dict[str, Any] = record.model_dump(mode="json", exclude_none=True)
    body["citation"] = format_source(record)
    return body


def _check_fields(filters: list[tuple[str, str]], columns: set[str]) -> None:
    for name, _ in filters:
        if name not in columns:
            shown = ", ".join(sorted(columns))
            raise ApiError(422, f"unknown field '{name}'; fields are: {shown}", f"query.{name}")


def _matches(cell: Any, wanted: str) -> bool:
    """``field=value`` as ``umbrella data show --filter`` reads it."""
    wanted = wanted.lower()
    if isinstance(cell, list):
        return wanted in [str(v).lower() for v in cell]
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return False
    if str(cell).lower() == wanted:
        return True
    try:
        return isinstance(cell, int | float) and float(cell) == float(wanted)
    except ValueError:
        return False


def _plain(value: Any) -> Any:
    """A cell of a derived table as JSON: dates as text, a missing value as None."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
