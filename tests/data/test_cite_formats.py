"""Citations for reference managers: BibTeX, CSL-JSON and RIS, one entry per source."""

from __future__ import annotations

import json
import re

import pytest
from bibtexparser.entrypoint import parse_string

from umbrella.data import World, cite
from umbrella.data.cite import CITE_FORMATS, UNVERIFIED, bibtex_key, cited_sources
from umbrella.data.schema import Source
from umbrella.errors import UsageError

# BibTeX's own rule: no spaces and none of " # % ' ( ) , = { } in a key.
KEY = re.compile(r"^[^\s\"#%'(),={}\\]+$")
CSL_TYPES = {"article", "book", "document", "report", "webpage", "dataset", "treaty"}


def _sources(world: World) -> list[Source]:
    return [s for s in world.records["sources"].values() if isinstance(s, Source)]


def test_bibtex_of_every_source_parses(world: World) -> None:
    sources = _sources(world)
    library = parse_string(cite(world, None, "bibtex"))
    assert not library.failed_blocks
    assert len(library.entries) == len(sources)
    assert [e.key for e in library.entries] == [s.id for s in sources]
    for entry, source in zip(library.entries, sources, strict=True):
        assert KEY.match(entry.key)
        assert entry.entry_type == "misc"
        fields = {f.key: f.value for f in entry.fields}
        assert fields["year"] == source.published[:4]
        assert fields["date"] == source.published
        assert fields["keywords"] == source.kind
        assert fields["title"].startswith("{")
        assert fields["title"].endswith("}")
    entry = library.entries_dict["sipri-yearbook-2025-livemint"]
    assert entry.fields_dict["url"].value == "https://www.sipri.org/yearbook/2025"
    assert "Read in: Mint (LiveMint)" in entry.fields_dict["howpublished"].value
    assert entry.fields_dict["author"].value == (
        "{Stockholm International Peace Research Institute (SIPRI)}"
    )


def test_bibtex_escapes_latex(world: World) -> None:
    text = cite(world, None, "bibtex")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("url"))
    assert not re.search(r"(?<!\\)[%&#_$]", body)


def test_bibtex_keys() -> None:
    assert bibtex_key("sipri-yearbook-2025") == "sipri-yearbook-2025"
    for odd in ("a b", "x{y}", "%", "(a,b)=c"):
        assert KEY.match(bibtex_key(odd))


def test_csl_json_items(world: World) -> None:
    items = json.loads(cite(world, None, "csl-json"))
    assert isinstance(items, list)
    assert len(items) == len(_sources(world))
    for item in items:
        assert isinstance(item["id"], str)
        assert item["type"] in CSL_TYPES
        assert item["title"]
        parts = item["issued"]["date-parts"]
        assert len(parts) == 1
        assert 1 <= len(parts[0]) <= 3
        assert all(isinstance(p, int) for p in parts[0])
        if "URL" in item:
            assert item["URL"].startswith("http")
    by_id = {item["id"]: item for item in items}
    assert by_id["sipri-yearbook-2025-livemint"]["issued"] == {"date-parts": [[2025, 6, 16]]}
    unverified = next(s for s in _sources(world) if s.primary == "not verified")
    assert UNVERIFIED in by_id[unverified.id]["note"]
    assumption = next(s for s in _sources(world) if s.kind == "assumption")
    assert "URL" not in by_id[assumption.id]


def test_ris_records(world: World) -> None:
    text = cite(world, None, "ris")
    records = [r for r in text.split("\n\n") if r.strip()]
    assert len(records) == len(_sources(world))
    for record in records:
        lines = record.strip("\n").split("\n")
        assert lines[0] == "TY  - GEN"
        assert lines[-1] == "ER  - "
        assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines)
    first = records[0].split("\n")
    assert "DA  - 2025/06/16/" in first
    assert "UR  - https://www.sipri.org/yearbook/2025" in first


def test_a_record_cites_its_sources_in_order(world: World) -> None:
    sources = cited_sources(world, "GBR-2025")
    library = parse_string(cite(world, "GBR-2025", "bibtex"))
    assert [e.key for e in library.entries] == [s.id for s in sources]
    order = list(
        dict.fromkeys(
            s for ids in world.record("forces", "GBR-2025").cited_sources().values() for s in ids
        )
    )
    assert [s.id for s in sources] == order


def test_text_is_the_default(world: World) -> None:
    assert cite(world, "GBR-2025") == cite(world, "GBR-2025", "text")
    assert cite(world, "GBR-2025").startswith("forces:GBR-2025")
    every = cite(world).splitlines()
    assert len(every) == len(_sources(world))
    assert set(CITE_FORMATS) == {"text", "bibtex", "csl-json", "ris"}


def test_unknown_format(world: World) -> None:
    with pytest.raises(UsageError, match="unknown citation format 'apa'"):
        cite(world, "GBR-2025", "apa")
