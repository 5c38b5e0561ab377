"""The world dataset as one object: typed records and labelled tables.

>>> import umbrella
>>> world = umbrella.load_world()
>>> world.actor("FRA").nuclear_status
'nuclear_weapon_state'
>>> "GBR-2025" in world.forces.index
True
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import pandas as pd

from umbrella.data.check import check_references, read_checked
from umbrella.data.read import TABLE_SUFFIXES, read_tables, shipped_dir
from umbrella.data.rows import flatten, whole_number_columns
from umbrella.data.schema import (
    ORGANISATIONS,
    TABLES,
    Actor,
    Commitment,
    Event,
    Record,
    Source,
)
from umbrella.errors import Problem, UsageError
from umbrella.types import PathLike

__all__ = ["World", "check_world", "load_world"]

R = TypeVar("R", bound=Record)


def check_world(data_dir: PathLike | None = None) -> list[Problem]:
    """Every problem in the shipped dataset overlaid with ``data_dir`` (empty when valid).

    Raises
    ------
    UsageError
        If ``data_dir`` is given but is not a folder.
    """
    tables = read_tables(data_dir)
    return tables.problems + check_references(tables)


def load_world(data_dir: PathLike | None = None) -> World:
    """Load the shipped world dataset, with the tables in ``data_dir`` laid over it.

    Parameters
    ----------
    data_dir
        A folder of YAML tables (``actors.yaml``, ``events.yaml``...) in the format of
        ``docs/data.md``. A record whose id exists replaces the shipped one; a new id adds one.

    Returns
    -------
    World
        Tables as pandas DataFrames indexed by id, and typed accessors.

    Raises
    ------
    DataError
        If any record is invalid; ``error.problems`` lists every problem found.
    UsageError
        If ``data_dir`` is given but is not a folder.
    """
    if data_dir is None:
        # The shipped dataset is read and checked once per process while its files stay as
        # they are (a scenario is parsed on every what-if of the web app: ~20 ms saved each).
        return _shipped_world(_shipped_signature())
    return World(records=read_checked(data_dir))


def _shipped_signature() -> tuple[tuple[str, int, int], ...]:
    """Each shipped table's name, modification time and size: a changed file changes it."""
    folder = shipped_dir()
    return tuple(
        (path.name, stat.st_mtime_ns, stat.st_size)
        for path in sorted(folder.iterdir())
        if path.suffix in TABLE_SUFFIXES
        for stat in (path.stat(),)
    )


@lru_cache(maxsize=1)
def _shipped_world(signature: tuple[tuple[str, int, int], ...]) -> World:
    return World(records=read_checked(None))


