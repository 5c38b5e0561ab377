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

umbrella runs ``ema_workbench.analysis.prim.Prim`` [3]_ (binary mode, default lenient
objective) and chooses the box on the whole trajectory itself: by default the box with the
largest coverage x density among those meeting the density target, so a target the final,
most peeled box misses still yields a box, and peeling that only chases noise does not
shrink the box (see :func:`prim`).

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

import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.errors import UsageError

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


@contextmanager
def _quiet() -> Iterator[Any]:
    """Import ema_workbench's PRIM and silence its loggers and warnings until the exit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim  # its loggers exist from here

        loggers = [
            logging.getLogger(name)
            for name in list(logging.root.manager.loggerDict)
            if name == "EMA" or name.startswith("EMA.")
        ]
        before = [logger.disabled for logger in loggers]
        for logger in loggers:
            logger.disabled = True
        try:
            yield ema_prim
        finally:
            for logger, disabled in zip(loggers, before, strict=True):
                logger.disabled = disabled


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
    coverage x density peaks, which for one true box is that box. ema_workbench is asked for
    its trajectory with a density threshold it always meets, and the target is applied here,
    so its "dump box" (returned when the final box misses the threshold) never hides the
    trajectory. Its logging and warnings are silenced for the call.

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
    with _quiet() as ema_prim:
        # Any threshold in (0, base rate] keeps the box ema_workbench finds (its mean never
        # falls below the base rate) and counts y == 1 as the cases of interest.
        finder = ema_prim.Prim(x, y, threshold=0.5 * float(y.mean()), peel_alpha=peel_alpha)
        found: Any = finder.find_box()
        trajectory = pd.DataFrame(found.peeling_trajectory).reset_index(drop=True)
        limits = [pd.DataFrame(lim) for lim in found.box_lims]
    chosen = _choose(trajectory, threshold, choose)
    row = trajectory.iloc[chosen]
    return PrimResult(
        box=_box(limits[chosen], limits[0]),
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


def _box(limits: pd.DataFrame, initial: pd.DataFrame) -> pd.DataFrame:
    """Restricted rows of a box, unmoved faces as infinities."""
    low = limits.iloc[0].to_numpy(dtype=np.float64)
    high = limits.iloc[1].to_numpy(dtype=np.float64)
    moved_low = low != initial.iloc[0].to_numpy(dtype=np.float64)
    moved_high = high != initial.iloc[1].to_numpy(dtype=np.float64)
    keep = moved_low | moved_high
    return pd.DataFrame(
        {
            "uncertainty": [str(name) for name in limits.columns[keep]],
            "low": np.where(moved_low, low, -np.inf)[keep],
            "high": np.where(moved_high, high, np.inf)[keep],
        }
    )
