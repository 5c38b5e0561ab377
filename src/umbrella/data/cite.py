"""Citations: every figure and event traces back to a publication."""

from __future__ import annotations

from umbrella.data.schema import Record, Source
from umbrella.data.world import World

__all__ = ["cite", "format_source"]


def format_source(source: Source) -> str:
    """One source as a full reference: publisher, title, date, where it was read."""
    if source.kind == "assumption":
        return f"{source.publisher} modelling assumption: {source.title}. Reasoning: {source.note}"
    parts = [f'{source.publisher}, "{source.title}", {source.published}']
    if source.via:
        parts.append(f"as reported by {source.via}")
    text = ", ".join(parts) + f". {source.url}"
    if source.accessed:
        text += f" ({source.accessed})"
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
