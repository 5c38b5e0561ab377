"""A table of the dataset as plain rows, without pandas.

Every record becomes one row (:func:`flatten`: an estimate ``x`` becomes ``x``, ``x_low``,
``x_high``, ``x_year`` and ``x_sources``; any other object ``x``, such as an option's
``agreement`` or an actor's ``elections``, becomes one column ``x_field`` per field, all
empty where the record has none), as in the DataFrames of :class:`umbrella.data.World`.
:func:`table_rows` also gives each column the type its DataFrame column has, so that a row
prints as the DataFrame's row does:

- a column of whole numbers with a value missing somewhere holds floats (``3.0``), as a
  float64 column;
- the years of estimates, ``year``, the ``*_since`` years and the whole-number fields of
  objects (``elections_next``, ``elections_every_years``) stay whole numbers (Int64);
- any other column keeps its values (text, dates, lists, flags).

A missing value is None. ``umbrella data show`` prints tables from these rows: loading
pandas would take longer than reading and checking the whole dataset. A :class:`TableView`
adds each record as JSON; it holds plain values only, so that a cached one
(:mod:`umbrella.data.cache`) is read back without the schema.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

if TYPE_CHECKING:
    from pydantic import BaseModel

    from umbrella.data.schema import Record

__all__ = [
    "Rows",
    "TableView",
    "flatten",
    "object_columns",
    "object_fields",
    "table_rows",
    "table_view",
]


def flatten(record: Record) -> dict[str, Any]:
    """A record as one row: an estimate ``x`` becomes x, x_low, x_high, x_year, x_sources;
    another object ``x`` (an option's agreement, an actor's elections) x_field per field."""
    from umbrella.data.schema import Actor, Borders, Estimate

    row: dict[str, Any] = {}
    objects = object_fields(type(record))
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, Estimate):
            row |= value.columns(name)
        elif name == "memberships" and isinstance(record, Actor):
            for m in value:
                suffix = "since" if m.status == "member" else "candidate_since"
                row[f"{m.org.lower()}_{suffix}"] = m.since
        elif isinstance(value, Borders):
            row[name] = list(value.states)
            row[f"{name}_sources"] = list(value.sources)
        elif name in objects:
            row |= object_columns(name, objects[name], value)
        elif isinstance(value, list):
            row[name] = [v.model_dump() if hasattr(v, "model_dump") else v for v in value]
        else:
            row[name] = value
    return row


def object_columns(name: str, model: type[BaseModel], value: BaseModel | None) -> dict[str, Any]:
    """The object ``value`` of field ``name`` (a ``model``, or None) as plain columns: field
    ``f`` becomes ``name_f``, every column None where ``value`` is. Values stay plain (a list
    a new list, a model within a dict), so that a row holds no schema object."""
    columns: dict[str, Any] = {}
    for part in model.model_fields:
        item: Any = None if value is None else getattr(value, part)
        if isinstance(item, list):
            item = [v.model_dump() if hasattr(v, "model_dump") else v for v in item]
        elif hasattr(item, "model_dump"):
            item = item.model_dump()
        columns[f"{name}_{part}"] = item
    return columns


@cache
def object_fields(kind: type[Record]) -> dict[str, type[BaseModel]]:
    """The fields of ``kind`` that hold one object flattened to ``name_field`` columns
    (optional or not), with its model: any model but an estimate or borders, which have
    columns of their own, and lists of models, which stay lists."""
    from umbrella.data.schema import Borders, Estimate

    found: dict[str, type[BaseModel]] = {}
    for name, info in kind.model_fields.items():
        model = _model_of(info.annotation)
        if model is not None and not issubclass(model, Estimate | Borders):
            found[name] = model
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model under Annotated and Optional in ``annotation``; None if there is none."""
    from pydantic import BaseModel

    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return None
            annotation = members[0]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        else:
            return None


def whole_number_columns(records: Iterable[Record], columns: Iterable[str]) -> set[str]:
    """The columns of whole numbers: the years of estimates, ``year``, ``*_since`` and the
    integer fields of objects (``elections_next``)."""
    from umbrella.data.schema import Estimate

    records = list(records)
    estimates = {
        name
        for record in records
        for name in type(record).model_fields
        if isinstance(getattr(record, name), Estimate)
    }
    integers = {
        f"{name}_{part}"
        for kind in {type(record) for record in records}
        for name, model in object_fields(kind).items()
        for part, info in model.model_fields.items()
        if info.annotation is int
    }
    whole = {f"{name}_year" for name in estimates} | {"year"} | integers
    return {c for c in columns if c in whole or c.endswith("_since")}


@dataclass(frozen=True)
class Rows:
    """The rows of a table, by record id, with its columns in order (``id`` apart)."""

    columns: list[str]
    ids: list[str]
    rows: list[dict[str, Any]]

    def where(self, keep: Callable[[str, dict[str, Any]], bool]) -> Rows:
        """The rows for which ``keep(id, row)`` holds, in order."""
        kept = [(i, row) for i, row in zip(self.ids, self.rows, strict=True) if keep(i, row)]
        return Rows(self.columns, [i for i, _ in kept], [row for _, row in kept])


@dataclass(frozen=True)
class TableView:
    """A table as ``umbrella data show`` prints it: its rows, and each record as JSON by id."""

    rows: Rows
    json: dict[str, dict[str, Any]]


def table_view(name: str, records: Mapping[str, Record]) -> TableView:
    """The rows of table ``name`` and its records as JSON (fields that are set)."""
    rows = table_rows(name, records)
    return TableView(
        rows, {i: records[i].model_dump(mode="json", exclude_none=True) for i in rows.ids}
    )


def table_rows(name: str, records: Mapping[str, Record]) -> Rows:
    """The records of table ``name`` as typed rows, in the order of its DataFrame (events by
    date, the others as read)."""
    flat = [flatten(record) for record in records.values()]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    whole = whole_number_columns(records.values(), columns)
    for column in columns:
        values = [row.get(column) for row in flat]
        typed = _typed(values, column in whole)
        for row, value in zip(flat, typed, strict=True):
            row[column] = value
    if name == "events":
        flat.sort(key=lambda row: row["date"])  # stable: events of one day as read
    ids = [str(row.pop("id")) for row in flat]
    return Rows([c for c in columns if c != "id"], ids, flat)


def _typed(values: list[Any], whole: bool) -> list[Any]:
    """A column's values as its DataFrame column holds them (missing as None)."""
    if whole:  # Int64
        return [None if v is None or v != v else int(v) for v in values]
    present = [v for v in values if v is not None]
    if not present or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in present
    ):
        return values  # text, dates, lists, flags (object), or nothing but gaps
    if len(present) == len(values) and all(isinstance(v, int) for v in present):
        return values  # int64
    return [None if v is None else float(v) for v in values]  # float64, gaps as NaN
