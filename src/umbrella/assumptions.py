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

__all__ = ["LIMITS", "Assumption", "Parameters", "defaults", "resolve"]

FloatArray = npt.NDArray[np.float64]
Parameters = Mapping[str, FloatArray]
"""Assumption name -> values, one per sample (leading axis)."""


LIMITS: dict[str, tuple[float, float]] = {
    # The values an assumption of each unit can take at all: logical bounds (a share, a
    # probability) or ceilings far beyond any plausible value (a cost above the EU's yearly
    # output). A value outside them is a typing error, caught when the scenario is read,
    # before it can overflow inside the model. Positive floors keep divisors from 0.
    "probability": (0.0, 1.0),
    "share": (0.0, 1.0),
    "index": (0.0, 1.0),
    "months": (0.1, 1200.0),
    "observations": (0.0, 1e9),  # 1e9: as good as certain (known-answer tests use it)
    "observations per year": (-100.0, 100.0),
    "ratio": (0.01, 100.0),
    "logit": (-10.0, 10.0),
    "payoff": (0.01, 1000.0),
    "crises per year": (0.0, 100.0),
    "per year": (-0.1, 1.0),
    "elasticity": (0.0, 10.0),
    "EUR bn": (0.0, 100_000.0),
    "EUR bn per year": (0.0, 10_000.0),
    "year": (1900.0, 2200.0),
    "years": (0.0, 200.0),
}
"""Per unit, the least and greatest value an assumption may take (docs/scenarios.md)."""


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

    @property
    def limits(self) -> tuple[float, float]:
        """The least and greatest value this assumption may take (:data:`LIMITS`)."""
        return LIMITS.get(self.unit, (-1e12, 1e12))

    def outside_limits(self) -> str | None:
        """What is wrong where the default or range leaves :attr:`limits` or is not finite;
        None where all is well."""
        least, greatest = self.limits
        for label, value in (("default", self.default), ("low", self.low), ("high", self.high)):
            if not np.isfinite(value):
                return f"{label} {value} is not a finite number"
            if not least <= value <= greatest:
                return (
                    f"{label} {value:g} is outside {least:g} to {greatest:g} ({self.unit}), "
                    "the values this assumption can take"
                )
        return None


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
