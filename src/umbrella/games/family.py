"""A game family: its parameters, the orderings they must satisfy, and how to solve it."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from umbrella.errors import UsageError
from umbrella.games.solution import BoolArray, FloatArray, Solution

if TYPE_CHECKING:
    import pygambit

__all__ = [
    "Example",
    "Family",
    "Ordering",
    "Parameter",
    "broadcast",
    "chain",
    "check_instance",
    "open_unit",
    "positive",
]


@dataclass(frozen=True)
class Parameter:
    """A named input of a family: a payoff, a probability or a cost."""

    name: str
    meaning: str


@dataclass(frozen=True)
class Ordering:
    """A condition the family's parameters must satisfy, in words and as a vectorised test."""

    text: str
    holds: Callable[[Mapping[str, FloatArray]], BoolArray]


@dataclass(frozen=True)
class Example:
    """A worked example with its known answer (exact fractions)."""

    name: str
    parameters: Mapping[str, Fraction]
    default_class: str
    outcome: Mapping[str, Fraction]
    behaviour: Mapping[str, Fraction]
    other_outcomes: tuple[Mapping[str, Fraction], ...]
    source: str


@dataclass(frozen=True)
class Family:
    """Everything umbrella knows about one game family."""

    name: str
    title: str
    citation: str
    tree: str
    parameters: tuple[Parameter, ...]
    orderings: tuple[Ordering, ...]
    classes: tuple[str, ...]
    solve: Callable[..., Solution]
    to_gambit: Callable[..., pygambit.Game]
    examples: tuple[Example, ...]

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)


def chain(*names: str) -> Ordering:
    """The strict ordering ``names[0] < names[1] < ...``."""

    def holds(p: Mapping[str, FloatArray]) -> BoolArray:
        ok = np.ones(np.broadcast(*(p[n] for n in names)).shape, dtype=bool)
        for low, high in itertools.pairwise(names):
            ok &= p[low] < p[high]
        return ok

    return Ordering(" < ".join(names), holds)


def open_unit(name: str) -> Ordering:
    """The probability condition ``0 < name < 1``."""
    return Ordering(f"0 < {name} < 1", lambda p: (p[name] > 0) & (p[name] < 1))


def positive(name: str) -> Ordering:
    """The condition ``name > 0``."""
    return Ordering(f"{name} > 0", lambda p: p[name] > 0)


def broadcast(
    family_name: str, names: tuple[str, ...], given: Mapping[str, Any]
) -> dict[str, FloatArray]:
    """The parameters as float arrays broadcast to one shape; unknown or missing names raise."""
    unknown = sorted(set(given) - set(names))
    missing = [n for n in names if n not in given]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown parameter(s) {', '.join(unknown)}")
        if missing:
            parts.append(f"missing parameter(s) {', '.join(missing)}")
        raise UsageError(
            f"{family_name}: {'; '.join(parts)}; its parameters are {', '.join(names)}"
        )
    arrays = np.broadcast_arrays(*(np.asarray(given[n], dtype=np.float64) for n in names))
    # Scalars become one-element arrays: family code then always works on arrays.
    return {n: np.ascontiguousarray(a) for n, a in zip(names, arrays, strict=True)}


def validity(orderings: tuple[Ordering, ...], p: Mapping[str, FloatArray]) -> BoolArray:
    """Where every ordering holds (and every parameter is finite)."""
    shape = next(iter(p.values())).shape
    ok = np.ones(shape, dtype=bool)
    for value in p.values():
        ok &= np.isfinite(value)
    for ordering in orderings:
        ok &= ordering.holds(p)
    return ok


def check_instance(family: Family, given: Mapping[str, float]) -> None:
    """Raise :class:`UsageError` naming the first ordering one instance breaks."""
    p = broadcast(family.name, family.parameter_names, given)
    for ordering in family.orderings:
        if not bool(np.all(ordering.holds(p))):
            values = ", ".join(
                f"{n}={given[n]:g}"
                for n in family.parameter_names
                if n in ordering.text.replace("<", " ").split()
            )
            raise UsageError(
                f"{family.name}: the ordering {ordering.text} does not hold ({values})"
            )


def nan_where(valid: BoolArray, array: npt.ArrayLike) -> FloatArray:
    """``array`` as float with NaN wherever the instance is invalid."""
    return np.where(valid, np.asarray(array, dtype=np.float64), np.nan)
