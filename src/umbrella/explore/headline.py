"""The headline table: the figures every entry point prints for a scenario's options.

``umbrella assess``, ``umbrella run``, ``umbrella brief`` and ``umbrella.assess()`` all
build it with :func:`headline` from the same ensemble (the same scenario, number of futures
and seed give the same futures, bit for bit), so the same question gets the same number
everywhere. Each figure is a mean over the futures with its 10th and 90th percentiles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.settings import DEFAULT_SAMPLES, DEFAULT_SEED

__all__ = [
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "HEADLINE",
    "LEVELS",
    "NO_CHANGE",
    "effect_lost",
    "headline",
    "headline_of",
]

LEVELS = (0.1, 0.9)
"""The percentiles reported beside each mean."""

HEADLINE = (
    "holds_europe_first",
    "holds_europe",
    "no_challenge_europe_first",
    "no_challenge_europe",
    "rebuffed_europe_first",
    "rebuffed_europe",
    "fails_europe_first",
    "fails_europe",
    "holds_ukraine",
    "fails_ukraine",
    "npv_eur_bn",
    "proliferation",
    "ukraine_support_eur_bn",
)
"""The summary outcomes of the headline table, in order."""


NO_CHANGE = 1e-4
"""A change in a probability below this (0.01 points) either way has no effect to lose."""


def effect_lost(planned: float, change: float) -> float:
    """The share of an option's change were it delivered on time (``planned``) that its
    change counting implementation risk (``change``) falls short of; NaN where there is no
    change to lose (docs/options.md, "Implementation risk").

    >>> round(effect_lost(0.02, 0.015), 6)
    0.25
    """
    if not math.isfinite(planned) or abs(planned) < NO_CHANGE:
        return math.nan
    return (planned - change) / planned


def headline(outcomes: pd.DataFrame, options: Sequence[str]) -> pd.DataFrame:
    """Mean, 10th and 90th percentile of each headline outcome per option.

    ``outcomes`` is a run's long table (future, option, outcomes...): :data:`HEADLINE` and
    any reports the scenario adds (other weightings, exposure groups). Columns are
    ``<outcome>``, ``<outcome>_p10`` and ``<outcome>_p90``, and ``change_vs_status_quo``
    (the mean over futures of the option's ``holds_europe`` minus the first option's, with
    its percentiles) and, where the run has ``holds_europe_on_time``,
    ``change_on_time_vs_status_quo`` (the same were the option delivered on time), and with
    ``fails_ukraine_on_time`` ``ukraine_change`` and ``ukraine_change_on_time`` (the option's
    ``fails_ukraine`` minus the first option's, with the risk and on time): one row per
    option, in ``options`` order.

    >>> table = pd.DataFrame({"future": [0, 0, 1, 1], "option": ["a", "b", "a", "b"],
    ...                       **{k: [0.5, 0.6, 0.7, 0.9] for k in HEADLINE}})
    >>> row = headline(table, ["a", "b"]).loc["b"]
    >>> float(row["holds_europe"]), round(float(row["change_vs_status_quo"]), 6)
    (0.75, 0.15)
    """
    keys = ("future", "option")
    reports = [c for c in outcomes.columns if c not in (*HEADLINE, *keys)]
    names = [*HEADLINE, *reports]  # the scenario's reports: weightings, exposure groups
    if _in_run_order(outcomes, options):
        # Each outcome is already (future, option) row by row: read it in place rather than
        # pivot a copy of the whole table (the same values in the same order).
        n = len(options)
        columns = {name: outcomes[name].to_numpy().reshape(-1, n) for name in names}
        return headline_of(columns, options)
    wide = outcomes.set_index(list(keys))[names].unstack("option")
    return _table(names, options, lambda name, option: wide[name][option].to_numpy())


def _in_run_order(outcomes: pd.DataFrame, options: Sequence[str]) -> bool:
    """Whether ``outcomes`` lists futures in increasing order, each with one row per option
    in ``options`` order, as a run writes them."""
    n = len(options)
    if n == 0 or len(outcomes) == 0 or len(outcomes) % n:
        return False
    futures = outcomes["future"].to_numpy().reshape(-1, n)
    if not (futures == futures[:, :1]).all() or not (np.diff(futures[:, 0]) > 0).all():
        return False
    labels = outcomes["option"].to_numpy().reshape(-1, n)
    return bool((labels == np.asarray(options, dtype=object)).all())


def headline_of(
    columns: Mapping[str, npt.NDArray[np.float64]], options: Sequence[str]
) -> pd.DataFrame:
    """:func:`headline` of outcomes held as arrays: ``columns`` maps each outcome (every one of
    :data:`HEADLINE`, then the scenario's reports, in the order of a run's table) to an array
    (future, option), futures in order and options in ``options`` order. The same table, bit
    for bit, as :func:`headline` of the long table, without building it.

    >>> values = np.array([[0.5, 0.6], [0.7, 0.9]])
    >>> row = headline_of({k: values for k in HEADLINE}, ["a", "b"]).loc["b"]
    >>> float(row["holds_europe"]), round(float(row["change_vs_status_quo"]), 6)
    (0.75, 0.15)
    """
    position = {option: i for i, option in enumerate(options)}
    names = [*HEADLINE, *(name for name in columns if name not in HEADLINE)]
    return _table(names, options, lambda name, option: columns[name][:, position[option]])


def _table(
    names: Sequence[str],
    options: Sequence[str],
    column: Callable[[str, str], npt.NDArray[np.float64]],
) -> pd.DataFrame:
    """The headline rows from ``column(outcome, option)``: that option's values, one per future."""
    rows: list[dict[str, float]] = [{} for _ in options]
    baseline = column("holds_europe", options[0])
    for spreads in _spreads(names, options, column):  # per outcome, then option
        for row, spread in zip(rows, spreads, strict=True):
            row |= spread
    for row, option in zip(rows, options, strict=True):
        change = column("holds_europe", option) - baseline
        row |= _spread("change_vs_status_quo", change)
        if "holds_europe_on_time" in names:
            # The same change were the option agreed and delivered on time in every future.
            planned = column("holds_europe_on_time", option) - baseline
            row |= _spread("change_on_time_vs_status_quo", planned)
        if "fails_ukraine_on_time" in names:
            ukraine = column("fails_ukraine", options[0])
            row |= _spread("ukraine_change", column("fails_ukraine", option) - ukraine)
            planned = column("fails_ukraine_on_time", option) - ukraine
            row |= _spread("ukraine_change_on_time", planned)
    return pd.DataFrame(rows, index=pd.Index(list(options), name="option"))


def _spreads(
    names: Sequence[str],
    options: Sequence[str],
    column: Callable[[str, str], npt.NDArray[np.float64]],
) -> list[list[dict[str, float]]]:
    """:func:`_spread` of every outcome of every option, per outcome then option: the
    percentiles of every outcome whose values are all finite in one call (the same numbers:
    the same algorithm along an axis, column by column), the means as :func:`_spread` takes
    them, one option's values at a time."""
    per_name = [[column(name, o) for o in options] for name in names]
    finite = [
        bool(len(values[0])) and all(np.isfinite(v).all() for v in values) for values in per_name
    ]
    batch = [v for values, ok in zip(per_name, finite, strict=True) if ok for v in values]
    bounds: list[tuple[float, float]] = []
    if batch:
        low, high = np.quantile(np.stack(batch, axis=1), LEVELS, axis=0)  # per column
        bounds = list(zip(low.tolist(), high.tolist(), strict=True))
    spreads: list[list[dict[str, float]]] = []
    at = 0  # the next column of the batch
    for name, values, ok in zip(names, per_name, finite, strict=True):
        if not ok:
            spreads.append([_spread(name, v) for v in values])
            continue
        spreads.append(
            [
                {name: float(v.mean()), f"{name}_p10": lo, f"{name}_p90": hi}
                for v, (lo, hi) in zip(values, bounds[at : at + len(values)], strict=True)
            ]
        )
        at += len(values)
    return spreads


def _spread(name: str, values: np.ndarray) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return {name: float("nan"), f"{name}_p10": float("nan"), f"{name}_p90": float("nan")}
    low, high = np.quantile(finite, LEVELS)
    return {name: float(finite.mean()), f"{name}_p10": float(low), f"{name}_p90": float(high)}
