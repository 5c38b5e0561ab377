"""A run's manifest: the authoritative record of a run, kept in its folder.

``manifest.json`` holds the run's settings, status, owner process and times; one
``chunk-NNNNN.json`` per written chunk holds its size and the byte count and SHA-256 of its
two Parquet files. Each is written atomically (a temporary file, ``fsync``, renamed over the
final name). A chunk record is written only after both its files are in place, and removing
it (``umbrella runs repair``) un-records the chunk. The DuckDB catalog is an index built
from these files (:mod:`umbrella.store.catalog`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from umbrella.store import files
from umbrella.store.records import StoreError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "ChunkEntry",
    "FileSum",
    "chunk_record_name",
    "read_chunk_record",
    "read_manifest",
    "recorded_chunks",
    "write_chunk_record",
    "write_manifest",
]

FORMAT = 1
MANIFEST = "manifest.json"
_RECORD = re.compile(r"^chunk-(\d{5,})\.json$")


@dataclass(frozen=True)
class FileSum:
    """One chunk file as written: its name, size in bytes and SHA-256 (hex)."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ChunkEntry:
    """The record of one written chunk."""

    chunk: int
    rows: int
    futures: FileSum
    outcomes: FileSum
    written_at: str


def chunk_record_name(chunk: int) -> str:
    """The file name of a chunk's record: ``chunk-00003.json``."""
    return f"chunk-{chunk:05d}.json"


def recorded_chunks(names: set[str] | list[str]) -> set[int]:
    """The chunks whose record is among these file names (of a run folder)."""
    found = set()
    for name in names:
        match = _RECORD.match(name)
        if match:
            found.add(int(match.group(1)))
    return found


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def write_manifest(folder: Path, values: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` of a run: ``values`` holds every catalog column of the run."""
    document = {"format": FORMAT, **values}
    for name in ("started_at", "finished_at"):
        document[name] = _time(values[name])
    document["options"] = list(values["options"])
    document["uncertainties"] = list(values["uncertainties"])
    files.write_text(json.dumps(document, indent=1) + "\n", folder / MANIFEST)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The values of a run's ``manifest.json`` (times as aware UTC datetimes)."""
    path = folder / MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as error:
        raise StoreError(f"{path}: cannot read the run's manifest: {error}") from None
    if not isinstance(document, dict):
        raise StoreError(f"{path}: the run's manifest is not a JSON object")
    if int(document.get("format", 0)) > FORMAT:
        raise StoreError(
            f"{path}: manifest format {document['format']} is newer than this umbrella's "
            f"({FORMAT}); upgrade umbrella to read this run"
        )
    try:
        for name in ("started_at", "finished_at"):
            value = document.get(name)
            document[name] = None if value is None else datetime.fromisoformat(value)
        document["seed"] = int(document["seed"])
        document["n_samples"] = int(document["n_samples"])
        document["chunk_size"] = int(document["chunk_size"])
        document["pid"] = int(document["pid"])
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"{path}: the run's manifest lacks or mangles {error}") from None
    document.pop("format", None)
    return document


def write_chunk_record(folder: Path, entry: ChunkEntry) -> None:
    """Record a chunk whose two files are in place (atomically)."""
    document = {
        "format": FORMAT,
        "chunk": entry.chunk,
        "rows": entry.rows,
        "written_at": entry.written_at,
        "files": {
            kind: {"name": file.name, "bytes": file.size, "sha256": file.sha256}
            for kind, file in (("futures", entry.futures), ("outcomes", entry.outcomes))
        },
    }
    files.write_text(json.dumps(document, indent=1) + "\n", folder / chunk_record_name(entry.chunk))


def read_chunk_record(folder: Path, chunk: int) -> ChunkEntry:
    """The record of a chunk; StoreError naming the file if it is missing or unreadable."""
    path = folder / chunk_record_name(chunk)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        sums = {
            kind: FileSum(
                name=str(document["files"][kind]["name"]),
                size=int(document["files"][kind]["bytes"]),
                sha256=str(document["files"][kind]["sha256"]),
            )
            for kind in ("futures", "outcomes")
        }
        entry = ChunkEntry(
            chunk=int(document["chunk"]),
            rows=int(document["rows"]),
            futures=sums["futures"],
            outcomes=sums["outcomes"],
            written_at=str(document["written_at"]),
        )
    except FileNotFoundError:
        raise StoreError(f"{path}: the chunk's record is missing") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StoreError(f"{path}: cannot read the chunk's record: {error}") from None
    if entry.chunk != chunk:
        raise StoreError(f"{path}: the record is of chunk {entry.chunk}, not {chunk}")
    pairs: tuple[tuple[files.Kind, FileSum], ...] = (
        ("futures", entry.futures),
        ("outcomes", entry.outcomes),
    )
    for kind, file in pairs:
        if file.name != files.chunk_name(kind, chunk):
            raise StoreError(
                f"{path}: the record names {file.name} for the {kind} of chunk {chunk}"
            )
    return entry
