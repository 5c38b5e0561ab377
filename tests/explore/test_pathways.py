"""``pathways(run)``: a row per step of every pathway, the share of futures in which each
step starts as ``Trigger.fired`` says on the run's own futures, and the pathway's regret as
``regret`` scores it. Every expectation is computed here from the run itself: the model may
change its numbers, not the relations between them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from umbrella.explore.pathways import FIELDS, pathways
from umbrella.explore.robustness import regret
from umbrella.explore.run import Run, run
from umbrella.model import load_scenario
from umbrella.model.registry import OptionSpec

PORTFOLIOS = "europe-2026-portfolios"


@pytest.fixture(scope="module")
def staged() -> Run:
    """A run of the scenario with pathways, 400 futures, kept in memory."""
    return run(load_scenario(PORTFOLIOS), 400, 7, store=None)


@pytest.fixture(scope="module")
def table(staged: Run) -> pd.DataFrame:
    return pathways(staged)


def _pathway_specs(staged: Run) -> list[OptionSpec]:
    return [
        spec
        for spec in staged.scenario.options
        if any(part.trigger is not None for part in spec.components)
    ]


def test_a_row_per_step_of_every_pathway(staged: Run, table: pd.DataFrame) -> None:
    specs = _pathway_specs(staged)
    assert len(specs) == 2  # the shipped scenario's two pathways
    assert list(table.columns) == list(FIELDS)
    expected = [
        (spec.id, n, part.option) for spec in specs for n, part in enumerate(spec.components, 1)
    ]
    assert list(zip(table["pathway"], table["step"], table["option"], strict=True)) == expected
    for spec in specs:
        rows = table[table["pathway"] == spec.id]
        assert set(rows["name"]) == {spec.name}
        for part, row in zip(spec.components, rows.to_dict("records"), strict=True):
            assert row["delay"] == part.delay
            assert row["scale"] == part.scale
            if part.trigger is None:
                assert row["assumption"] == ""
                assert row["bound"] == ""
                assert math.isnan(row["threshold"])
                assert pd.isna(row["read_by"])
            else:
                assert row["assumption"] == part.trigger.assumption
                assert row["bound"] == ("below" if part.trigger.below else "above")
                assert row["threshold"] == part.trigger.threshold
                assert row["read_by"] == part.trigger.read_by
                assert row["start"] == math.floor(part.trigger.read_by + part.delay)
    assert table.attrs["n_futures"] == 400
    assert table.attrs["scenario"] == PORTFOLIOS


def test_fired_is_the_share_of_futures_where_the_trigger_fires(
    staged: Run, table: pd.DataFrame
) -> None:
    futures, _ = staged.data()
    waits = 0
    for spec in _pathway_specs(staged):
        rows = table[table["pathway"] == spec.id].to_dict("records")
        for part, row in zip(spec.components, rows, strict=True):
            if part.trigger is None:
                assert row["fired"] == 1.0  # starts in every future
                continue
            waits += 1
            column = futures[part.trigger.assumption].to_numpy()
            below = column < part.trigger.threshold
            fired = below if part.trigger.below else column > part.trigger.threshold
            assert np.array_equal(fired, part.trigger.fired(column))
            assert row["fired"] == pytest.approx(float(fired.mean()), abs=1e-12)
            # A signpost of a sampled assumption fires in some futures, not all.
            assert 0.0 < row["fired"] < 1.0
    assert waits == 2


def test_first_year_adds_the_option_s_lead_at_the_defaults(
    staged: Run, table: pd.DataFrame
) -> None:
    registry = staged.scenario.registry
    for row in table.to_dict("records"):
        lead = registry[f"option.{row['option']}.years_to_first_effect"].default
        assert row["first_year"] == math.floor(row["start"] + lead)
        if row["assumption"] == "":
            own = registry[f"option.{row['option']}.start_year"].default
            assert row["start"] == math.floor(own + row["delay"])


def test_regret_against_every_option(staged: Run, table: pd.DataFrame) -> None:
    _, outcomes = staged.data()
    held = regret(outcomes, "holds_europe")
    # The regret the table rests on: never negative, and 0 for the best option of a future.
    assert (held.to_numpy() >= 0).all()
    assert (held.min(axis=1) == 0).all()
    assert set(held.columns) == {o.id for o in staged.scenario.options}
    europe = outcomes.pivot(index="future", columns="option", values="holds_europe")
    singles = [o.id for o in staged.scenario.options if not o.components]
    least = min(float(held[o].mean()) for o in singles)
    assert table.attrs["best_single_regret"] == pytest.approx(least, abs=1e-12)
    assert table.attrs["best_single"] in singles
    for pathway, rows in table.groupby("pathway", sort=False):
        for column in ("holds_mean", "holds_p10", "mean_regret", "max_regret", "beats_singles"):
            assert rows[column].nunique() == 1  # the pathway's, on each of its steps
        row = rows.iloc[0]
        values = europe[pathway].to_numpy()
        assert row["holds_mean"] == pytest.approx(values.mean(), abs=1e-12)
        assert row["holds_p10"] == pytest.approx(np.percentile(values, 10), abs=1e-12)
        assert row["mean_regret"] == pytest.approx(held[pathway].mean(), abs=1e-12)
        assert row["max_regret"] == pytest.approx(held[pathway].max(), abs=1e-12)
        assert 0 <= row["mean_regret"] <= row["max_regret"]
        assert bool(row["beats_singles"]) == bool(held[pathway].mean() < least)


def test_no_pathways_gives_an_empty_table() -> None:
    flagship = run(load_scenario(None), 100, 7, store=None)
    empty = pathways(flagship)
    assert empty.empty
    assert list(empty.columns) == list(FIELDS)
    assert empty.attrs["n_futures"] == 100
    assert empty.attrs["best_single"] == ""
