"""Named modelling assumptions: every number the model uses that no source pins down.

Each stage of the pipeline declares its own assumptions (``umbrella.trust.ASSUMPTIONS``,
``umbrella.model.ASSUMPTIONS``); together they form the registry that ``umbrella
assumptions`` prints, that scenarios override, and whose ranges the exploration samples.

Model functions take their parameters as a mapping from assumption name to an array whose
leading axis is the sample (a future): ``{"trust.half_life_months": array([24.0])}`` is one
sample at the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from umbrella.errors import UsageError

__all__ = ["Assumption", "Parameters", "defaults", "resolve"]

FloatArray = npt.NDArray[np.float64]
Parameters = Mapping[str, FloatArray]
"""Assumption name -> values, one per sample (leading axis)."""


@dataclass(frozen=True)
class Assumption:
    """One modelling assumption: its meaning, default, plausible range, unit and basis.

    ``basis`` names the source ids the range rests on, or gives the rationale where no
    source exists. ``distribution`` is how the exploration samples the range.
    """

    name: str
    meaning: str
    default: float
    low: float
    high: float
    unit: str
    basis: str
    distribution: Literal["uniform", "triangular", "normal", "discrete"] = "uniform"

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(
                f"assumption {self.name}: need low <= default <= high "
                f"(got {self.low}, {self.default}, {self.high})"
            )


def defaults(assumptions: Iterable[Assumption], n_samples: int = 1) -> dict[str, FloatArray]:
    """Every assumption at its default, as arrays of ``n_samples`` equal values."""
    return {a.name: np.full(n_samples, a.default) for a in assumptions}


def resolve(
    assumptions: Iterable[Assumption], given: Mapping[str, npt.ArrayLike] | None = None
) -> dict[str, FloatArray]:
    """Parameters for every assumption: ``given`` values where provided, defaults elsewhere.

    All arrays are broadcast to one leading sample axis. Unknown names raise.
    """
    known = {a.name: a for a in assumptions}
    given = dict(given or {})
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UsageError(f"unknown assumption(s) {', '.join(unknown)}; see `umbrella assumptions`")
    arrays = {name: np.atleast_1d(np.asarray(v, dtype=np.float64)) for name, v in given.items()}
    n = max((a.shape[0] for a in arrays.values()), default=1)
    resolved = {name: np.full(n, a.default) for name, a in known.items()}
    for name, value in arrays.items():
        if value.ndim != 1 or value.shape[0] not in (1, n):
            raise UsageError(f"assumption {name}: expected {n} samples, got shape {value.shape}")
        resolved[name] = np.broadcast_to(value, (n,)).astype(np.float64)
    return resolved
