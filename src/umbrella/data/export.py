"""The world dataset as a Frictionless (Tabular) Data Package: CSV tables and their schemas.

:func:`export_world` writes one CSV per table (``sources.csv``, ``actors.csv``...) and a
``datapackage.json`` that describes each column (name, type, description, constraints), the
primary key of each table (``id``) and its foreign keys. Two link tables make every
reference checkable by any Data Package validator: ``citations`` (one row per source a
record cites, in any field) and ``actor_references`` (one row per state a record names
where the dataset requires a known actor).

In the CSVs:

- an estimate ``x`` becomes the columns ``x``, ``x_low``, ``x_high``, ``x_year``,
  ``x_sources`` and ``x_note`` (``low`` and ``high`` filled in with the value where the
  record gives none);
- another object ``x`` (an option's ``agreement``, an actor's ``elections``) becomes one
  column ``x_field`` per field (``agreement_governments``, ``elections_next``...), all
  empty where the record has none;
- a list of ids or codes (``sources``, ``hosts``, ``legs``...) is one string, its items
  joined by semicolons (``POL;DEU``); an empty list is an empty cell;
- a list of objects (``memberships``, ``quotes``, ``effects``) is a JSON array (Table
  Schema type ``array``).

The export is deterministic: the same dataset gives the same bytes.

>>> import tempfile, json, pathlib
>>> from umbrella.data import load_world
>>> with tempfile.TemporaryDirectory() as folder:
...     written = export_world(load_world(), folder)
...     package = json.loads((pathlib.Path(folder) / "datapackage.json").read_text())
>>> [r["name"] for r in package["resources"]][:3]
['sources', 'actors', 'forces']
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from umbrella.data.rows import object_columns, object_fields
from umbrella.data.schema import (
    ORGANISATIONS,
    TABLES,
    Borders,
    Commitment,
    Deployment,
    Estimate,
    Event,
    Force,
    Option,
    Record,
)
from umbrella.data.world import World
from umbrella.errors import UsageError
from umbrella.settings import EXPORT_FORMATS
from umbrella.types import PathLike

__all__ = ["EXPORT_FORMATS", "LIST_SEPARATOR", "datapackage", "export_world"]

"""The formats ``umbrella data export --format`` writes."""
LIST_SEPARATOR = ";"
"""What joins the items of a list of ids or codes in one CSV cell."""

_TITLES = {
    "sources": "Sources",
    "actors": "Actors",
    "forces": "Nuclear forces",
    "deployments": "Deployments",
    "commitments": "Commitments",
    "events": "Events",
    "options": "Policy options",
    "polls": "Polls",
    "crises": "Crises",
    "citations": "Citations",
    "actor_references": "Actor references",
}

_TABLE_DESCRIPTIONS = {
    "sources": "A publication a figure or event is taken from.",
    "actors": "A state (ISO 3166-1 alpha-3).",
    "forces": "Aggregate public estimates for one nuclear-armed state and year.",
    "deployments": "Nuclear weapons one state keeps on another's territory.",
    "commitments": "A typed guarantee from guarantors to proteges.",
    "events": "A dated piece of evidence about a guarantee.",
    "options": "A policy option Europe can choose.",
    "polls": "One published survey figure on a guarantor as an ally.",
    "crises": (
        "A militarised dispute or crisis between the challenger and a European state, "
        "or a dated fact the backtests score."
    ),
    "citations": "One row per source a record cites, with the field that cites it.",
    "actor_references": (
        "One row per state a record names where the dataset requires a known actor "
        "(organisations such as NATO and EU are left out: they expand to their members)."
    ),
}

# Field descriptions, from docs/data.md.
_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "sources": {
        "id": "slug",
        "kind": (
            "primary: the publisher's own text; secondary: a re-report; assumption: an "
            "umbrella modelling assumption, whose title states it and whose note gives the "
            "reasoning"
        ),
        "publisher": "the original publisher (SIPRI, not the newspaper that re-reported it)",
        "title": "the title of the original publication",
        "url": "where the text was read",
        "published": "publication date of the original (YYYY, YYYY-MM or YYYY-MM-DD)",
        "via": "the outlet the URL belongs to, when it re-reports the original",
        "accessed": "when and how it was read",
        "primary": (
            "for a re-report: whether the original publication's own reference was "
            "confirmed (verified, not verified)"
        ),
        "primary_url": "the original publication's own address, where verified",
        "primary_checked": "where the primary reference was confirmed, or why it was not",
        "note": "caveats",
    },
    "actors": {
        "id": "ISO 3166-1 alpha-3 code",
        "name": "short English name",
        "region": "region",
        "memberships": (
            "list of {org, since, status}: org is NATO, EU or CSTO; since the accession "
            "year; status member or candidate"
        ),
        "nuclear_status": "nuclear status",
        "population_m": "population, millions",
        "gdp_usd_bn": "GDP, current USD bn",
        "defence_usd_bn": "defence expenditure, current USD bn",
        "defence_pct_gdp": "defence expenditure, % of GDP",
        "land_borders": (
            "ISO3 codes of the states it shares a land border with (recorded for Russia, "
            "Belarus and Ukraine; a border recorded on either side counts for both)"
        ),
        "elections": (
            "when the state next chooses its government, or its president where the "
            "president decides on defence (recorded for every state an option's agreement "
            "names)"
        ),
        "elections_office": "what is elected (President of the Republic, House of Commons)",
        "elections_next": (
            "the calendar year of the latest date the law allows for the next election after "
            "the dataset's date, 1 November 2026 (early elections are not modelled)"
        ),
        "elections_every_years": (
            "the legal maximum term: later elections are taken to fall every so many years "
            "after the next"
        ),
        "elections_rule": (
            "one sentence: the legal rule (constitution or statute, with its article) and the "
            "last election it counts from"
        ),
        "elections_sources": "source ids for the elections: the constitution or statute",
        "sources": "source ids for the non-numeric fields (memberships, status)",
    },
    "forces": {
        "id": "ISO3-YEAR",
        "state": "the nuclear-armed state (ISO3)",
        "year": "the year described",
        "stockpile": "warheads in the military stockpile",
        "inventory": "total inventory, including retired warheads awaiting dismantlement",
        "deployed": "warheads deployed or operationally available",
        "legs": "delivery legs fielded (sea, air, land)",
        "ssbns": "ballistic-missile submarines in service",
        "nuclear_spending_usd_bn": "yearly spending on nuclear forces, current USD bn",
        "summary": "one line in plain words",
        "sources": "source ids for legs and summary",
    },
    "deployments": {
        "id": "slug",
        "owner": "the state that owns the weapons (ISO3)",
        "hosts": "the host states (ISO3)",
        "weapons": "aggregate count over all hosts",
        "status": "how public the deployment is",
        "since": "start date",
        "summary": "summary",
        "sources": "source ids",
    },
    "commitments": {
        "id": "slug",
        "kind": "kind of commitment",
        "guarantors": "ISO3 codes or organisations (NATO, EU: every member)",
        "proteges": (
            "ISO3 codes or organisations (NATO, EU: every member); a state is never its own protege"
        ),
        "legal_basis": "the instrument and article",
        "binding": "legally binding (treaty) or a political commitment",
        "nuclear": "whether nuclear forces are part of the commitment",
        "start": "start date",
        "end": "end date; empty while in force",
        "summary": "summary",
        "sources": "source ids",
    },
    "events": {
        "id": "YYYY-MM-DD-slug",
        "date": "the (first) day of the event",
        "end_date": "for events that span days",
        "date_note": "when the date is approximate or sources differ",
        "actors": "ISO3 codes or organisations",
        "kind": (
            "withholding: a guarantor holds back support it had given or promised "
            "(abandonment); challenge: a move by the challenger"
        ),
        "summary": "one neutral sentence",
        "quotes": "direct quotes, verbatim from the source: list of {text, speaker, source}",
        "effects": (
            "umbrella's reading of what the event says about a guarantor's reliability: "
            "list of {guarantor, sign, protege, strength}"
        ),
        "coding": "one line: why these effects, by the coding protocol (docs/trust.md)",
        "sources": "source ids, at least one",
    },
    "options": {
        "id": "slug",
        "name": "name",
        "category": "nuclear or non-nuclear",
        "description": "description",
        "capex_eur_bn": "one-off cost, EUR bn",
        "opex_eur_bn_per_year": "yearly running cost, EUR bn",
        "years_to_first_effect": "years to first effect",
        "years_to_full_effect": "years to full effect",
        "agreement": "the governments that must agree for the option to be agreed and delivered",
        "agreement_governments": (
            "ISO3 codes of the states whose governments must agree, each once; empty where "
            "nothing new has to be agreed, as for the status quo"
        ),
        "agreement_note": "why these governments",
        "agreement_sources": "source ids for the agreement",
        "rationale": "how the figures were derived, especially where no source gives them",
        "sources": "source ids",
    },
    "polls": {
        "id": "slug",
        "series": "the same question asked by the same pollster over time",
        "publisher": "who ran or commissioned the survey",
        "guarantor": "the state the question is about (ISO3)",
        "scope": "one country's respondents, or an aggregate over several",
        "country": "the respondents' country (national figures only)",
        "countries": "what an aggregate spans, as far as the source says (ISO3)",
        "scope_note": "what an aggregate spans, in words",
        "fieldwork": (
            "start of fieldwork, or the release where the source gives no fieldwork "
            "(YYYY, YYYY-MM or YYYY-MM-DD)"
        ),
        "question": "the question as published",
        "answer": "the answer counted; (negative measure) where it counts distrust",
        "share_pct": "per cent of respondents",
        "sample_size": "sample size, where published",
        "excerpt": "the source's words that carry the number, verbatim",
        "note": "comparability, derived dates, weaker copies",
        "sources": "the copy the figure was read in (source ids)",
    },
    "crises": {
        "id": "slug",
        "dataset": "where the row comes from",
        "version": "the dataset's version and the last year it covers (datasets only)",
        "year": "the year the dispute or crisis began",
        "challenger": "the side that acted first (MID side A, ICB triggering entity), ISO3",
        "target": "the other side, ISO3",
        "challenge": "the challenger challenged the target",
        "level": "the hostility level or crisis type as the dataset codes it",
        "start": "when the row began, as precisely as known (YYYY, YYYY-MM or YYYY-MM-DD)",
        "hostility": (
            "the challenger's own highest action on the MID scale (1 none, 2 threat, "
            "3 display, 4 use of force, 5 war or seizure of territory)"
        ),
        "description": "dates and roles",
        "excerpt": "the dataset's rows or the source's words, verbatim",
        "sources": "source ids",
    },
}

_ESTIMATE_PARTS = {
    "": ("number", "{}: the central (preferred) figure"),
    "_low": ("number", "{}: lowest figure a cited source gives (the value where they agree)"),
    "_high": ("number", "{}: highest figure a cited source gives (the value where they agree)"),
    "_year": ("integer", "{}: the year the figure describes"),
    "_sources": ("string", "{}: source ids of the figure"),
    "_note": ("string", "{}: note on the figure"),
}

_LINK_TABLES: dict[str, list[dict[str, Any]]] = {
    "citations": [
        {"name": "table", "type": "string", "description": "the citing record's table"},
        {"name": "record", "type": "string", "description": "the citing record's id"},
        {
            "name": "field",
            "type": "string",
            "description": "the field that cites the source, as a dotted path "
            "(stockpile.sources, quotes[0].source)",
        },
        {"name": "source", "type": "string", "description": "the source id"},
    ],
    "actor_references": [
        {"name": "table", "type": "string", "description": "the naming record's table"},
        {"name": "record", "type": "string", "description": "the naming record's id"},
        {
            "name": "field",
            "type": "string",
            "description": "the field that names the state (hosts, effects[0].guarantor)",
        },
        {"name": "actor", "type": "string", "description": "the state's ISO3 code"},
    ],
}

# Fields that must name a known actor (a scalar: a foreign key on the table itself).
_ACTOR_KEYS = {"forces": ["state"], "deployments": ["owner"]}


def export_world(world: World, out: PathLike, fmt: str = "datapackage") -> list[Path]:
    """Write ``world`` to the folder ``out`` in format ``fmt``; the paths written.

    Each file is written under ``NAME.part`` first and renamed when complete.

    Raises
    ------
    UsageError
        If ``fmt`` is unknown, or ``out`` is not a folder and cannot be made one, or a file
        in it cannot be written.
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format '{fmt}'; formats are: {', '.join(EXPORT_FORMATS)}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder; --out needs a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{folder}: cannot create the folder ({_reason(error)})") from None
    package, tables = datapackage(world)
    written: list[Path] = []
    for resource in package["resources"]:
        path = folder / resource["path"]
        _write_atomic(path, _csv_text(resource["schema"]["fields"], tables[resource["name"]]))
        written.append(path)
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    _write_atomic(folder / "datapackage.json", text)
    written.append(folder / "datapackage.json")
    return written


