"""The headline table: the figures every entry point prints for a scenario's options.

``umbrella assess``, ``umbrella run``, ``umbrella brief`` and ``umbrella.assess()`` all
build it with :func:`headline` from the same ensemble (the same scenario, number of futures
and seed give the same futures, bit for bit), so the same question gets the same number
everywhere. Each figure is a mean over the futures with its 10th and 90th percentiles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from umbrella.settings import DEFAULT_SAMPLES, DEFAULT_SEED

__all__ = ["DEFAULT_SAMPLES", "DEFAULT_SEED", "HEADLINE", "LEVELS", "headline"]

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


def headline(outcomes: pd.DataFrame, options: Sequence[str]) -> pd.DataFrame:
    """Mean, 10th and 90th percentile of each headline outcome per option.

    ``outcomes`` is a run's long table (future, option, outcomes...): :data:`HEADLINE` and
    any reports the scenario adds (other weightings, exposure groups). Columns are
    ``<outcome>``, ``<outcome>_p10`` and ``<outcome>_p90``, and ``change_vs_status_quo``
    (the mean over futures of the option's ``holds_europe`` minus the first option's, with
    its percentiles): one row per option, in ``options`` order.

    >>> table = pd.DataFrame({"future": [0, 0, 1, 1], "option": ["a", "b", "a", "b"],
    ...                       **{k: [0.5, 0.6, 0.7, 0.9] for k in HEADLINE}})
    >>> row = headline(table, ["a", "b"]).loc["b"]
    >>> float(row["holds_europe"]), round(float(row["change_vs_status_quo"]), 6)
    (0.75, 0.15)
    """
    keys = ("future", "option")
    reports = [c for c in outcomes.columns if c not in (*HEADLINE, *keys)]
    names = [*HEADLINE, *reports]  # the scenario's reports: weightings, exposure groups
    wide = outcomes.set_index(list(keys))[names].unstack("option")
    rows = []
    baseline = wide["holds_europe"][options[0]].to_numpy()
    for option in options:
        row: dict[str, float] = {}
        for name in names:
            row |= _spread(name, wide[name][option].to_numpy())
        change = wide["holds_europe"][option].to_numpy() - baseline
        row |= _spread("change_vs_status_quo", change)
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(list(options), name="option"))


def _spread(name: str, values: np.ndarray) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return {name: float("nan"), f"{name}_p10": float("nan"), f"{name}_p90": float("nan")}
    low, high = np.quantile(finite, LEVELS)
    return {name: float(finite.mean()), f"{name}_p10": float(low), f"{name}_p90": float(high)}
