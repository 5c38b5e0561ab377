"""The levers an option pulls: the model quantities a policy option changes.

An option's effect is a set of lever changes at full effect; its time profile (start year,
years to first and to full effect) scales them from 0 to 1. The catalogue options' lever
changes are assumptions (``option.<id>.<lever>`` in the registry); a scenario can define
its own options with the same vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "LEVERS",
    "PER_GUARANTOR",
    "Lever",
    "acts_on_credibility",
    "guarantor_of",
    "lever",
    "lever_names",
]


@dataclass(frozen=True)
class Lever:
    name: str
    meaning: str
    low: float
    high: float
    unit: str


LEVERS: dict[str, Lever] = {
    lever.name: lever
    for lever in (
        Lever(
            "coordination",
            "coordination of the scenario's coordinating pair of guarantors "
            "(0: independent, 1: fully coordinated planning and signalling)",
            0,
            1,
            "share",
        ),
        Lever(
            "european_force",
            "credibility of a new European nuclear force toward EU and "
            "European NATO proteges, at full effect",
            0,
            1,
            "probability",
        ),
        Lever("isr_autonomy", "share of US intelligence support Europe can replace", 0, 1, "share"),
        Lever("ukraine_aid_eur_bn", "added support to Ukraine", 0, 200, "EUR bn per year"),
        Lever(
            "proliferation",
            "non-proliferation risk index of the option (rubric in docs/model.md)",
            0,
            1,
            "index",
        ),
    )
}
"""The levers every scenario has, by name; :func:`lever` adds those of each guarantor."""

PER_GUARANTOR = {
    "depth": "added depth of {code}'s commitment to its allied proteges",
    "capability": "added survivable capability of {code}'s forces",
}
"""Levers of one guarantor, named ``<kind>_<iso3 in lower case>``: ``depth_fra``."""

CREDIBILITY = frozenset({"coordination", "european_force"})
"""The fixed levers that act on credibility (with every per-guarantor lever)."""

_PER_GUARANTOR = re.compile(r"^(depth|capability)_([a-z]{3})$")


def lever(name: str) -> Lever | None:
    """The lever called ``name``, or None if there is none.

    >>> lever("depth_fra").meaning
    "added depth of FRA's commitment to its allied proteges"
    >>> lever("depth_france") is None
    True
    """
    if name in LEVERS:
        return LEVERS[name]
    match = _PER_GUARANTOR.match(name)
    if match is None:
        return None
    kind, code = match.groups()
    return Lever(name, PER_GUARANTOR[kind].format(code=code.upper()), 0, 1, "share")


def lever_names(guarantors: Sequence[str] = ()) -> list[str]:
    """Every lever name: those of ``guarantors``, or the per-guarantor ones as patterns."""
    if not guarantors:
        return [*LEVERS, *(f"{kind}_<guarantor>" for kind in PER_GUARANTOR)]
    return [*LEVERS, *(f"{kind}_{g.lower()}" for kind in PER_GUARANTOR for g in guarantors)]


def guarantor_of(name: str) -> str | None:
    """The guarantor (ISO3) a per-guarantor lever belongs to; None for the others.

    >>> guarantor_of("capability_gbr"), guarantor_of("coordination")
    ('GBR', None)
    """
    match = _PER_GUARANTOR.match(name)
    return None if match is None else match.group(2).upper()


def acts_on_credibility(name: str) -> bool:
    """Whether lever ``name`` changes credibility (and so the game's outcome)."""
    return name in CREDIBILITY or _PER_GUARANTOR.match(name) is not None
