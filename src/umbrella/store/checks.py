"""Cheap checks of a chunk's values, made when it is written and again when it is read.

A checksum tells that a file is the one written; these tell that what was written is
plausible, so that a chunk whose file and manifest agree but whose values no run can
produce (a chunk of another run put in place with its checksum, a faulty writer) is caught:

- ``future`` runs over exactly the chunk's futures (futures), or stays among them (outcomes);
- futures' sampled values are finite numbers;
- outcomes hold no infinity (NaN is a missing value, left out of means), and the outcomes
  that are probabilities or shares (``holds_*``, ``no_challenge_*``, ``rebuffed_*``,
  ``fails_*``) lie in [0, 1].
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["PROBABILITY_PREFIXES", "futures_problem", "outcomes_problem"]

PROBABILITY_PREFIXES = ("holds_", "no_challenge_", "rebuffed_", "fails_")


def futures_problem(futures: pa.Table, start: int, stop: int) -> str | None:
    """What is wrong with the futures ``start`` to ``stop - 1`` of a chunk; None if nothing."""
    index = _values(futures, "future")
    if len(index) != stop - start or not np.array_equal(index, np.arange(start, stop)):
        return f"column future does not run from {start} to {stop - 1}"
    for field in futures.schema:
        if (
            field.name != "future"
            and pa.types.is_floating(field.type)
            and not np.isfinite(_values(futures, field.name)).all()
        ):
            return f"column {field.name} holds a value that is not a finite number"
    return None


def outcomes_problem(outcomes: pa.Table, start: int, stop: int) -> str | None:
    """What is wrong with the outcomes of the futures ``start`` to ``stop - 1``; None if
    nothing."""
    index = _values(outcomes, "future")
    if len(index) and not (index.min() >= start and index.max() < stop):
        return f"column future leaves the chunk's futures {start} to {stop - 1}"
    for field in outcomes.schema:
        if not pa.types.is_floating(field.type):
            continue
        array = _values(outcomes, field.name)
        if np.isinf(array).any():
            return f"column {field.name} holds an infinite value"
        if field.name.startswith(PROBABILITY_PREFIXES):
            known = array[~np.isnan(array)]
            if len(known) and not (known.min() >= 0.0 and known.max() <= 1.0):
                return f"column {field.name} holds a probability outside [0, 1]"
    return None


def _values(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if pa.types.is_floating(column.type):
        return np.asarray(column.to_numpy(), dtype=np.float64)
    return np.asarray(column.to_numpy())