def datapackage(world: World) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The Data Package descriptor of ``world`` and each resource's rows (column: value)."""
    resources: list[dict[str, Any]] = []
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, model in TABLES.items():
        fields = _fields(name, model)
        foreign = [_foreign_key(column, "actors") for column in _ACTOR_KEYS.get(name, [])]
        resources.append(_resource(name, fields, ["id"], foreign))
        tables[name] = [_row(record) for record in world.records[name].values()]
    links = {
        "citations": (["table", "record", "field", "source"], "source", "sources"),
        "actor_references": (["table", "record", "field", "actor"], "actor", "actors"),
    }
    for name, (key, column, target) in links.items():
        fields = [{**f, "constraints": {"required": True}} for f in _LINK_TABLES[name]]
        resources.append(_resource(name, fields, key, [_foreign_key(column, target)]))
    tables["citations"] = list(_citations(world))
    tables["actor_references"] = list(_actor_references(world))
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "umbrella-world",
        "title": "umbrella world dataset",
        "description": (
            "States, nuclear forces, deployments, commitments, dated evidence events, policy "
            "options, polls and crises, each figure with the sources it rests on "
            "(docs/data.md). Lists of ids or codes are joined by semicolons; lists of "
            "objects are JSON arrays."
        ),
        "version": _version(),
        "keywords": ["deterrence", "security guarantees", "nuclear weapons", "nato"],
    }
    licence = _licence()
    if licence is not None:
        package["licenses"] = [{"name": licence}]
    package["resources"] = resources
    return package, tables


