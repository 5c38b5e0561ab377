"""Citations: every figure and event traces back to a publication."""

from __future__ import annotations

from umbrella.data.schema import Record, Source
from umbrella.data.world import World

__all__ = ["UNVERIFIED", "cite", "format_source"]


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


def cite(world: World, record_id: str) -> str:
    """The full citation of a record: each field and the sources it rests on.

    ``record_id`` may be a source id (its reference alone) or the id of any other record,
    optionally as ``table:id``.
    """
    table, record = world.find(record_id)
    if isinstance(record, Source):
        return f"[{record.id}] {format_source(record)}"
    return _cite_record(world, table, record)


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