@dataclass(frozen=True, eq=False)
class World:
    """The validated dataset: ``records[table][id]`` plus labelled views of it."""

    records: Mapping[str, Mapping[str, Record]]

    # Typed access -----------------------------------------------------------------------

    def record(self, table: str, record_id: str) -> Record:
        """One record; raises :class:`UsageError` naming close matches if it is unknown."""
        records = self.records.get(table)
        if records is None:
            raise UsageError(f"unknown table '{table}'; tables are: {', '.join(TABLES)}")
        if record_id not in records:
            raise UsageError(_unknown_id_message(table, record_id, records))
        return records[record_id]

    def actor(self, code: str) -> Actor:
        """The actor with ISO 3166-1 alpha-3 ``code``."""
        return _typed(self.record("actors", code), Actor)

    def source(self, source_id: str) -> Source:
        """The source with id ``source_id``."""
        return _typed(self.record("sources", source_id), Source)

    def members(self, org: str, on: dt.date | None = None) -> list[str]:
        """ISO3 codes of the full members of ``org`` (on a given date if ``on`` is set)."""
        if org not in ORGANISATIONS:
            raise UsageError(f"unknown organisation '{org}'; one of: {', '.join(ORGANISATIONS)}")
        return [a.id for a in self._of("actors", Actor) if a.member_of(org, on)]

    def neighbours(self, code: str) -> frozenset[str]:
        """ISO3 codes of the states that share a land border with ``code``, as recorded on
        either side (``land_borders`` in actors.yaml)."""
        self.actor(code)
        found: set[str] = set()
        for actor in self._of("actors", Actor):
            listed = actor.land_borders.states if actor.land_borders is not None else []
            if actor.id == code:
                found.update(listed)
            elif code in listed:
                found.add(actor.id)
        return frozenset(found)

    def find(self, record_id: str) -> tuple[str, Record]:
        """The table and record of ``record_id`` (``table:id`` to be explicit)."""
        if ":" in record_id:
            table, _, bare = record_id.partition(":")
            return table, self.record(table, bare)
        hits = [
            (table, records[record_id])
            for table, records in self.records.items()
            if record_id in records
        ]
        if not hits:
            every = {rid: None for records in self.records.values() for rid in records}
            raise UsageError(_unknown_id_message("any table", record_id, every))
        if len(hits) > 1:
            tables = ", ".join(f"{t}:{record_id}" for t, _ in hits)
            raise UsageError(f"'{record_id}' is in several tables; name one of {tables}")
        return hits[0]

    def _of(self, table: str, kind: type[R]) -> list[R]:
        return [r for r in self.records[table].values() if isinstance(r, kind)]

    # Labelled tables --------------------------------------------------------------------

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` as a DataFrame indexed by id (estimates as value/low/high/...)."""
        if name not in TABLES and name not in ("commitment_edges", "quotes"):
            raise UsageError(
                f"unknown table '{name}'; tables are: {', '.join(TABLES)}, commitment_edges, quotes"
            )
        frame: pd.DataFrame = getattr(self, name)
        return frame

    @cached_property
    def sources(self) -> pd.DataFrame:
        return _frame(self.records["sources"])

    @cached_property
    def actors(self) -> pd.DataFrame:
        return _frame(self.records["actors"])

    @cached_property
    def forces(self) -> pd.DataFrame:
        return _frame(self.records["forces"])

    @cached_property
    def deployments(self) -> pd.DataFrame:
        return _frame(self.records["deployments"])

    @cached_property
    def commitments(self) -> pd.DataFrame:
        return _frame(self.records["commitments"])

    @cached_property
    def events(self) -> pd.DataFrame:
        # Stable: events of the same day in the order they were read, as `data show` lists them.
        return _frame(self.records["events"]).sort_values("date", kind="stable")

    @cached_property
    def options(self) -> pd.DataFrame:
        return _frame(self.records["options"])

    @cached_property
    def crises(self) -> pd.DataFrame:
        return _frame(self.records["crises"])

    @cached_property
    def polls(self) -> pd.DataFrame:
        return _frame(self.records["polls"])

    @cached_property
    def quotes(self) -> pd.DataFrame:
        """One row per quote in the events, with the event's date and id."""
        rows = [
            {
                "event": e.id,
                "date": e.date,
                "speaker": q.speaker,
                "text": q.text,
                "source": q.source,
            }
            for e in sorted(self._of("events", Event), key=lambda e: e.date)
            for q in e.quotes
        ]
        return pd.DataFrame(rows, columns=["event", "date", "speaker", "text", "source"])

    @cached_property
    def commitment_edges(self) -> pd.DataFrame:
        """One row per guarantor -> protege pair, organisations expanded to their members.

        Where a party was named through an organisation, the edge starts no earlier than
        that member's accession year.
        """
        actors = {a.id: a for a in self._of("actors", Actor)}
        rows: list[dict[str, Any]] = []
        for commitment in self._of("commitments", Commitment):
            guarantors = _expand(commitment.guarantors, actors)
            proteges = _expand(commitment.proteges, actors)
            for guarantor, joined_g in guarantors.items():
                for protege, joined_p in proteges.items():
                    if guarantor == protege:
                        continue
                    start = max([commitment.start, *[d for d in (joined_g, joined_p) if d]])
                    rows.append(
                        {
                            "commitment": commitment.id,
                            "kind": commitment.kind,
                            "guarantor": guarantor,
                            "protege": protege,
                            "binding": commitment.binding,
                            "nuclear": commitment.nuclear,
                            "start": start,
                            "end": commitment.end,
                        }
                    )
        columns = [
            "commitment",
            "kind",
            "guarantor",
            "protege",
            "binding",
            "nuclear",
            "start",
            "end",
        ]
        return pd.DataFrame(rows, columns=columns)


def _typed(record: Record, kind: type[R]) -> R:
    if not isinstance(record, kind):
        raise UsageError(f"'{record.id}' is not a {kind.__name__.lower()}")
    return record


def _unknown_id_message(table: str, record_id: str, records: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(record_id, list(records), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    where = table if table == "any table" else f"table '{table}'"
    return f"no record '{record_id}' in {where}{hint}"


def _expand(parties: list[str], actors: Mapping[str, Actor]) -> dict[str, dt.date | None]:
    """ISO3 codes for the parties, with the accession date where an organisation was named."""
    expanded: dict[str, dt.date | None] = {}
    for party in parties:
        if party in ORGANISATIONS:
            for actor in actors.values():
                for m in actor.memberships:
                    if m.org == party and m.status == "member":
                        expanded.setdefault(actor.id, dt.date(m.since, 1, 1))
        else:
            expanded[party] = None
    return expanded


def _frame(records: Mapping[str, Record]) -> pd.DataFrame:
    rows = [flatten(record) for record in records.values()]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    for column in whole_number_columns(records.values(), frame.columns):
        frame[column] = frame[column].astype("Int64")
    return frame.set_index("id", drop=True)