def _resource(
    name: str, fields: list[dict[str, Any]], key: list[str], foreign: list[dict[str, Any]]
) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": fields, "primaryKey": key, "missingValues": [""]}
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "profile": "tabular-data-resource",
        "name": name,
        "path": f"{name}.csv",
        "title": _TITLES[name],
        "description": _TABLE_DESCRIPTIONS[name],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def _foreign_key(column: str, target: str) -> dict[str, Any]:
    return {"fields": [column], "reference": {"resource": target, "fields": ["id"]}}


# Schemas -----------------------------------------------------------------------------


def _fields(table: str, model: type[Record]) -> list[dict[str, Any]]:
    described = _DESCRIPTIONS.get(table, {})
    objects = object_fields(model)
    fields: list[dict[str, Any]] = []
    for name, info in model.model_fields.items():
        kind, optional, _ = _unwrap(info.annotation)
        required = info.is_required() and not optional
        description = described.get(name, name.replace("_", " "))
        if isinstance(kind, type) and issubclass(kind, Estimate):
            for suffix, (column_type, template) in _ESTIMATE_PARTS.items():
                column = _field(f"{name}{suffix}", column_type, template.format(description))
                if required and suffix != "_note":
                    column["constraints"] = {"required": True}
                fields.append(column)
            continue
        if kind is Borders:
            fields.append(_field(name, "string", f"{description} (semicolon-separated)"))
            fields.append(_field(f"{name}_sources", "string", f"{description}: source ids"))
            continue
        if name in objects:  # one column per field, required where both are
            for part, part_info in objects[name].model_fields.items():
                column_name = f"{name}_{part}"
                text = described.get(column_name, f"{description}: {part.replace('_', ' ')}")
                fields.append(_column(column_name, part_info, text, within_required=required))
            continue
        fields.append(_column(name, info, description))
    return fields


