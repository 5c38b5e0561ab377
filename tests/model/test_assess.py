"""The assessment: shape, ranges, monotonicity of the mapping, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app
from umbrella.model import Assessment, assess, load_scenario
from umbrella.model import credibility as cred

runner = CliRunner()
GRID = np.linspace(0.0, 1.0, 9)


@pytest.fixture(scope="module")
def flagship() -> Assessment:
    return assess()


def test_flagship_dataset(flagship: Assessment) -> None:
    ds = flagship.dataset
    assert ds.option.values[0] == "status-quo"
    assert set(ds.option.values) >= {"uk-france-coordination", "european-arsenal"}
    assert ds.sizes["sample"] == 1
    assert ds.sizes["year"] == len(flagship.scenario.years)
    for name in ("deterrence", "combined_credibility", "trust", "conflict"):
        values = ds[name].values
        assert np.all((values >= 0) & (values <= 1)), name
    assert np.allclose(ds.population_weight.sum(), 1.0)
    assert "UKR" in ds.protege.values
    headline = flagship.headline()
    assert list(headline.index) == list(ds.option.values)
    assert headline.loc["status-quo", "change_vs_status_quo"] == 0.0


def _sweep(name: str, low: float, high: float) -> xr.Dataset:
    scenario = load_scenario()
    values = np.linspace(low, high, 7)
    return assess(scenario, {name: values}).dataset


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("trust.prior_mean_usa", 0.5, 0.95),
        ("trust.prior_mean_fra", 0.4, 0.95),
        ("trust.future_evidence_usa", -4.0, 2.0),
        ("depth.collective_defence", 0.1, 0.9),
        ("depth.extended_nuclear_deterrence", 0.0, 0.8),
        ("capability.sea", 0.3, 0.95),
        ("capability.air", 0.0, 0.8),
    ],
)
def test_more_trust_depth_or_capability_never_lowers_deterrence(
    name: str, low: float, high: float
) -> None:
    ds = _sweep(name, low, high)
    steps = ds["deterrence"].diff("sample")
    assert float(steps.min()) >= -1e-12, name
    assert float(ds["combined_credibility"].diff("sample").min()) >= -1e-12


def test_more_diversion_never_raises_ukraine_support() -> None:
    ds = _sweep("ukraine.diversion_share", 0.0, 0.9)
    assert float(ds["ukraine_support_eur_bn"].diff("sample").max()) <= 1e-12
    arsenal = ds["ukraine_negative_eur_bn"].sel(option="european-arsenal")
    assert float(arsenal.diff("sample").min()) >= 0.0
    assert float(arsenal.max()) > 0.0


def test_an_assumption_changes_the_numbers() -> None:
    base = assess().headline()
    sceptical = assess(
        assumptions={"trust.prior_mean_usa": 0.5, "trust.future_evidence_usa": -4.0}
    ).headline()
    assert (sceptical["deterrence_europe_2040"] <= base["deterrence_europe_2040"] + 1e-12).all()
    assert (sceptical["deterrence_europe_2040"] < base["deterrence_europe_2040"]).any()


@given(
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
    st.integers(0, 2),
    st.floats(0, 0.5),
    st.floats(0, 1),
)
def test_combination_is_monotone(c: list[float], which: int, bump: float, kappa: float) -> None:
    base = np.array([c])
    raised = base.copy()
    raised[0, which] = min(1.0, raised[0, which] + bump)
    k = np.array([kappa])
    low = cred.combine(cred.coordinate(base, k, (1, 2), axis=1), axis=1)
    high = cred.combine(cred.coordinate(raised, k, (1, 2), axis=1), axis=1)
    assert high[0] >= low[0] - 1e-12
    more = cred.combine(
        cred.coordinate(base, np.array([min(1.0, kappa + bump)]), (1, 2), axis=1), axis=1
    )
    assert more[0] >= low[0] - 1e-12


def test_assess_cli_prints_and_writes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "--json", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout[result.stdout.index("{") :])
    assert payload["options"][0]["option"] == "status-quo"
    with xr.open_dataset(tmp_path / "run" / "assessment.nc", engine="scipy") as stored:
        assert "deterrence" in stored
    assert (tmp_path / "run" / "headline.csv").exists()
    table = runner.invoke(app, ["assess"])
    assert table.exit_code == 0
    assert "status-quo" in table.stdout


def test_assess_cli_refuses_a_missing_scenario(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_assumptions_cli_lists_the_registry() -> None:
    result = runner.invoke(app, ["assumptions", "--json"])
    assert result.exit_code == 0
    names = {a["name"] for a in json.loads(result.stdout)}
    assert {
        "trust.half_life_months",
        "depth.collective_defence",
        "discount_rate",
        "option.european-arsenal.capex_eur_bn",
    } <= names


def test_every_assumption_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "model.md").read_text(encoding="utf-8")
    registry = load_scenario().registry
    missing = [n for n in registry if not n.startswith("option.") and f"`{n}`" not in docs]
    assert not missing, missing


def test_python_api() -> None:
    assert umbrella.assess is assess
