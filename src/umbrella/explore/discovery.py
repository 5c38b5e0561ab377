"""Scenario discovery: the ranges of the uncertainties in which an option fails, found by PRIM.

Given the sampled futures and, for each, whether an option failed (for instance deterrence
probability below a threshold), the Patient Rule Induction Method of Friedman and Fisher [1]_
peels a box from the space of the uncertainties: each step removes a thin slice (a share
``peel_alpha`` of the futures still in the box) from one face, the slice whose removal raises
the share of failures inside the most, and pasting then widens faces again while that helps.
The result is a trajectory of nested boxes from the whole sample to a small, dense one.
Bryant and Lempert [2]_ judge a box by

- **coverage**: the share of all failures that fall inside the box (how much of the problem
  the box explains);
- **density**: the share of futures inside the box that fail (how sure the box is);
- **interpretability**: how few uncertainties it restricts;

and read the chosen box as a scenario: "the option fails when these assumptions hold".

umbrella peels and pastes as ``ema_workbench.analysis.prim.Prim`` [3]_ does in binary mode
with its default lenient objective (the same candidate boxes, scores, ties and stopping
rules, so the same trajectory; the tests compare the two), in its own loop over index
arrays: each step holds the futures still in the box and one sorted copy of their values,
so memory stays a few times the input whatever the number of steps, and no plotting or
statistics library is loaded. It chooses the box on the whole trajectory itself: by default
the box with the largest coverage x density among those meeting the density target, so a
target the final, most peeled box misses still yields a box, and peeling that only chases
noise does not shrink the box (see :func:`prim`).

References
----------
.. [1] J. H. Friedman and N. I. Fisher, "Bump hunting in high-dimensional data",
   *Statistics and Computing* 9, 123-143, 1999, doi:10.1023/A:1008894516817.
.. [2] B. P. Bryant and R. J. Lempert, "Thinking inside the box: A participatory,
   computer-assisted approach to scenario discovery", *Technological Forecasting and Social
   Change* 77(1), 34-49, 2010, doi:10.1016/j.techfore.2009.08.002.
.. [3] J. H. Kwakkel, "The Exploratory Modeling Workbench: An open source toolkit for
   exploratory modeling, scenario discovery, and (multi-objective) robust decision making",
   *Environmental Modelling & Software* 96, 239-250, 2017, doi:10.1016/j.envsoft.2017.06.054.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.errors import UsageError

FloatArray = npt.NDArray[np.float64]

__all__ = ["MIN_FUTURES", "PrimResult", "prim"]

MIN_FUTURES = 20
"""The fewest futures :func:`prim` accepts."""


@dataclass(frozen=True, eq=False)
class PrimResult:
    """The box PRIM chose and how well it separates failing futures.

    Attributes
    ----------
    box : pandas.DataFrame
        One row per restricted uncertainty, columns ``uncertainty``, ``low``, ``high``: a
        future is in the box when ``low <= value <= high`` on every row. A face PRIM did not
        move is ``-inf`` (``low``) or ``inf`` (``high``). No rows: the box is the whole sample.
    coverage : float
        Share of all failing futures that lie in the box.
    density : float
        Share of the futures in the box that fail.
    mass : float
        Share of all futures that lie in the box.
    n_futures, n_failures : int
        Futures analysed and, among them, failures.
    threshold : float
        The density target asked for; ``density >= threshold`` says whether the box met it.
    trajectory : pandas.DataFrame
        The peeling and pasting trajectory (``coverage``, ``density``, ``mass``, ``res_dim``,
        ``n``, ``k``), one row per box; ``chosen`` is the row of :attr:`box`.
    chosen : int
        Row of ``trajectory`` the box comes from.
    """

    box: pd.DataFrame
    coverage: float
    density: float
    mass: float
    n_futures: int
    n_failures: int
    threshold: float
    trajectory: pd.DataFrame
    chosen: int

    def describe(self) -> str:
        """The box in words, one sentence per restricted uncertainty.

        Examples
        --------
        >>> box = pd.DataFrame({"uncertainty": ["trust.half_life_months"], "low": [-np.inf],
        ...                     "high": [18.25]})
        >>> result = PrimResult(box, 0.9, 0.85, 0.3, 1000, 300, 0.8, pd.DataFrame(), 0)
        >>> print(result.describe())
        trust.half_life_months is at most 18.2.
        """
        if self.box.empty:
            return "No uncertainty is restricted: the box is the whole sample."
        sentences = []
        for name, low, high in self.box[["uncertainty", "low", "high"]].itertuples(index=False):
            if math.isinf(low):
                sentences.append(f"{name} is at most {_number(high)}.")
            elif math.isinf(high):
                sentences.append(f"{name} is at least {_number(low)}.")
            else:
                sentences.append(f"{name} is between {_number(low)} and {_number(high)}.")
        return "\n".join(sentences)


def _number(value: float) -> str:
    """Three significant figures, thousands separated where large."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _inputs(
    futures: pd.DataFrame, failed: npt.ArrayLike, uncertainties: Sequence[str] | None
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Validated float inputs and 0/1 labels, or UsageError."""
    names = (
        [str(c) for c in futures.columns if c != "future"]
        if uncertainties is None
        else list(uncertainties)
    )
    unknown = [name for name in names if name not in futures.columns]
    if unknown or not names:
        raise UsageError(
            f"prim: futures has no column {', '.join(unknown)}"
            if unknown
            else "prim: no uncertainty"
        )
    try:
        x = futures[names].astype(np.float64).reset_index(drop=True)
    except (TypeError, ValueError):
        raise UsageError("prim: every uncertainty column must be numeric") from None
    if not np.isfinite(x.to_numpy()).all():
        raise UsageError("prim: futures hold NaN or infinite values")
    labels = np.asarray(failed)
    if labels.shape != (len(futures),):
        raise UsageError(
            f"prim: failed has shape {labels.shape}, expected ({len(futures)},), one per future"
        )
    if labels.dtype != np.bool_ and not np.isin(labels, (0, 1)).all():
        raise UsageError("prim: failed must be boolean (True where the future fails)")
    y = labels.astype(np.int64)
    if len(y) < MIN_FUTURES:
        raise UsageError(f"prim: {len(y)} futures; give at least {MIN_FUTURES}")
    if not y.any():
        raise UsageError("prim: no future fails; there is nothing to discover")
    if y.all():
        raise UsageError("prim: every future fails; there is no box to separate them")
    return x, y


def prim(
    futures: pd.DataFrame,
    failed: npt.ArrayLike,
    *,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    uncertainties: Sequence[str] | None = None,
    choose: Literal["balanced", "last"] = "balanced",
) -> PrimResult:
    """Find the box of uncertainty ranges in which failures concentrate (PRIM).

    Parameters
    ----------
    futures : pandas.DataFrame
        One row per future: an int ``future`` column (ignored) and one float column per
        uncertainty.
    failed : array-like of bool
        One flag per row of ``futures``: True where the option fails.
    threshold : float, default 0.8
        Density target, in (0, 1]: the share of failures wanted inside the box.
    peel_alpha : float, default 0.05
        Share of the futures in the box removed by each peel, in (0, 0.5).
    uncertainties : sequence of str, optional
        The columns to search; default every column but ``future``.
    choose : {"balanced", "last"}, default "balanced"
        Which box of the trajectory to return, among those with ``density >= threshold``:
        ``"balanced"`` the one with the largest coverage x density (ties: fewest restricted
        uncertainties), ``"last"`` the most peeled one. With none meeting the target, the
        box of highest density (ties: the earliest).

    Returns
    -------
    PrimResult

    Raises
    ------
    UsageError
        With fewer than :data:`MIN_FUTURES` futures, no failure or only failures, labels that
        are not boolean or do not match the futures, a missing or non-numeric uncertainty,
        or a parameter out of range.

    Notes
    -----
    With noisy labels the last boxes of a trajectory often restrict further uncertainties to
    gain a percent of density by chance, at a large loss of coverage; "balanced" stops where
    coverage x density peaks, which for one true box is that box. The trajectory is the one
    ema_workbench's ``Prim`` finds with a density threshold it always meets (see
    :func:`_trajectory`), and the target is applied here, so a box whose final step misses
    the target never hides the trajectory.

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> futures = pd.DataFrame({"future": np.arange(400), "a": rng.uniform(size=400),
    ...                         "b": rng.uniform(size=400)})
    >>> result = prim(futures, futures["a"] > 0.6)
    >>> result.box["uncertainty"].tolist(), result.density
    (['a'], 1.0)
    """
    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"prim: threshold must lie in (0, 1] (got {threshold})")
    if not 0.0 < peel_alpha < 0.5:
        raise UsageError(f"prim: peel_alpha must lie in (0, 0.5) (got {peel_alpha})")
    if choose not in ("balanced", "last"):
        raise UsageError(f"prim: choose must be 'balanced' or 'last' (got {choose!r})")
    x, y = _inputs(futures, failed, uncertainties)
    trajectory, limits = _trajectory(x.to_numpy(), y.astype(np.bool_), peel_alpha)
    chosen = _choose(trajectory, threshold, choose)
    row = trajectory.iloc[chosen]
    return PrimResult(
        box=_box(list(x.columns), limits[chosen], limits[0]),
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
        n_futures=len(y),
        n_failures=int(y.sum()),
        threshold=threshold,
        trajectory=trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]],
        chosen=chosen,
    )


def _choose(trajectory: pd.DataFrame, threshold: float, choose: str) -> int:
    """Row of the trajectory to report (see :func:`prim`)."""
    density = trajectory["density"].to_numpy(dtype=np.float64)
    meets = np.flatnonzero(density >= threshold)
    if meets.size == 0:
        return int(density.argmax())
    if choose == "last":
        return int(meets[-1])
    score = (trajectory["coverage"].to_numpy(dtype=np.float64) * density)[meets]
    restricted = trajectory["res_dim"].to_numpy(dtype=np.float64)[meets]
    order = np.lexsort((meets, restricted, -score))  # score down, then fewer dims, earlier
    return int(meets[order[0]])


def _box(names: list[str], limits: Limits, initial: Limits) -> pd.DataFrame:
    """Restricted rows of a box, unmoved faces as infinities."""
    (low, high), (first_low, first_high) = limits, initial
    moved_low, moved_high = low != first_low, high != first_high
    keep = moved_low | moved_high
    return pd.DataFrame(
        {
            "uncertainty": [str(name) for name, kept in zip(names, keep, strict=True) if kept],
            "low": np.where(moved_low, low, -np.inf)[keep],
            "high": np.where(moved_high, high, np.inf)[keep],
        }
    )


# The peeling and pasting of ema_workbench 2.5's ``Prim`` (binary mode, objective LENIENT1,
# paste_alpha and mass_min 0.05), step for step: the same candidate boxes in the same order,
# the same scores and tie-breaks (a stable sort on objective, then unrestricted dimensions,
# both descending), the same stopping rules. Means are counts over sizes: ema_workbench's
# np.mean of 0/1 integers is that same correctly rounded quotient.
_PASTE_ALPHA = 0.05
_MASS_MIN = 0.05

Limits = tuple[FloatArray, FloatArray]
"""A box: the lower and the upper limit of every uncertainty."""


def _trajectory(
    x: FloatArray, y: npt.NDArray[np.bool_], peel_alpha: float
) -> tuple[pd.DataFrame, list[Limits]]:
    """The peeling and pasting trajectory of PRIM on ``x`` (future, uncertainty) and the
    failures ``y``: one row per box (``coverage``, ``density``, ``mass``, ``res_dim``, ``n``,
    ``k``) and the limits of each box."""
    n = len(y)
    failures = int(y.sum())
    initial = (x.min(axis=0), x.max(axis=0))
    rows: list[dict[str, float | int]] = []
    limits: list[Limits] = []

    def record(inside: npt.NDArray[np.intp], box: Limits) -> None:
        k = int(np.count_nonzero(y[inside]))
        rows.append(
            {
                "coverage": k / failures,
                "density": k / len(inside),
                "mass": len(inside) / n,
                "res_dim": int(np.count_nonzero(_restricted(box, initial))),
                "n": len(inside),
                "k": k,
            }
        )
        limits.append(box)

    everything = np.arange(n)
    inside = everything
    box = (initial[0].copy(), initial[1].copy())
    record(inside, box)
    step = _peel(x, y, inside, box, initial, peel_alpha)
    while step is not None:
        inside, box = step
        record(inside, box)
        step = _peel(x, y, inside, box, initial, peel_alpha)
    step = _paste(x, y, everything, inside, box, initial)
    while step is not None:
        inside, box = step
        record(inside, box)
        step = _paste(x, y, everything, inside, box, initial)
    if rows[-1]["k"] / rows[-1]["n"] < 0.5 * (failures / n):
        # ema_workbench's "dump box" when the final box misses its threshold; the mean of a
        # box never falls below the base rate, so this does not happen.
        rows, limits = rows[:1], limits[:1]
    trajectory = pd.DataFrame(rows, columns=["coverage", "density", "mass", "res_dim", "n", "k"])
    return trajectory, limits


def _restricted(box: Limits, initial: Limits) -> npt.NDArray[np.bool_]:
    """Which uncertainties the box restricts (either face moved)."""
    return np.asarray((box[0] != initial[0]) | (box[1] != initial[1]))


def _objective(k_old: int, n_old: int, k_new: int, n_new: int) -> float:
    """ema_workbench's lenient objective: the change in the share of failures over the change
    in the number of futures."""
    mean_old = k_old / n_old
    mean_new = k_new / n_new if n_new > 0 else 0.0
    if mean_old == mean_new:
        return 0.0
    return (mean_new - mean_old) / abs(n_old - n_new)


def _quantile(ordered: FloatArray, quantile: float) -> float:
    """ema_workbench's ``get_quantile`` of sorted values: the midpoint of the two values
    around the quantile, moved off a run of equal values (outwards for the upper quantiles,
    inwards for the lower ones)."""
    last = len(ordered) - 1
    i = last * quantile
    lower, upper = math.floor(i), math.ceil(i)
    if quantile > 0.5:
        value = ordered[upper]
        if ordered[lower] == value:
            lower = max(int(np.searchsorted(ordered, value, side="left")) - 1, 0)
    else:
        value = ordered[lower]
        if ordered[upper] == value:
            upper = min(int(np.searchsorted(ordered, value, side="right")), last)
    return float((ordered[lower] + ordered[upper]) / 2)


def _best(candidates: list[tuple[float, int]]) -> int:
    """The candidate a stable descending sort on (objective, unrestricted dims) puts first."""
    best = 0
    for index, key in enumerate(candidates):
        if key > candidates[best]:
            best = index
    return best


def _peel(
    x: FloatArray,
    y: npt.NDArray[np.bool_],
    inside: npt.NDArray[np.intp],
    box: Limits,
    initial: Limits,
    alpha: float,
) -> tuple[npt.NDArray[np.intp], Limits] | None:
    """The next box of the peeling phase, or None where peeling stops."""
    values = x[inside]
    failing = y[inside]
    n, d = x.shape
    m, k = len(inside), int(np.count_nonzero(failing))
    ordered = np.sort(values, axis=0)
    tops = np.array([_quantile(ordered[:, j], 1 - alpha) for j in range(d)])
    bottoms = np.array([_quantile(ordered[:, j], alpha) for j in range(d)])
    del ordered
    below_top = values <= tops
    above_bottom = values >= bottoms
    del values
    counts = (below_top.sum(axis=0), above_bottom.sum(axis=0))
    hits = (below_top[failing].sum(axis=0), above_bottom[failing].sum(axis=0))
    restricted = _restricted(box, initial)
    free = d - int(np.count_nonzero(restricted))
    candidates: list[tuple[float, int]] = []
    for j in range(d):
        # Upper face first, then lower, as ema_workbench lists them.
        for face, value in ((1, tops[j]), (0, bottoms[j])):
            moved = value != initial[face][j] or box[1 - face][j] != initial[1 - face][j]
            score = _objective(k, m, int(hits[1 - face][j]), int(counts[1 - face][j]))
            candidates.append((score, free + int(bool(restricted[j])) - int(moved)))
    chosen = _best(candidates)
    j, face = divmod(chosen, 2)
    face = 1 - face
    keep = (below_top if face == 1 else above_bottom)[:, j]
    n_new = int(np.count_nonzero(keep))
    if not (n_new / n >= _MASS_MIN and n_new / n < m / n and candidates[chosen][0] > 0):
        return None
    new = (box[0].copy(), box[1].copy())
    new[face][j] = tops[j] if face == 1 else bottoms[j]
    return inside[keep], new


def _paste(
    x: FloatArray,
    y: npt.NDArray[np.bool_],
    everything: npt.NDArray[np.intp],
    inside: npt.NDArray[np.intp],
    box: Limits,
    initial: Limits,
) -> tuple[npt.NDArray[np.intp], Limits] | None:
    """The next box of the pasting phase, or None where pasting stops."""
    n, d = x.shape
    restricted = np.flatnonzero(_restricted(box, initial))
    if not len(restricted):
        return None
    sub = x[:, restricted]
    m, k = len(inside), int(np.count_nonzero(y[inside]))
    candidates: list[tuple[float, int]] = []
    found: list[tuple[npt.NDArray[np.intp], Limits]] = []
    for position, j in enumerate(restricted):
        for face in (0, 1):  # lower face first, then upper, as ema_workbench lists them
            # The slab beyond this face, within the box on every other restricted dimension.
            slab_low, slab_high = box[0][restricted].copy(), box[1][restricted].copy()
            if face == 0:
                slab_low[position], slab_high[position] = initial[0][j], box[0][j]
            else:
                slab_low[position], slab_high[position] = box[1][j], initial[1][j]
            slab = ((sub >= slab_low) & (sub <= slab_high)).all(axis=1)
            data = np.sort(sub[slab, position])
            if face == 0:
                value = _quantile(data, 1 - _PASTE_ALPHA) if data.size else initial[0][j]
            else:
                value = _quantile(data, _PASTE_ALPHA) if data.size else initial[1][j]
            new = (box[0].copy(), box[1].copy())
            new[face][j] = value
            kept = ((sub >= new[0][restricted]) & (sub <= new[1][restricted])).all(axis=1)
            indices = everything[kept]
            k_new = int(np.count_nonzero(y[indices]))
            free = d - int(np.count_nonzero(_restricted(new, initial)))
            candidates.append((_objective(k, m, k_new, len(indices)), free))
            found.append((indices, new))
    chosen = _best(candidates)
    indices, new = found[chosen]
    n_new = len(indices)
    k_new = int(np.count_nonzero(y[indices]))
    if (
        n_new / n >= _MASS_MIN
        and n_new / n > m / n
        and candidates[chosen][0] > 0
        and k_new / n_new > k / m
    ):
        return indices, new
    return None