def _column(
    name: str, info: FieldInfo, description: str, *, within_required: bool = True
) -> dict[str, Any]:
    """The column of a field that holds one value or a list (of a record, or of an object
    the record holds: required only where the object is)."""
    kind, optional, extra = _unwrap(info.annotation)
    constraints = _constraints([*info.metadata, *extra])
    required = within_required and info.is_required() and not optional
    column_type, enum = _column_type(kind)
    if column_type == "list":
        column = _field(name, "string", f"{description} (semicolon-separated)")
        required = required and constraints.get("minLength", 0) >= 1
        constraints = {}
    elif column_type == "array":
        column = _field(name, "array", f"{description} (a JSON array)")
        constraints = {}
        required = False
    else:
        column = _field(name, column_type, description)
    if enum:
        constraints["enum"] = enum
    constraints.pop("minLength", None)
    if required or name == "id":
        constraints["required"] = True
    if constraints:
        column["constraints"] = dict(sorted(constraints.items()))
    return column


def _field(name: str, column_type: str, description: str) -> dict[str, Any]:
    return {"name": name, "type": column_type, "description": description}


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """The type under Annotated and Optional, whether None is allowed, and the metadata."""
    optional = False
    extra: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *more = get_args(annotation)
            extra.extend(more)
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(members) < len(get_args(annotation))
            annotation = members[0]
        else:
            return annotation, optional, extra


