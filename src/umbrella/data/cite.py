"""Citations: every figure and event traces back to a publication."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from umbrella.data.schema import Record, Source
from umbrella.data.world import World
from umbrella.errors import UsageError
from umbrella.settings import CITE_FORMATS

__all__ = [
    "CITE_FORMATS",
    "UNVERIFIED",
    "bibtex_key",
    "cite",
    "cited_sources",
    "format_source",
    "to_bibtex",
    "to_csl_json",
    "to_ris",
]

"""The formats :func:`cite` (and ``umbrella data cite --format``) writes."""


UNVERIFIED = "no primary reference verified: the figure rests on this report"
"""The mark of a re-report whose original could not be confirmed."""


def format_source(source: Source) -> str:
    """One source as a full reference, the original publication first: publisher, title,
    date and its own address; then, for a re-report, where it was read.

    >>> from umbrella.data import load_world
    >>> text = format_source(load_world().source("sipri-yearbook-2025-livemint"))
    >>> text.startswith('Stockholm International Peace Research Institute (SIPRI), "SIPRI Yearbook')
    True
    >>> text.index("https://www.sipri.org/yearbook/2025") < text.index("Read in")
    True
    """
    if source.kind == "assumption":
        return f"{source.publisher} modelling assumption: {source.title}. Reasoning: {source.note}"
    reference = f'{source.publisher}, "{source.title}", {source.published}'
    read = f"{source.url}" + (f" ({source.accessed})" if source.accessed else "")
    if source.kind == "primary":
        text = f"{reference}. {read}"
    elif source.primary == "verified":
        where = f"{source.via}, " if source.via else ""
        text = f"{reference}. {source.primary_url}. Read in: {where}{read}"
    else:
        where = f"{source.via}, " if source.via else ""
        text = f"{reference} [{UNVERIFIED}]. Read in: {where}{read}"
    if source.note:
        text += f" Note: {source.note}"
    return text


def cite(world: World, record_id: str | None = None, fmt: str = "text") -> str:
    """The full citation of a record, or of every source when ``record_id`` is None.

    ``record_id`` may be a source id (its reference alone) or the id of any other record,
    optionally as ``table:id``. ``fmt`` is one of :data:`CITE_FORMATS`: ``text`` (for a
    record, each field and the sources it rests on, then each source's full reference);
    ``bibtex``, ``csl-json`` and ``ris`` give one entry per source the record cites, in
    the order cited.

    >>> from umbrella.data import load_world
    >>> print(cite(load_world(), "sipri-yearbook-2025-livemint", "ris").splitlines()[0])
    TY  - GEN

    Raises
    ------
    UsageError
        If ``fmt`` is unknown or ``record_id`` names no record.
    """
    if fmt not in CITE_FORMATS:
        raise UsageError(f"unknown citation format '{fmt}'; formats are: {', '.join(CITE_FORMATS)}")
    if fmt == "text":
        if record_id is None:
            return "\n".join(f"[{s.id}] {format_source(s)}" for s in cited_sources(world))
        table, record = world.find(record_id)
        if isinstance(record, Source):
            return f"[{record.id}] {format_source(record)}"
        return _cite_record(world, table, record)
    sources = cited_sources(world, record_id)
    if fmt == "bibtex":
        return to_bibtex(sources)
    if fmt == "csl-json":
        return json.dumps(to_csl_json(sources), indent=2, ensure_ascii=False)
    return to_ris(sources)


def cited_sources(world: World, record_id: str | None = None) -> list[Source]:
    """The sources a record rests on, in the order first cited (the source itself for a
    source id; every source of the dataset when ``record_id`` is None)."""
    if record_id is None:
        return [s for s in world.records["sources"].values() if isinstance(s, Source)]
    _, record = world.find(record_id)
    if isinstance(record, Source):
        return [record]
    order: dict[str, None] = {}
    for source_ids in record.cited_sources().values():
        order |= dict.fromkeys(source_ids)
    return [world.source(s) for s in order]


def _cite_record(world: World, table: str, record: Record) -> str:
    lines = [f"{table}:{record.id}"]
    cited = record.cited_sources()
    order: list[str] = []
    for field, source_ids in cited.items():
        lines.append(f"  {field}: {', '.join(source_ids)}")
        order.extend(s for s in source_ids if s not in order)
    lines.append("Sources:")
    lines.extend(f"  [{s}] {format_source(world.source(s))}" for s in order)
    return "\n".join(lines)


# Reference managers -------------------------------------------------------------------
#
# Each entry is the original publication: its publisher (as the author, an organisation),
# title, date and, where it was confirmed, its own address. Where the text was read in a
# re-report, that copy is kept beside it (BibTeX howpublished, RIS and CSL notes).

_BIBTEX_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+/-]*$")
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_key(source_id: str) -> str:
    """A valid BibTeX key for a source id (a source's slug is one already).

    >>> bibtex_key("sipri-yearbook-2025"), bibtex_key("a b{c}")
    ('sipri-yearbook-2025', 'a-b-c-')
    """
    if _BIBTEX_KEY.match(source_id):
        return source_id
    key = re.sub(r"[^A-Za-z0-9_:.+/-]", "-", source_id)
    return key if _BIBTEX_KEY.match(key) else f"s{key}"


def to_bibtex(sources: Iterable[Source]) -> str:
    """One ``@misc`` entry per source, keyed by its id.

    >>> from umbrella.data import load_world
    >>> text = to_bibtex([load_world().source("sipri-yearbook-2025-livemint")])
    >>> text.splitlines()[0], "url = {https://www.sipri.org/yearbook/2025}" in text
    ('@misc{sipri-yearbook-2025-livemint,', True)
    """
    entries = []
    for source in sources:
        fields = [
            ("author", "{" + _latex(source.publisher) + "}"),
            ("title", "{" + _latex(source.title) + "}"),
            ("year", source.published[:4]),
            ("date", source.published),
        ]
        address = _address(source)
        if address is not None:
            fields.append(("url", address))
        read_in = _read_in(source)
        if read_in is not None:
            fields.append(("howpublished", _latex(read_in)))
        notes = _notes(source)
        if notes:
            fields.append(("note", _latex(" ".join(notes))))
        fields.append(("keywords", source.kind))
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
        entries.append(f"@misc{{{bibtex_key(source.id)},\n{body}}}\n")
    return "\n".join(entries)


def to_csl_json(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """One CSL-JSON item per source (a list, as citeproc, Zotero and pandoc read it).

    >>> from umbrella.data import load_world
    >>> item = to_csl_json([load_world().source("sipri-yearbook-2025-livemint")])[0]
    >>> item["issued"], item["URL"]
    ({'date-parts': [[2025, 6, 16]]}, 'https://www.sipri.org/yearbook/2025')
    """
    items = []
    for source in sources:
        item: dict[str, Any] = {
            "id": source.id,
            "type": "document",
            "title": source.title,
            "author": [{"literal": source.publisher}],
            "issued": {"date-parts": [[int(p) for p in source.published.split("-")]]},
        }
        address = _address(source)
        if address is not None:
            item["URL"] = address
        notes = [n for n in (_read_in(source), *_notes(source)) if n]
        if notes:
            item["note"] = " ".join(notes)
        item["keyword"] = source.kind
        items.append(item)
    return items


def to_ris(sources: Iterable[Source]) -> str:
    """One RIS record per source: ``TY  - GEN`` first, ``ER  - `` last.

    >>> from umbrella.data import load_world
    >>> lines = to_ris([load_world().source("sipri-yearbook-2025-livemint")]).splitlines()
    >>> lines[0], lines[1], lines[-1]
    ('TY  - GEN', 'ID  - sipri-yearbook-2025-livemint', 'ER  - ')
    """
    records = []
    for source in sources:
        parts = source.published.split("-")
        date = "/".join([*parts, *[""] * (3 - len(parts))]) + "/"
        tags = [
            ("TY", "GEN"),
            ("ID", source.id),
            ("AU", source.publisher),
            ("TI", source.title),
            ("PY", parts[0]),
            ("DA", date),
        ]
        address = _address(source)
        if address is not None:
            tags.append(("UR", address))
        read_in = _read_in(source)
        if read_in is not None:
            tags.append(("N1", read_in))
        tags.extend(("N1", note) for note in _notes(source))
        tags.append(("KW", source.kind))
        lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags]
        records.append("\n".join([*lines, "ER  - "]) + "\n")
    return "\n".join(records)


def _address(source: Source) -> str | None:
    """The original publication's own address where known, else where it was read."""
    if source.primary == "verified" and source.primary_url is not None:
        return source.primary_url
    return source.url if source.url.startswith("http") else None


def _read_in(source: Source) -> str | None:
    """For a re-report, where the text was read."""
    if source.kind != "secondary":
        return None
    where = f"{source.via}, " if source.via else ""
    return f"Read in: {where}{source.url}"


def _notes(source: Source) -> list[str]:
    notes = []
    if source.kind == "assumption":
        notes.append(f"{source.publisher} modelling assumption. Reasoning: {source.note}")
    elif source.kind == "secondary" and source.primary != "verified":
        notes.append(f"[{UNVERIFIED}]")
    if source.accessed:
        notes.append(f"Accessed: {source.accessed}.")
    if source.note and source.kind != "assumption":
        notes.append(f"Note: {source.note}")
    return notes


def _latex(text: str) -> str:
    return re.sub(r"[\\{}%&#$_~^]", lambda m: _LATEX[m.group()], _one_line(text))


def _one_line(text: str) -> str:
    return " ".join(text.split())
