"""Variance-based (Sobol) sensitivity: which uncertainties drive an outcome, alone and in all.

Sobol [1]_ splits the variance of an outcome ``Y = f(X_1, ..., X_D)`` of independent inputs
into parts due to each input and to their interactions. Two indices per input ``X_i``:

- **first order** ``S1_i = V[E(Y | X_i)] / V(Y)``: the share of the variance that fixing
  ``X_i`` alone would remove (its main effect);
- **total order** ``ST_i = E[V(Y | X_~i)] / V(Y)``: the share left if every input *but*
  ``X_i`` were fixed, main effect plus every interaction ``X_i`` takes part in. ``ST_i``
  near 0 means ``X_i`` can be fixed anywhere in its range without changing the outcome.

The design is Saltelli's [2]_ [3]_: two independent base samples A and B of ``N`` rows (one
scrambled Sobol' sequence of dimension 2D) and, for each input, the matrix ``AB_i`` (A with
column ``i`` from B), ``N (D + 2)`` model runs in all (``N (2D + 2)`` with the second-order
matrices ``BA_i``). SALib [4]_ draws the design (``SALib.sample.sobol``) and estimates the
indices (``SALib.analyze.sobol``: Saltelli et al. 2010 estimators, bootstrap confidence
intervals). umbrella seeds both explicitly, never through ``np.random.seed``.

References
----------
.. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models and their
   Monte Carlo estimates", *Mathematics and Computers in Simulation* 55(1-3), 271-280, 2001,
   doi:10.1016/S0378-4754(00)00270-6.
.. [2] A. Saltelli, "Making best use of model evaluations to compute sensitivity indices",
   *Computer Physics Communications* 145(2), 280-297, 2002,
   doi:10.1016/S0010-4655(02)00280-1.
.. [3] A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto and S. Tarantola,
   "Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index", *Computer Physics Communications* 181(2), 259-270, 2010,
   doi:10.1016/j.cpc.2009.09.018.
.. [4] J. Herman and W. Usher, "SALib: An open-source Python library for Sensitivity
   Analysis", *Journal of Open Source Software* 2(9), 97, 2017, doi:10.21105/joss.00097.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.errors import UsageError

__all__ = ["INDICES", "sobol_design", "sobol_indices", "sobol_problem"]

INDICES = ("S1", "S1_conf", "ST", "ST_conf")
"""The statistics :func:`sobol_indices` reports per outcome."""


def sobol_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """The SALib problem of independent uniform uncertainties.

    Parameters
    ----------
    names : sequence of str
        Uncertainty names, unique, e.g. ``trust.half_life_months``.
    bounds : sequence of (low, high)
        Range of each uncertainty, finite with ``low < high``.

    Returns
    -------
    dict
        ``{"num_vars": D, "names": [...], "bounds": [[low, high], ...]}``.

    Raises
    ------
    UsageError
        If names repeat or are missing, or a range is empty or not finite.

    Examples
    --------
    >>> sobol_problem(["a", "b"], [(0, 1), (6.0, 36.0)])
    {'num_vars': 2, 'names': ['a', 'b'], 'bounds': [[0.0, 1.0], [6.0, 36.0]]}
    """
    names = [str(name) for name in names]
    if not names:
        raise UsageError("sobol_problem: give at least one uncertainty")
    if len(set(names)) != len(names):
        raise UsageError(f"sobol_problem: names repeat ({', '.join(names)})")
    if len(bounds) != len(names):
        raise UsageError(f"sobol_problem: {len(names)} names but {len(bounds)} bounds")
    ranges = []
    for name, pair in zip(names, bounds, strict=True):
        low, high = (float(value) for value in pair)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise UsageError(f"sobol_problem: {name}: need finite low < high (got {pair})")
        ranges.append([low, high])
    return {"num_vars": len(names), "names": names, "bounds": ranges}


def _check_problem(problem: Mapping[str, Any]) -> int:
    """Number of uncertainties of a problem made by :func:`sobol_problem`, or UsageError."""
    try:
        n_vars = int(problem["num_vars"])
        consistent = n_vars == len(problem["names"]) == len(problem["bounds"]) > 0
    except (KeyError, TypeError, ValueError):
        consistent = False
    if not consistent:
        raise UsageError("problem: not a SALib problem; build it with sobol_problem()")
    return n_vars


MAX_DESIGN_ROWS = 10**8
"""The most rows a Sobol' design may have (each is a future to evaluate)."""


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UsageError(f"seed must be an integer >= 0 (got {seed!r})")


