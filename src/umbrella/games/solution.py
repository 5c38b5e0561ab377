"""What solving a game family returns: labelled arrays of equilibria, outcomes, thresholds.

Every family's ``solve`` broadcasts its parameters against each other and returns a
:class:`Solution` whose arrays all have the broadcast shape. Instances whose parameters break
the family's orderings are marked invalid in ``valid`` and hold NaN (class code -1): a wrong
answer is never returned silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr

__all__ = ["OUTCOMES", "Equilibrium", "Solution"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

OUTCOMES = ("SQ", "CW", "DW", "CF")
"""Outcome classes shared by every family: status quo, challenger wins (the defender
concedes or abandons the protege), defender wins (the challenger backs down), conflict."""

OUTCOME_NAMES = {
    "SQ": "status quo",
    "CW": "challenger wins",
    "DW": "defender wins (challenger backs down)",
    "CF": "conflict",
}


@dataclass(frozen=True)
class Equilibrium:
    """One perfect Bayesian equilibrium of a family, over every instance at once.

    ``exists`` says where it is an equilibrium; elsewhere its arrays hold NaN.
    ``behaviour`` maps a strategy name (e.g. ``x_hard``) to a probability; a strategy that
    may take any value in an interval appears as ``name_min`` and ``name_max``.
    """

    name: str
    label: str
    exists: BoolArray
    behaviour: Mapping[str, FloatArray]
    outcome: Mapping[str, FloatArray]


@dataclass(frozen=True)
class Solution:
    """Every equilibrium of a family on each instance, and the default selection.

    Attributes
    ----------
    family
        The family's name.
    parameters
        The parameters, broadcast to a common shape.
    valid
        Where the parameters satisfy the family's orderings.
    classes
        Names of the equilibrium classes of the default selection.
    class_code
        Index into ``classes`` of the default equilibrium (-1 where invalid).
    behaviour, outcome
        Strategies and outcome distribution (keys ``SQ``, ``CW``, ``DW``, ``CF``) of the
        default equilibrium.
    thresholds
        The threshold values the source defines (e.g. the credibility threshold).
    equilibria
        Every equilibrium, each with its existence mask.
    """

    family: str
    parameters: Mapping[str, FloatArray]
    valid: BoolArray
    classes: tuple[str, ...]
    class_code: npt.NDArray[np.int8]
    behaviour: Mapping[str, FloatArray]
    outcome: Mapping[str, FloatArray]
    thresholds: Mapping[str, FloatArray]
    equilibria: tuple[Equilibrium, ...] = field(default=())

    @property
    def shape(self) -> tuple[int, ...]:
        return self.valid.shape

    @property
    def equilibrium_class(self) -> npt.NDArray[np.str_]:
        """The default equilibrium's class name per instance ('' where invalid)."""
        names = np.array([*self.classes, ""])
        return np.asarray(names[self.class_code])

    @property
    def challenge_probability(self) -> FloatArray:
        """P(the challenger challenges) under the default equilibrium: 1 - P(SQ)."""
        return 1.0 - self.outcome["SQ"]

    def n_equilibria(self) -> npt.NDArray[np.int64]:
        """How many of the listed equilibria exist on each instance."""
        if not self.equilibria:
            return np.where(self.valid, 1, 0)
        return np.asarray(np.sum([e.exists for e in self.equilibria], axis=0), dtype=np.int64)

    def to_xarray(self, dims: tuple[str, ...] | None = None) -> xr.Dataset:
        """The solution as a labelled Dataset (one variable per array, dims ``instance``...)."""
        dims = dims or tuple(f"dim_{i}" for i in range(len(self.shape)))
        if len(dims) != len(self.shape):
            raise ValueError(f"need {len(self.shape)} dimension names, got {len(dims)}")
        data: dict[str, Any] = {
            "valid": (dims, self.valid),
            "equilibrium_class": (dims, self.equilibrium_class),
        }
        data |= {
            f"outcome_{k}": (dims, v, {"long_name": OUTCOME_NAMES[k]})
            for k, v in self.outcome.items()
        }
        data |= {f"behaviour_{k}": (dims, v) for k, v in self.behaviour.items()}
        data |= {f"threshold_{k}": (dims, v) for k, v in self.thresholds.items()}
        for eq in self.equilibria:
            data[f"{eq.name}_exists"] = (dims, eq.exists)
        coords = {f"param_{k}": (dims, v) for k, v in self.parameters.items()}
        return xr.Dataset(data, coords=coords, attrs={"family": self.family})

    def instance(self, index: tuple[int, ...] | int = ()) -> dict[str, Any]:
        """One instance as plain Python values, for printing and JSON.

        The default index ``()`` names the only instance of a solution of scalars.
        """
        if index == () and self.shape == (1,):
            index = (0,)

        def pick(array: npt.NDArray[Any]) -> Any:
            value = np.asarray(array)[index]
            return value.item() if hasattr(value, "item") else value

        def clean(mapping: Mapping[str, FloatArray]) -> dict[str, float]:
            return {k: pick(v) for k, v in mapping.items() if not np.isnan(pick(v))}

        return {
            "family": self.family,
            "parameters": {k: pick(v) for k, v in self.parameters.items()},
            "valid": bool(pick(self.valid)),
            "default": {
                "class": str(pick(self.equilibrium_class)),
                "behaviour": clean(self.behaviour),
                "outcome": clean(self.outcome),
            },
            "thresholds": clean(self.thresholds),
            "equilibria": [
                {
                    "name": eq.name,
                    "label": eq.label,
                    "behaviour": clean(eq.behaviour),
                    "outcome": clean(eq.outcome),
                }
                for eq in self.equilibria
                if bool(pick(eq.exists))
            ],
        }
