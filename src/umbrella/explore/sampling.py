"""Sampling the uncertainties: Latin hypercube or scrambled Sobol points, block by block.

Every assumption whose range is not a single point is an uncertainty. Futures are drawn in
blocks of :data:`BLOCK` consecutive futures; block b draws from
``SeedSequence(seed, spawn_key=(b,))`` (Latin hypercube) or from one scrambled Sobol
sequence fast-forwarded to the block's first point. Any range of futures is therefore the
same whatever the chunk size, the number of workers or the order in which chunks run.

Unit-cube points map to each assumption's range through its distribution: ``uniform`` over
[low, high]; ``triangular`` with its mode at the default; ``normal`` centred on the default
with standard deviation (high - low) / 4, truncated to the range; ``discrete`` the integers
from low to high.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from umbrella.assumptions import Assumption
from umbrella.errors import UsageError
from umbrella.settings import BLOCK, CHUNK_SIZE

__all__ = ["BLOCK", "CHUNK_SIZE", "Sampler", "draw", "uncertainties"]

Sampler = Literal["lhs", "sobol"]
FloatArray = npt.NDArray[np.float64]


def uncertainties(registry: Iterable[Assumption]) -> list[Assumption]:
    """The assumptions that vary: those whose range is wider than a point."""
    return [a for a in registry if a.high > a.low]


def draw(
    varying: Sequence[Assumption], start: int, stop: int, seed: int, sampler: Sampler = "lhs"
) -> pd.DataFrame:
    """Futures ``start`` to ``stop - 1``: a ``future`` column and one column per uncertainty."""
    if sampler not in ("lhs", "sobol"):
        raise UsageError(f"unknown sampler '{sampler}'; use lhs or sobol")
    if not 0 <= start <= stop:
        raise UsageError(f"bad range of futures {start}..{stop}")
    unit = _unit_points(len(varying), start, stop, seed, sampler)
    for index, assumption in enumerate(varying):
        unit[:, index] = _scale(assumption, unit[:, index])
    futures = pd.DataFrame(unit, columns=[a.name for a in varying], copy=False)
    futures.insert(0, "future", np.arange(start, stop, dtype=np.int64))
    return futures


def _unit_points(d: int, start: int, stop: int, seed: int, sampler: Sampler) -> FloatArray:
    if stop == start:
        return np.empty((0, d))
    if sampler == "sobol":
        engine = qmc.Sobol(
            d,
            scramble=True,
            seed=np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,))),
        )
        if start:
            engine.fast_forward(start)
        with warnings.catch_warnings():
            # Chunks need not be powers of two; the sequence as a whole keeps its balance.
            warnings.simplefilter("ignore", UserWarning)
            return np.asarray(engine.random(stop - start), dtype=np.float64)
    first, last = start // BLOCK, (stop - 1) // BLOCK
    blocks = []
    for block in range(first, last + 1):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
        blocks.append(qmc.LatinHypercube(d, seed=rng).random(BLOCK))
    points = np.concatenate(blocks)
    offset = start - first * BLOCK
    return np.asarray(points[offset : offset + stop - start], dtype=np.float64)


def _scale(assumption: Assumption, u: FloatArray) -> FloatArray:
    low, high, mode = assumption.low, assumption.high, assumption.default
    width = high - low
    if assumption.distribution == "triangular":
        return np.asarray(stats.triang.ppf(u, (mode - low) / width, loc=low, scale=width))
    if assumption.distribution == "normal":
        sd = width / 4.0
        a, b = (low - mode) / sd, (high - mode) / sd
        return np.asarray(stats.truncnorm.ppf(u, a, b, loc=mode, scale=sd))
    if assumption.distribution == "discrete":
        return np.minimum(np.floor(low + u * (width + 1.0)), high)
    return low + u * width
