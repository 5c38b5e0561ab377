"""Robust Decision Making scores of options across an ensemble of futures: regret, satisficing.

An ensemble evaluates every option in every sampled future. Robust Decision Making (RDM,
Lempert, Popper and Bankes [1]_, chapter 5) asks which option performs acceptably across the
futures rather than best in one of them, and scores options two ways:

- **regret** of option ``o`` in future ``f``: how much better the best option did there,
  ``max_p y[f, p] - y[f, o]`` (``y[f, o] - min_p y[f, p]`` when smaller is better); >= 0, and
  0 for the best. *Minimax regret* picks the smallest worst regret (Savage; [1]_, [2]_).
- **satisficing**: the share of futures in which an option meets every threshold, such as
  "deterrence holds with probability >= 0.9 and the cost stays under 100 bn EUR" (the
  domain criterion of [2]_).

The functions pivot the long table of outcomes (``future``, ``option``, one float column per
outcome) to future-by-option arrays and score them whole: no Python loop runs per future.

References
----------
.. [1] R. J. Lempert, S. W. Popper and S. C. Bankes, *Shaping the Next One Hundred Years: New
   Methods for Quantitative, Long-Term Policy Analysis*, RAND MR-1626, 2003,
   doi:10.7249/MR1626.
.. [2] R. J. Lempert and M. T. Collins, "Managing the Risk of Uncertain Threshold Responses:
   Comparison of Robust, Optimum, and Precautionary Approaches", *Risk Analysis* 27(4),
   1009-1026, 2007, doi:10.1111/j.1539-6924.2007.00940.x.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, TypeAlias, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.errors import UsageError

__all__ = ["COMPARISONS", "Rule", "most_robust", "regret", "robustness", "satisficing"]

Rule: TypeAlias = Literal["minimax_regret", "best_mean", "best_satisficing"]
"""The decision rules :func:`most_robust` applies, each read from a rank column."""

COMPARISONS: Mapping[str, Callable[[npt.NDArray[np.float64], float], npt.NDArray[np.bool_]]]
COMPARISONS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
"""The comparisons a satisficing threshold may use."""

_RANKS: dict[Rule, str] = dict(
    zip(get_args(Rule), ("rank_minimax_regret", "rank_mean", "rank_satisficing"), strict=True)
)


def _check_table(outcomes: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise UsageError unless ``outcomes`` holds each option once per future, all finite."""
    needed = ["future", "option", *columns]
    missing = [name for name in needed if name not in outcomes.columns]
    if missing:
        known = ", ".join(str(c) for c in outcomes.columns if c not in ("future", "option"))
        raise UsageError(f"outcomes: no column {', '.join(missing)} (outcomes here: {known})")
    if len(outcomes) == 0:
        raise UsageError("outcomes: the table is empty")
    for name in columns:
        try:
            values = outcomes[name].to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            raise UsageError(f"outcomes: column {name} is not numeric") from None
        if not np.isfinite(values).all():
            raise UsageError(f"outcomes: column {name} holds NaN or infinite values")
    keys = outcomes[["future", "option"]]
    if keys.duplicated().any():
        raise UsageError("outcomes: a (future, option) pair appears twice; give each once")
    n_futures, n_options = keys["future"].nunique(), keys["option"].nunique()
    if len(outcomes) != n_futures * n_options:
        raise UsageError(
            f"outcomes: {len(outcomes)} rows for {n_futures} futures x {n_options} options; "
            "every option must be evaluated in every future"
        )


