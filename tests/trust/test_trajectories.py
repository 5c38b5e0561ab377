"""Trust trajectories and the trust state: hand-computed posteriors, views, the shipped data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import umbrella
from umbrella.assumptions import resolve
from umbrella.data import World
from umbrella.data.schema import Event, TrustEffect
from umbrella.errors import UsageError
from umbrella.trust import ASSUMPTIONS, TrustState, trajectories, trust_state
from umbrella.trust.evidence import OTHERS, protege_views, view_of

LAM = 0.5 ** (1 / 12)  # half-life 12 months


@pytest.fixture(autouse=True)
def _hand_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worked examples below use the hand defaults (prior 0.75 of strength 10, weights
    0.5 / 1.5 / 4), not those fitted to the polls."""
    import sys

    from umbrella.trust.assumptions import HAND

    monkeypatch.setattr(sys.modules["umbrella.trust.trajectories"], "ASSUMPTIONS", HAND)


ALPHA0, BETA0 = 7.5, 2.5  # USA prior: mean 0.75, strength 10
TWELVE = {"trust.half_life_months": [12.0]}


def _event(day: str, *effects: TrustEffect, slug: str = "test") -> Event:
    return Event(
        id=f"{day}-{slug}",
        date=dt.date.fromisoformat(day),
        actors=["USA"],
        kind="withholding",
        summary="A synthetic event for the tests.",
        coding="a synthetic event",
        effects=list(effects),
        sources=["test-source"],
    )


def _world(*events: Event) -> World:
    return World(records={"events": {e.id: e for e in events}})


def _effect(sign: int, protege: str | None = None, strength: str = "major") -> TrustEffect:
    return TrustEffect.model_validate(
        {"guarantor": "USA", "sign": sign, "protege": protege, "strength": strength}
    )


ONE_MAJOR_NEGATIVE = _world(_event("2020-01-15", _effect(-1, "UKR")))


def _usa(ds: xr.Dataset, view: str) -> Mapping[str, np.ndarray]:
    one = ds.sel(guarantor="USA", view=view).isel(sample=0)
    return {name: one[name].values for name in ("alpha", "beta", "mean", "low", "high")}


def test_one_major_negative_event_by_hand() -> None:
    ds = trajectories(ONE_MAJOR_NEGATIVE, TWELVE, start="2019-12", end="2021-01")
    assert [str(m)[:7] for m in ds["month"].values[[0, 1, 2, -1]]] == [
        "2019-12",
        "2020-01",
        "2020-02",
        "2021-01",
    ]
    # UKR, named by the effect: s = weight_major * negative_multiplier = 4 * 1.5 = 6
    ukr = _usa(ds, "UKR")
    s = np.array([0.0, 6.0, 6.0 * LAM, 3.0])  # before, month 0, month 1, month 12
    expected_beta = BETA0 + s
    got = [ukr["beta"][i] for i in (0, 1, 2, -1)]
    assert got == pytest.approx(expected_beta.tolist(), rel=1e-12)
    assert ukr["alpha"] == pytest.approx(np.full(14, ALPHA0), rel=1e-12)  # r stays 0
    means = [ukr["mean"][i] for i in (0, 1, 2, -1)]
    assert means == pytest.approx([0.75, 7.5 / 16, 7.5 / (10 + 6 * LAM), 7.5 / 13], rel=1e-12)
    # every other protege: spillover 0.5 of it
    others = _usa(ds, OTHERS)
    got = [others["beta"][i] for i in (0, 1, 2, -1)]
    assert got == pytest.approx((BETA0 + s / 2).tolist(), rel=1e-12)
    assert others["mean"][-1] == pytest.approx(7.5 / 11.5, rel=1e-12)
    # the interval is the 5 and 95 per cent quantiles of the posterior
    assert ukr["low"][1] == pytest.approx(stats.beta.ppf(0.05, 7.5, 8.5), rel=1e-12)
    assert ukr["high"][1] == pytest.approx(stats.beta.ppf(0.95, 7.5, 8.5), rel=1e-12)


def test_other_guarantors_are_untouched() -> None:
    ds = trajectories(ONE_MAJOR_NEGATIVE, start="2020-01", end="2020-03")
    gbr = ds.sel(guarantor="GBR").isel(sample=0)
    assert np.all(gbr["alpha"].values == pytest.approx(7.5))  # prior mean 0.75, strength 10
    assert np.all(gbr["beta"].values == pytest.approx(2.5))