def _column_type(kind: Any) -> tuple[str, list[Any]]:
    """The Table Schema type of a field's (unwrapped) type, and its allowed values."""
    origin = get_origin(kind)
    if origin is Literal:
        values = list(get_args(kind))
        return ("integer" if all(isinstance(v, int) for v in values) else "string"), values
    if origin is list:
        item, _, _ = _unwrap(get_args(kind)[0])
        is_model = isinstance(item, type) and issubclass(item, BaseModel)
        return ("array" if is_model else "list"), []
    if kind is bool:
        return "boolean", []
    if kind is int:
        return "integer", []
    if kind is float:
        return "number", []
    if kind is dt.date:
        return "date", []
    return "string", []


def _constraints(metadata: Iterable[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found |= _constraints(item.metadata)
            continue
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            # Table Schema patterns are implicitly anchored: drop ^ and $.
            found["pattern"] = pattern.removeprefix("^").removesuffix("$")
        for attribute, key in (("ge", "minimum"), ("le", "maximum"), ("min_length", "minLength")):
            value = getattr(item, attribute, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found[key] = value
    return found


# Rows --------------------------------------------------------------------------------


def _row(record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {}
    objects = object_fields(type(record))
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, Estimate):
            row |= value.columns(name, note=True)
        elif isinstance(value, Borders):
            row[name] = list(value.states)
            row[f"{name}_sources"] = list(value.sources)
        elif name in objects:
            row |= object_columns(name, objects[name], value)
        elif isinstance(value, list) and any(isinstance(v, BaseModel) for v in value):
            row[name] = [v.model_dump(mode="json", exclude_none=True) for v in value]
        else:
            row[name] = value
    return row


def _citations(world: World) -> Iterator[dict[str, Any]]:
    for table in TABLES:
        for record in world.records[table].values():
            for field, cited in record.cited_sources().items():
                for source in dict.fromkeys(cited):
                    yield {"table": table, "record": record.id, "field": field, "source": source}


def _actor_references(world: World) -> Iterator[dict[str, Any]]:
    for table in TABLES:
        for record in world.records[table].values():
            for field, codes in _named_actors(record):
                for code in dict.fromkeys(codes):
                    if code is not None and code not in ORGANISATIONS:
                        yield {"table": table, "record": record.id, "field": field, "actor": code}


def _named_actors(record: Record) -> Iterator[tuple[str, Sequence[str | None]]]:
    """The fields of ``record`` that must name known actors (as umbrella data check)."""
    if isinstance(record, Force):
        yield "state", [record.state]
    elif isinstance(record, Deployment):
        yield "owner", [record.owner]
        yield "hosts", record.hosts
    elif isinstance(record, Commitment):
        yield "guarantors", record.guarantors
        yield "proteges", record.proteges
    elif isinstance(record, Event):
        yield "actors", record.actors
        for index, effect in enumerate(record.effects):
            yield f"effects[{index}].guarantor", [effect.guarantor]
            yield f"effects[{index}].protege", [effect.protege]
    elif isinstance(record, Option):
        yield "agreement.governments", record.agreement.governments


def _csv_text(fields: Sequence[Mapping[str, Any]], rows: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [f["name"] for f in fields]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return json.dumps(value, ensure_ascii=False)
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


# Files -------------------------------------------------------------------------------


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        partial.replace(path)  # never leave a half-written file under the final name
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot write ({_reason(error)})") from None


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _version() -> str:
    from umbrella import __version__

    return __version__


def _licence() -> str | None:
    try:
        meta = metadata("umbrella")
    except PackageNotFoundError:
        return None
    for key in ("License-Expression", "License"):
        values = meta.get_all(key) or []
        if values:
            return str(values[0])
    return None
