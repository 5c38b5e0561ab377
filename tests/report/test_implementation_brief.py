"""The brief's 'Will it happen at all?': per option, the share of futures in which it is
delivered on time and its effect with and without implementation risk, as the stored run
holds them, in English and Ukrainian."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from umbrella.explore.run import open_run
from umbrella.report import Brief
from umbrella.report.numbers import percent, points


def _recomputed(store: Path, run_id: str) -> pd.DataFrame:
    """Per option, from the run's own outcomes: the mean of on_time, and the mean change of
    holds_europe against the status quo with the risk and on time."""
    run = open_run(run_id, store)
    _, outcomes = run.data()
    wide = outcomes.pivot(index="future", columns="option")
    options = [o.id for o in run.scenario.options]
    base = wide["holds_europe"]["status-quo"]
    return pd.DataFrame(
        {
            "on_time": [wide["on_time"][o].mean() for o in options],
            "change_with_risk": [(wide["holds_europe"][o] - base).mean() for o in options],
            "change_on_time": [(wide["holds_europe_on_time"][o] - base).mean() for o in options],
        },
        index=options,
    )


def test_the_table_beside_the_brief_is_the_run_s(
    briefs: tuple[Path, str, dict[str, Brief]],
) -> None:
    store, run_id, written = briefs
    table = pd.read_csv(written["en"].folder / "data" / "implementation.csv").set_index("option")
    expected = _recomputed(store, run_id)
    for column in ("on_time", "change_with_risk", "change_on_time"):
        np.testing.assert_allclose(table[column], expected[column].loc[table.index], atol=1e-12)
    assert table.loc["status-quo", "on_time"] == 1.0
    # Risk only takes effect away, and more where fewer futures deliver on time.
    assert (table["change_with_risk"] <= table["change_on_time"] + 1e-12).all()
    on_time = table["on_time"].astype(float).to_dict()
    assert on_time["shared-responsibility"] < on_time["uk-france-coordination"]
    lost = table["lost"].dropna()
    np.testing.assert_allclose(
        lost,
        ((table["change_on_time"] - table["change_with_risk"]) / table["change_on_time"]).loc[
            lost.index
        ],
    )


def test_the_brief_states_each_option_s_risk_in_both_languages(
    briefs: tuple[Path, str, dict[str, Brief]],
) -> None:
    store, run_id, written = briefs
    expected = _recomputed(store, run_id)
    english = (written["en"].folder / "brief.md").read_text(encoding="utf-8")
    ukrainian = (written["uk"].folder / "brief.md").read_text(encoding="utf-8")
    assert "Will it happen at all?" in english
    assert "Чи це взагалі станеться?" in ukrainian
    row = expected.to_dict("index")["shared-responsibility"]
    for text, code in ((english, "en"), (ukrainian, "uk")):
        assert percent(float(row["on_time"]), lang=code) in text
        assert points(float(row["change_on_time"]), lang=code) in text
    # The option that loses most, in points, is named as losing most.
    loss = expected["change_on_time"] - expected["change_with_risk"]
    worst = str(loss.idxmax())
    run = open_run(run_id, store)
    name = next(o.name for o in run.scenario.options if o.id == worst)
    assert f"{name} loses most" in english