def test_spillover_and_positive_evidence_by_hand() -> None:
    world = _world(
        _event("2020-01-15", _effect(1, None, "minor"), slug="general"),
        _event("2020-01-20", _effect(1, "POL", "moderate"), slug="poland"),
        _event("2020-01-25", _effect(-1, "UKR", "moderate"), slug="ukraine"),
    )
    params = {"trust.spillover": [0.3], "trust.negative_multiplier": [2.0]}
    ds = trajectories(world, params, start="2020-01", end="2020-01")
    assert list(ds["view"].values) == ["POL", "UKR", OTHERS]
    # r: minor 0.5 to everyone, moderate 1.5 to POL (0.3 * 1.5 elsewhere);
    # s: moderate 1.5 * 2 = 3 to UKR (0.3 * 3 elsewhere)
    expected = {
        "POL": (0.5 + 1.5, 0.3 * 3.0),
        "UKR": (0.5 + 0.3 * 1.5, 3.0),
        OTHERS: (0.5 + 0.3 * 1.5, 0.3 * 3.0),
    }
    for view, (r, s) in expected.items():
        one = _usa(ds, view)
        assert one["alpha"][0] == pytest.approx(ALPHA0 + r, rel=1e-12), view
        assert one["beta"][0] == pytest.approx(BETA0 + s, rel=1e-12), view
    # a protege no effect names reads the 'others' view
    state = trust_state(world, params, dt.date(2020, 1, 31), ["USA"], ["EST", "POL"])
    assert state.positive[0, 0].tolist() == pytest.approx([0.5 + 0.3 * 1.5, 2.0], rel=1e-12)
    assert state.negative[0, 0].tolist() == pytest.approx([0.9, 0.9], rel=1e-12)


def test_sign_zero_adds_nothing_but_names_a_view() -> None:
    world = _world(_event("2020-01-15", _effect(0, "DEU"), _effect(0)))
    ds = trajectories(world, start="2020-01", end="2020-06")
    assert list(ds["view"].values) == ["DEU", OTHERS]
    assert np.all(ds["alpha"].sel(guarantor="USA").values == ALPHA0)
    assert np.all(ds["beta"].sel(guarantor="USA").values == BETA0)
    assert ds.attrs["n_effects"] == 0


def test_evidence_before_start_counts_and_end_defaults_to_the_last_event() -> None:
    world = _world(
        _event("2020-01-15", _effect(-1, "UKR")),
        _event("2020-05-02", _effect(0), slug="later"),
    )
    full = trajectories(world, TWELVE, start="2019-06")
    late = trajectories(world, TWELVE, start="2020-03")
    assert str(full["month"].values[-1])[:7] == "2020-05"
    assert late["beta"].values == pytest.approx(full["beta"].values[..., -3:], rel=1e-15)


def test_dataset_is_labelled() -> None:
    ds = trajectories(ONE_MAJOR_NEGATIVE, start="2020-01", end="2020-02", level=0.8)
    assert ds["mean"].dims == ("sample", "guarantor", "view", "month")
    assert set(ds.data_vars) == {"mean", "low", "high", "alpha", "beta"}
    assert ds["mean"].attrs["units"] == "probability"
    assert ds.attrs["level"] == 0.8
    assert "Josang" in ds.attrs["references"]
    assert ds["trust.half_life_months"].dims == ("sample",)
    assert {a.name for a in ASSUMPTIONS} <= set(ds.coords)


def test_views() -> None:
    events = umbrella.load_world().records["events"].values()
    views = protege_views(e for e in events if isinstance(e, Event))
    assert "UKR" in views
    assert views[-1] == OTHERS
    assert view_of("UKR", views) == "UKR"
    assert view_of("PRT", views) == OTHERS


# Vectorised over samples ---------------------------------------------------------------