def _pivot(outcomes: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One outcome as a future x option table, options in order of first appearance."""
    wide = outcomes.pivot(index="future", columns="option", values=outcome)
    wide = wide.reindex(columns=pd.unique(outcomes["option"]))
    wide.columns.name = "option"
    return wide.astype(np.float64)


def regret(outcomes: pd.DataFrame, outcome: str, larger_is_better: bool = True) -> pd.DataFrame:
    """Regret of every option in every future: how far it falls short of the best option there.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Long table with columns ``future``, ``option`` and ``outcome``, each option once in
        every future.
    outcome : str
        The outcome column to score.
    larger_is_better : bool, default True
        Direction of the outcome (``False`` for costs).

    Returns
    -------
    pandas.DataFrame
        Index ``future`` (sorted), one column per option (in order of first appearance):
        ``max_p y[f, p] - y[f, o]``, or ``y[f, o] - min_p y[f, p]`` when smaller is better.
        Every value is >= 0 and the best option of each future scores exactly 0.

    Raises
    ------
    UsageError
        If a column is missing, values are not finite, or an option lacks a future.

    References
    ----------
    Lempert, Popper and Bankes (2003), chapter 5; see the module references.

    Examples
    --------
    >>> table = pd.DataFrame({"future": [0, 0, 1, 1], "option": ["a", "b", "a", "b"],
    ...                       "holds_europe": [0.9, 0.7, 0.5, 0.8]})
    >>> regret(table, "holds_europe").round(12).to_dict(orient="index")
    {0: {'a': 0.0, 'b': 0.2}, 1: {'a': 0.3, 'b': 0.0}}
    """
    _check_table(outcomes, [outcome])
    wide = _pivot(outcomes, outcome)
    held = _shortfall(wide.to_numpy(), larger_is_better)
    return pd.DataFrame(held, index=wide.index, columns=wide.columns)


def _shortfall(values: npt.NDArray[np.float64], larger_is_better: bool) -> npt.NDArray[np.float64]:
    """Regret of a future x option array, row by row."""
    if larger_is_better:
        return np.asarray(values.max(axis=1, keepdims=True) - values)
    return np.asarray(values - values.min(axis=1, keepdims=True))


def satisficing(outcomes: pd.DataFrame, thresholds: Mapping[str, tuple[str, float]]) -> pd.Series:
    """Share of futures in which each option meets every threshold.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Long table with columns ``future``, ``option`` and the outcomes named in
        ``thresholds``, each option once in every future.
    thresholds : Mapping[str, tuple[str, float]]
        Outcome name to ``(comparison, limit)``, comparison one of ``>=``, ``>``, ``<=``,
        ``<``; e.g. ``{"holds_europe": (">=", 0.9), "npv_eur_bn": ("<=", 100)}``.

    Returns
    -------
    pandas.Series
        Named ``satisficing``, indexed by option (in order of first appearance): the share
        of futures, in [0, 1], in which the option meets all thresholds at once.

    Raises
    ------
    UsageError
        If ``thresholds`` is empty or uses an unknown comparison, or the table is invalid.

    References
    ----------
    Lempert and Collins (2007), the domain criterion; see the module references.

    Examples
    --------
    >>> table = pd.DataFrame({"future": [0, 0, 1, 1], "option": ["a", "b", "a", "b"],
    ...                       "holds_europe": [0.9, 0.7, 0.5, 0.8],
    ...                       "npv_eur_bn": [80.0, 20.0, 90.0, 120.0]})
    >>> satisficing(table, {"holds_europe": (">=", 0.6), "npv_eur_bn": ("<=", 100)}).to_dict()
    {'a': 0.5, 'b': 0.5}
    """
    if not thresholds:
        raise UsageError("thresholds: give at least one, e.g. {'npv_eur_bn': ('<=', 100.0)}")
    for name, (comparison, _) in thresholds.items():
        if comparison not in COMPARISONS:
            known = ", ".join(COMPARISONS)
            raise UsageError(f"thresholds[{name!r}]: {comparison!r} is not one of {known}")
    _check_table(outcomes, list(thresholds))
    met = np.ones(len(outcomes), dtype=bool)
    for name, (comparison, limit) in thresholds.items():
        met &= COMPARISONS[comparison](outcomes[name].to_numpy(dtype=np.float64), float(limit))
    share = (
        pd.Series(met, index=outcomes.index)
        .groupby(outcomes["option"], sort=False)
        .mean()
        .astype(np.float64)
    )
    share.index.name = "option"
    return share.rename("satisficing")


def robustness(
    outcomes: pd.DataFrame,
    outcome: str = "holds_europe",
    larger_is_better: bool = True,
    thresholds: Mapping[str, tuple[str, float]] | None = None,
) -> pd.DataFrame:
    """Robustness table of the options on one outcome: spread, regret, satisficing and ranks.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Long table with columns ``future``, ``option`` and the outcomes used.
    outcome : str, default "holds_europe"
        The outcome whose distribution and regret are scored.
    larger_is_better : bool, default True
        Direction of ``outcome``.
    thresholds : Mapping[str, tuple[str, float]] or None
        Satisficing thresholds as in :func:`satisficing`; ``None`` leaves the
        ``satisficing`` and ``rank_satisficing`` columns empty (NaN / NA).

    Returns
    -------
    pandas.DataFrame
        Index ``option``; columns ``mean``, ``p10``, ``p90`` (10th and 90th percentiles of
        the outcome over futures, linear interpolation), ``mean_regret``, ``max_regret``,
        ``p90_regret``, ``satisficing``, and the ranks ``rank_mean`` (1 = best mean in the
        outcome's direction), ``rank_minimax_regret`` (1 = smallest maximum regret) and
        ``rank_satisficing`` (1 = largest share); tied options share the better rank.
        ``attrs`` records ``outcome``, ``larger_is_better`` and ``thresholds``.

    Raises
    ------
    UsageError
        If the table or the thresholds are invalid.

    Examples
    --------
    >>> table = pd.DataFrame({"future": [0, 0, 1, 1], "option": ["a", "b", "a", "b"],
    ...                       "holds_europe": [0.9, 0.7, 0.5, 0.8]})
    >>> scores = robustness(table, thresholds={"holds_europe": (">=", 0.6)})
    >>> scores.loc["b", ["mean", "max_regret", "satisficing"]].round(12).tolist()
    [0.75, 0.2, 1.0]
    >>> scores["rank_minimax_regret"].tolist()
    [2, 1]
    """
    _check_table(outcomes, [outcome])
    wide = _pivot(outcomes, outcome)
    values = wide.to_numpy()
    held = _shortfall(values, larger_is_better)
    low, high = np.percentile(values, [10.0, 90.0], axis=0)
    table = pd.DataFrame(
        {
            "mean": values.mean(axis=0),
            "p10": low,
            "p90": high,
            "mean_regret": held.mean(axis=0),
            "max_regret": held.max(axis=0),
            "p90_regret": np.percentile(held, 90.0, axis=0),
        },
        index=wide.columns,
    )
    if thresholds is None:
        table["satisficing"] = np.nan
    else:
        table["satisficing"] = satisficing(outcomes, thresholds).reindex(table.index)
    for column, source, ascending in [
        ("rank_mean", "mean", not larger_is_better),
        ("rank_minimax_regret", "max_regret", True),
        ("rank_satisficing", "satisficing", False),
    ]:
        table[column] = table[source].rank(method="min", ascending=ascending).astype("Int64")
    kept = None if thresholds is None else dict(thresholds)
    table.attrs = {"outcome": outcome, "larger_is_better": larger_is_better, "thresholds": kept}
    return table


def most_robust(table: pd.DataFrame) -> dict[Rule, str]:
    """The option each decision rule picks from a :func:`robustness` table.

    Parameters
    ----------
    table : pandas.DataFrame
        A table returned by :func:`robustness` (index option, rank columns).

    Returns
    -------
    dict
        ``minimax_regret`` (smallest maximum regret), ``best_mean`` (best mean outcome) and,
        when the table has satisficing shares, ``best_satisficing`` (largest share), each
        mapped to an option. On a tie the option listed first wins.

    Raises
    ------
    UsageError
        If the table lacks a rank column.

    Examples
    --------
    >>> table = pd.DataFrame({"future": [0, 0, 1, 1], "option": ["a", "b", "a", "b"],
    ...                       "holds_europe": [0.9, 0.7, 0.5, 0.8]})
    >>> most_robust(robustness(table))
    {'minimax_regret': 'b', 'best_mean': 'b'}
    """
    missing = [column for column in _RANKS.values() if column not in table.columns]
    if missing or len(table) == 0:
        raise UsageError(f"most_robust: not a robustness() table ({', '.join(missing) or 'empty'})")
    picks: dict[Rule, str] = {}
    for rule, column in _RANKS.items():
        ranks = table[column].to_numpy(dtype=np.float64, na_value=np.inf)
        if np.isfinite(ranks).any():
            picks[rule] = str(table.index[int(ranks.argmin())])
    return picks
