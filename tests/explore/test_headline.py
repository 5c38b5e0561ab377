"""The headline table reads a run's table in place, and any other order gives the same."""

from __future__ import annotations

import numpy as np
import pandas as pd

from umbrella.explore.headline import HEADLINE, headline, headline_of


def _outcomes(n_futures: int, options: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = n_futures * len(options)
    table = pd.DataFrame(
        {
            "future": np.repeat(np.arange(10, 10 + n_futures), len(options)),
            "option": pd.Categorical(options * n_futures, categories=options),
            **{name: rng.uniform(size=rows) for name in HEADLINE},
            "holds_in_frontline": rng.uniform(size=rows),
        }
    )
    table.loc[5, "holds_ukraine"] = np.nan  # a future where an outcome is missing
    return table


def test_any_order_of_rows_gives_the_same_table() -> None:
    options = ["quo", "b", "c"]
    table = _outcomes(200, options)
    in_order = headline(table, options)
    shuffled = headline(table.sample(frac=1.0, random_state=1), options)
    pd.testing.assert_frame_equal(in_order, shuffled, check_exact=True)
    assert list(in_order.columns[-6:-3]) == [
        "holds_in_frontline",
        "holds_in_frontline_p10",
        "holds_in_frontline_p90",
    ]


def test_arrays_give_the_same_table() -> None:
    options = ["quo", "b"]
    table = _outcomes(120, options)
    columns = {
        name: table[name].to_numpy().reshape(-1, len(options))
        for name in table.columns
        if name not in ("future", "option")
    }
    pd.testing.assert_frame_equal(
        headline_of(columns, options), headline(table, options), check_exact=True
    )


def test_options_in_another_order_than_the_rows() -> None:
    table = _outcomes(50, ["quo", "b", "c"])
    reordered = headline(table, ["c", "quo", "b"])
    assert list(reordered.index) == ["c", "quo", "b"]
    assert reordered.loc["c", "change_vs_status_quo"] == 0.0