def sobol_design(
    problem: Mapping[str, Any], n_base: int, seed: int, second_order: bool = False
) -> npt.NDArray[np.float64]:
    """Saltelli's design for Sobol indices: the futures to evaluate, one row each.

    Parameters
    ----------
    problem : dict
        From :func:`sobol_problem`.
    n_base : int
        Rows ``N`` of each base sample; a power of two (the balance of Sobol' points needs
        it), e.g. ``2**12``.
    seed : int
        Seed of the scrambling of the Sobol' sequence.
    second_order : bool, default False
        Also draw the ``BA_i`` matrices second-order indices need.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_base * (D + 2), D)``, or ``(n_base * (2 D + 2), D)`` with
        ``second_order``, in the problem's units; pass the outcomes in the same row order to
        :func:`sobol_indices` with the same ``second_order``.

    Raises
    ------
    UsageError
        If ``n_base`` is not a power of two, the seed is not an integer >= 0, or the problem
        is malformed.

    Examples
    --------
    >>> design = sobol_design(sobol_problem(["a", "b"], [(0, 1), (0, 1)]), 8, seed=1)
    >>> design.shape
    (32, 2)
    """
    n_vars = _check_problem(problem)
    if isinstance(n_base, bool) or not isinstance(n_base, int | np.integer) or n_base < 1:
        raise UsageError(f"n_base must be a positive integer (got {n_base!r})")
    if n_base & (n_base - 1):
        lower = 1 << (int(n_base).bit_length() - 1)
        raise UsageError(
            f"n_base must be a power of two (got {n_base}; try {lower} or {2 * lower})"
        )
    _check_seed(seed)
    rows = n_base * ((2 * n_vars if second_order else n_vars) + 2)
    if rows > MAX_DESIGN_ROWS:
        raise UsageError(
            f"n_base {n_base}: the design would have {rows:,} rows for {n_vars} uncertainties, "
            f"more than {MAX_DESIGN_ROWS:,}; use a smaller power of two"
        )
    from SALib.sample import sobol

    design = sobol.sample(
        dict(problem), int(n_base), calc_second_order=second_order, scramble=True, seed=int(seed)
    )
    return np.asarray(design, dtype=np.float64).reshape(rows, n_vars)


def _first_order_rows(values: npt.NDArray[np.float64], n_vars: int) -> npt.NDArray[np.float64]:
    """Keep the rows of A, AB_1..AB_D and B of a second-order design (drop the BA_i)."""
    blocks = values.reshape(-1, 2 * n_vars + 2)
    return np.concatenate([blocks[:, : n_vars + 1], blocks[:, -1:]], axis=1).ravel()


def sobol_indices(
    problem: Mapping[str, Any],
    Y: npt.ArrayLike | Mapping[str, npt.ArrayLike],  # noqa: N803  (SALib's name)
    *,
    seed: int,
    second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """First- and total-order Sobol indices of each outcome, with bootstrap intervals.

    Parameters
    ----------
    problem : dict
        From :func:`sobol_problem`.
    Y : array or mapping of outcome name to array
        Outcomes of the rows of :func:`sobol_design`, in its order; a bare array is one
        outcome named ``y``.
    seed : int
        Seed of the bootstrap resampling; every outcome uses the same resamples.
    second_order : bool, default False
        Must match the design. Second-order indices are not computed: the ``BA_i`` rows are
        dropped before SALib sees the outputs, which saves most of its time. ST is unchanged;
        S1 moves only by the re-centring of the outputs on the rows kept (a small fraction
        of its confidence interval).
    num_resamples : int, default 100
        Bootstrap resamples for the confidence intervals.
    conf_level : float, default 0.95
        Confidence level; ``S1_conf`` and ``ST_conf`` are half-widths of the interval.

    Returns
    -------
    pandas.DataFrame
        Index ``uncertainty``; columns a MultiIndex ``(outcome, index)`` with index in
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``. An outcome that never varies gets zeros.

    Raises
    ------
    UsageError
        If an outcome's length does not fit the design, holds NaN or infinite values, or the
        seed or problem is malformed.

    Examples
    --------
    >>> problem = sobol_problem(["a", "b"], [(0, 1), (0, 1)])
    >>> X = sobol_design(problem, 2**10, seed=1)
    >>> table = sobol_indices(problem, {"sum": X[:, 0] + 0.1 * X[:, 1]}, seed=2)
    >>> table[("sum", "ST")].round(2).tolist()
    [0.99, 0.01]
    """
    n_vars = _check_problem(problem)
    _check_seed(seed)
    if not 0.0 < conf_level < 1.0:
        raise UsageError(f"conf_level must lie strictly between 0 and 1 (got {conf_level})")
    if num_resamples < 2:
        raise UsageError(f"num_resamples must be at least 2 (got {num_resamples})")
    outcomes = dict(Y) if isinstance(Y, Mapping) else {"y": Y}
    if not outcomes:
        raise UsageError("Y: give at least one outcome")
    block = 2 * n_vars + 2 if second_order else n_vars + 2
    from SALib.analyze import sobol

    columns: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
    for name, raw in outcomes.items():
        values = np.asarray(raw, dtype=np.float64)
        if values.ndim != 1 or values.size == 0 or values.size % block:
            raise UsageError(
                f"Y[{name!r}]: {values.size} values do not fit the design "
                f"(a multiple of {block} for D = {n_vars}, second_order={second_order})"
            )
        if not np.isfinite(values).all():
            raise UsageError(f"Y[{name!r}]: holds NaN or infinite values")
        if second_order:
            values = _first_order_rows(values, n_vars)
        if np.ptp(values) == 0.0:
            result: Mapping[str, Any] = {key: np.zeros(n_vars) for key in INDICES}
        else:
            result = sobol.analyze(
                dict(problem),
                values,
                calc_second_order=False,
                num_resamples=int(num_resamples),
                conf_level=float(conf_level),
                seed=np.random.default_rng(int(seed)),
            )
        for key in INDICES:
            columns[(str(name), key)] = np.asarray(result[key], dtype=np.float64)
    table = pd.DataFrame(columns, index=pd.Index(list(problem["names"]), name="uncertainty"))
    table.columns = table.columns.set_names(["outcome", "index"])
    return table
