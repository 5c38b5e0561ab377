"""Checks across records: every cited source exists, every named actor is known, and every
government an option needs to agree has its elections recorded.

Record-level checks (types, ranges, dates, id formats) happen when each record is read
(:mod:`umbrella.data.schema`); what needs the whole dataset happens here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from umbrella.data.read import Tables, read_tables
from umbrella.data.schema import (
    ORGANISATIONS,
    Actor,
    Commitment,
    Deployment,
    Event,
    Force,
    Option,
    Record,
)
from umbrella.errors import DataError, Problem
from umbrella.types import PathLike

__all__ = ["check_references", "read_checked"]


def read_checked(data_dir: PathLike | None = None) -> dict[str, dict[str, Record]]:
    """The records of every table (table -> id -> record) of the shipped dataset overlaid
    with ``data_dir``, checked one by one and across tables.

    Raises
    ------
    DataError
        If any record is invalid; ``error.problems`` lists every problem found.
    UsageError
        If ``data_dir`` is given but is not a folder.
    """
    tables = read_tables(data_dir)
    problems = tables.problems + check_references(tables)
    if problems:
        raise DataError(problems)
    return {name: dict(records) for name, records in tables.records.items()}


def check_references(tables: Tables) -> list[Problem]:
    """Every problem of cross-reference in ``tables`` (sources, actors, organisations, the
    elections of the governments named by options' agreements)."""
    return sorted(_source_problems(tables)) + sorted(_actor_problems(tables))


def _source_problems(tables: Tables) -> Iterator[Problem]:
    known = tables.records["sources"]
    for table, records in tables.records.items():
        for record_id, record in records.items():
            for field, cited in record.cited_sources().items():
                for source_id in cited:
                    if source_id not in known:
                        yield Problem(
                            tables.origins[(table, record_id)],
                            record_id,
                            field,
                            f"unknown source '{source_id}'; add it to sources.yaml "
                            "or cite an existing source id",
                        )


def _actor_problems(tables: Tables) -> Iterator[Problem]:
    actors = {actor.id: actor for actor in tables.of("actors", Actor)}
    orgs_with_members = {m.org for a in actors.values() for m in a.memberships}

    def unknown(
        table: str, record_id: str, field: str, codes: Iterable[str | None]
    ) -> Iterator[Problem]:
        for code in codes:
            if code is None or code in actors:
                continue
            if code in ORGANISATIONS:
                if code not in orgs_with_members:
                    yield Problem(
                        tables.origins[(table, record_id)],
                        record_id,
                        field,
                        f"organisation '{code}' has no members in actors.yaml",
                    )
                continue
            yield Problem(
                tables.origins[(table, record_id)],
                record_id,
                field,
                f"unknown actor '{code}'; add it to actors.yaml or use a listed ISO3 code "
                "(umbrella data show actors)",
            )

    for force in tables.of("forces", Force):
        yield from unknown("forces", force.id, "state", [force.state])
        state = actors.get(force.state)
        if state is not None and state.nuclear_status != "nuclear_weapon_state":
            yield Problem(
                tables.origins[("forces", force.id)],
                force.id,
                "state",
                f"'{force.state}' is not a nuclear-armed state in actors.yaml "
                "(nuclear_status must be nuclear_weapon_state)",
            )
    for deployment in tables.of("deployments", Deployment):
        yield from unknown("deployments", deployment.id, "owner", [deployment.owner])
        yield from unknown("deployments", deployment.id, "hosts", deployment.hosts)
    for commitment in tables.of("commitments", Commitment):
        yield from unknown("commitments", commitment.id, "guarantors", commitment.guarantors)
        yield from unknown("commitments", commitment.id, "proteges", commitment.proteges)
    for event in tables.of("events", Event):
        yield from unknown("events", event.id, "actors", event.actors)
        for index, effect in enumerate(event.effects):
            yield from unknown(
                "events", event.id, f"effects[{index}]", [effect.guarantor, effect.protege]
            )
    for option in tables.of("options", Option):
        governments = option.agreement.governments
        yield from unknown("options", option.id, "agreement.governments", governments)
        for code in governments:
            actor = actors.get(code)
            if actor is not None and actor.elections is None:
                yield Problem(
                    tables.origins[("options", option.id)],
                    option.id,
                    "agreement.governments",
                    f"'{code}' must agree to the option but has no elections in actors.yaml; "
                    f"add 'elections' (office, next, every_years, rule, sources) to {code} "
                    "or drop it from the agreement",
                )