def _samples(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {a.name: rng.uniform(a.low, a.high, n) for a in ASSUMPTIONS}


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_vectorised_equals_a_loop_over_samples(n: int, seed: int) -> None:
    world = umbrella.load_world()
    params = _samples(n, seed)
    together = trajectories(world, params, start="2024-06", end="2025-06")
    for i in range(n):
        alone = trajectories(
            world, {k: v[i : i + 1] for k, v in params.items()}, start="2024-06", end="2025-06"
        )
        for name in ("alpha", "beta", "mean", "low", "high"):
            assert together[name].values[i] == pytest.approx(alone[name].values[0], rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(
    st.integers(1, 4), st.integers(0, 2**32 - 1), st.sampled_from(["2025-02", "2025-03", "2026-07"])
)
def test_trust_state_equals_the_trajectory_at_the_end_of_the_month(
    n: int, seed: int, month: str
) -> None:
    world = umbrella.load_world()
    params = resolve(ASSUMPTIONS, _samples(n, seed))
    year, number = int(month[:4]), int(month[5:])
    as_of = (dt.date(year + number // 12, number % 12 + 1, 1)) - dt.timedelta(days=1)
    proteges = ["UKR", "EST", "POL", "FRA"]
    state = trust_state(world, params, as_of, ["USA", "GBR", "FRA"], proteges)
    ds = trajectories(world, params, start=month, end=month).isel(month=0)
    views = [view_of(p, list(ds["view"].values)) for p in proteges]
    at = ds.sel(view=views).transpose("sample", "guarantor", "view")
    assert isinstance(state, TrustState)
    assert state.as_of == as_of
    assert state.proteges == tuple(proteges)
    assert state.positive.shape == (n, 3, 4)
    assert state.prior_alpha.shape == (n, 3)
    alpha = state.prior_alpha[:, :, None] + state.positive
    beta = state.prior_beta[:, :, None] + state.negative
    assert alpha == pytest.approx(at["alpha"].values, rel=1e-12)
    assert beta == pytest.approx(at["beta"].values, rel=1e-12)
    assert state.mean() == pytest.approx(at["mean"].values, rel=1e-12)
    assert state.monthly_decay == pytest.approx(0.5 ** (1 / params["trust.half_life_months"]))


def test_trust_state_counts_only_events_up_to_its_date() -> None:
    before = trust_state(ONE_MAJOR_NEGATIVE, None, dt.date(2020, 1, 14), ["USA"], ["UKR"])
    on = trust_state(ONE_MAJOR_NEGATIVE, None, dt.date(2020, 1, 15), ["USA"], ["UKR"])
    assert before.negative[0, 0, 0] == 0.0
    assert on.negative[0, 0, 0] == 6.0
    a_year = trust_state(ONE_MAJOR_NEGATIVE, TWELVE, dt.date(2021, 1, 1), ["USA"], ["UKR"])
    assert a_year.negative[0, 0, 0] == pytest.approx(3.0, rel=1e-12)


# The shipped data ----------------------------------------------------------------------


def test_spring_2025_drop_in_trust_in_the_united_states(world: World) -> None:
    ds = trajectories(world, start="2025-02", end="2025-03").isel(sample=0)
    usa = ds["mean"].sel(guarantor="USA")
    drop_others = float(usa.sel(view=OTHERS)[0] - usa.sel(view=OTHERS)[1])
    drop_ukraine = float(usa.sel(view="UKR")[0] - usa.sel(view="UKR")[1])
    assert drop_others > 0.05
    assert drop_ukraine > drop_others


def test_docs_give_every_assumption_with_default_and_range() -> None:
    """docs/trust.md gives the hand values (the prior of the fit); docs/model.md the fitted
    ones, which the registry uses."""
    from umbrella.trust.assumptions import HAND

    text = (Path(__file__).parents[2] / "docs" / "trust.md").read_text(encoding="utf-8")
    for a in HAND:
        row = f"| `{a.name}` | {a.meaning} | {a.default:g} | {a.low:g}-{a.high:g} | {a.unit} |"
        assert row in text, row


# Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"guarantors": ("DEU",)}, "unknown guarantor 'DEU'"),
        ({"start": "2025-13"}, "start '2025-13': expected a month as YYYY-MM"),
        ({"end": "March"}, "end 'March'"),
        ({"start": "2025-05", "end": "2025-01"}, "start 2025-05 is after end 2025-01"),
        ({"level": 1.0}, "level"),
        ({"params": {"trust.spillover": [1.5]}}, re.escape("trust.spillover: must lie in [0, 1]")),
        ({"params": {"trust.prior_mean_usa": [1.0]}}, "prior_mean_usa"),
        ({"params": {"trust.half_life_months": [1, 2], "trust.spillover": [1, 2, 3]}}, "samples"),
    ],
)
def test_bad_input_raises_usage_error(kwargs: dict[str, object], message: str) -> None:
    params = kwargs.pop("params", None)
    with pytest.raises(UsageError, match=message):
        trajectories(ONE_MAJOR_NEGATIVE, params, **kwargs)  # type: ignore[arg-type]
