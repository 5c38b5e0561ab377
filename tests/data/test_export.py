"""The world dataset as a Frictionless Data Package: valid, complete, deterministic."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import frictionless
import pytest

from umbrella.data import TABLES, World
from umbrella.data.export import LIST_SEPARATOR, export_world
from umbrella.data.schema import Actor, Force, Option
from umbrella.errors import UsageError


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    folder = tmp_path_factory.mktemp("datapackage")
    export_world(world, folder)
    return folder


def _package(folder: Path) -> dict[str, Any]:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert isinstance(package, dict)
    return package


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_frictionless_finds_it_valid(exported: Path) -> None:
    report = frictionless.validate(exported / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_one_csv_per_table_with_every_record(exported: Path, world: World) -> None:
    package = _package(exported)
    names = [r["name"] for r in package["resources"]]
    assert names == [*TABLES, "citations", "actor_references"]
    for table in TABLES:
        rows = _rows(exported, table)
        assert [r["id"] for r in rows] == list(world.records[table])
    assert not list(exported.glob("*.part"))


def test_schemas_have_types_descriptions_and_keys(exported: Path) -> None:
    resources = {r["name"]: r for r in _package(exported)["resources"]}
    for table in TABLES:
        schema = resources[table]["schema"]
        assert schema["primaryKey"] == ["id"]
        for field in schema["fields"]:
            assert field["type"] in ("string", "number", "integer", "boolean", "date", "array")
            assert field["description"], (table, field["name"])
    forces = {f["name"]: f for f in resources["forces"]["schema"]["fields"]}
    assert forces["stockpile"]["type"] == "number"
    assert forces["stockpile_year"]["type"] == "integer"
    assert forces["year"]["constraints"] == {"maximum": 2100, "minimum": 1900, "required": True}
    kinds = {f["name"]: f for f in resources["sources"]["schema"]["fields"]}["kind"]
    assert kinds["constraints"]["enum"] == ["primary", "secondary", "assumption"]
    references = {
        (table, fk["fields"][0], fk["reference"]["resource"])
        for table, resource in resources.items()
        for fk in resource["schema"].get("foreignKeys", [])
    }
    assert references == {
        ("forces", "state", "actors"),
        ("deployments", "owner", "actors"),
        ("citations", "source", "sources"),
        ("actor_references", "actor", "actors"),
    }


def test_every_cited_source_is_a_row_of_citations(exported: Path, world: World) -> None:
    rows = {
        (r["table"], r["record"], r["field"], r["source"]) for r in _rows(exported, "citations")
    }
    expected = {
        (table, record.id, field, source)
        for table in TABLES
        for record in world.records[table].values()
        for field, sources in record.cited_sources().items()
        for source in sources
    }
    assert rows == expected
    hosts = {r["actor"] for r in _rows(exported, "actor_references") if r["field"] == "hosts"}
    assert hosts >= set(world.deployments["hosts"].explode())


def test_lists_are_semicolon_joined_or_json(exported: Path, world: World) -> None:
    row = next(r for r in _rows(exported, "forces") if r["id"] == "GBR-2025")
    force = world.record("forces", "GBR-2025")
    assert isinstance(force, Force)
    assert row["legs"].split(LIST_SEPARATOR) == force.legs
    assert row["stockpile_sources"].split(LIST_SEPARATOR) == force.stockpile.sources
    actor = next(r for r in _rows(exported, "actors") if r["id"] == "POL")
    memberships = json.loads(actor["memberships"])
    assert {"org": "NATO", "since": 1999, "status": "member"} in memberships


def test_agreements_and_elections_are_columns(exported: Path, world: World) -> None:
    options = _rows(exported, "options")
    row = next(r for r in options if r["id"] == "uk-france-coordination")
    assert row["agreement_governments"] == LIST_SEPARATOR.join(["GBR", "FRA"])
    option = world.record("options", "uk-france-coordination")
    assert isinstance(option, Option)
    assert row["agreement_note"] == option.agreement.note
    assert row["agreement_sources"].split(LIST_SEPARATOR) == option.agreement.sources
    assert "agreement" not in row
    actors = _rows(exported, "actors")
    france = next(r for r in actors if r["id"] == "FRA")
    actor = world.record("actors", "FRA")
    assert isinstance(actor, Actor)
    assert actor.elections is not None
    assert (france["elections_next"], france["elections_every_years"]) == ("2027", "5")
    assert france["elections_office"] == actor.elections.office
    assert france["elections_sources"].split(LIST_SEPARATOR) == actor.elections.sources
    assert "elections" not in france
    austria = next(r for r in actors if r["id"] == "AUT")
    assert all(v == "" for k, v in austria.items() if k.startswith("elections_"))
    for table in ("options", "actors"):
        text = (exported / f"{table}.csv").read_text(encoding="utf-8")
        assert "governments=[" not in text
        assert "office=" not in text
    resources = {r["name"]: r for r in _package(exported)["resources"]}
    fields = {f["name"]: f for f in resources["actors"]["schema"]["fields"]}
    assert fields["elections_next"]["type"] == "integer"
    assert fields["elections_every_years"]["constraints"] == {"maximum": 7, "minimum": 1}
    fields = {f["name"]: f for f in resources["options"]["schema"]["fields"]}
    assert fields["agreement_governments"]["description"]
    assert fields["agreement_sources"]["constraints"] == {"required": True}


def test_an_agreement_names_actors(exported: Path, world: World) -> None:
    references = {
        (r["table"], r["record"], r["field"], r["actor"])
        for r in _rows(exported, "actor_references")
    }
    assert ("options", "uk-france-coordination", "agreement.governments", "GBR") in references
    expected = {
        ("options", option.id, "agreement.governments", code)
        for option in world.records["options"].values()
        if isinstance(option, Option)
        for code in option.agreement.governments
    }
    assert expected
    assert expected <= references


def test_a_broken_reference_makes_it_invalid(exported: Path, tmp_path: Path) -> None:
    for path in exported.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    citations = (tmp_path / "citations.csv").read_text(encoding="utf-8")
    (tmp_path / "citations.csv").write_text(
        citations + "forces,GBR-2025,sources,no-such-source\r\n", encoding="utf-8"
    )
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {e.type for task in report.tasks for e in task.errors}


def test_deterministic(exported: Path, world: World, tmp_path: Path) -> None:
    export_world(world, tmp_path)
    for path in exported.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_bad_requests(world: World, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown export format 'xlsx'"):
        export_world(world, tmp_path, "xlsx")
    taken = tmp_path / "file"
    taken.write_text("", encoding="utf-8")
    with pytest.raises(UsageError, match="not a folder"):
        export_world(world, taken)
    with pytest.raises(UsageError, match="cannot create"):
        export_world(world, taken / "below")
