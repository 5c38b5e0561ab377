"""Stress tests: the options as assumed and under each stress at its test year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from umbrella.errors import UsageError
from umbrella.explore.ensemble import run_ensemble
from umbrella.explore.headline import headline
from umbrella.explore.sampling import Sampler, uncertainties
from umbrella.explore.stress import AS_ASSUMED, stress_test_years, stress_tests
from umbrella.model.scenario import flagship_path, load_scenario, with_stresses


def test_the_flagship_tests_each_stress_at_its_year() -> None:
    assert stress_test_years(load_scenario()) == {
        "us-exit": 2030,
        "ukraine-ceasefire": 2027,
        "france-reversal": 2027,
        "uk-reversal": 2029,
    }


@pytest.mark.parametrize(
    ("only", "message"),
    [(["moon-landing"], "unknown"), (["us-exit", "nope"], "unknown")],
)
def test_an_unknown_stress_is_refused(only: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        stress_test_years(load_scenario(), only)


def test_a_stress_without_a_test_year_is_not_tested(tmp_path: Path) -> None:
    text = flagship_path().read_text(encoding="utf-8").replace("    test_year: 2030\n", "")
    path = tmp_path / "untested.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)

    assert "us-exit" not in stress_test_years(scenario)
    with pytest.raises(UsageError, match="no test_year"):
        stress_test_years(scenario, ["us-exit"])


def test_an_exit_draws_the_same_futures_as_assumed() -> None:
    flagship = load_scenario()
    stressed = with_stresses(flagship, {"us-exit": 2030})

    def names(s: object) -> list[str]:
        return [a.name for a in uncertainties(s.registry.values())]  # type: ignore[attr-defined]

    assert names(stressed) == names(flagship)


def test_rows_per_stress_and_option_with_changes_in_the_same_futures() -> None:
    flagship = load_scenario()
    table = stress_tests(flagship, samples=300, only=["us-exit"])

    options = [o.id for o in flagship.options]
    assert list(table["stress"]) == [AS_ASSUMED] * len(options) + ["us-exit"] * len(options)
    assert list(table["option"]) == options * 2
    quo = table[table["option"] == options[0]]
    assert (quo["change_vs_status_quo"] == 0.0).all()
    rows = {(str(r["stress"]), str(r["option"])): r for r in table.to_dict("records")}
    for option in options:
        by_hand = float(rows["us-exit", option]["holds_europe"]) - float(
            rows["us-exit", options[0]]["holds_europe"]
        )
        assert float(rows["us-exit", option]["change_vs_status_quo"]) == pytest.approx(by_hand)
    assert int(rows["us-exit", options[0]]["year"]) == 2030


@pytest.mark.parametrize(("samples", "sampler"), [(1_300, "lhs"), (700, "sobol")])
def test_the_figures_are_those_of_the_whole_ensemble_kept(samples: int, sampler: Sampler) -> None:
    """Chunk by chunk, keeping only the outcomes: the same table, bit for bit, as the
    headline of the ensemble kept whole in chunks of the default size."""
    flagship = load_scenario()
    options = [o.id for o in flagship.options]
    for scenario in (flagship, with_stresses(flagship, {"france-reversal": 2027})):
        kept = run_ensemble(scenario, samples, 11, sampler=sampler, keep=True).outcomes
        assert kept is not None
        expected = headline(kept, options)
        got = stress_tests(
            scenario, samples=samples, seed=11, sampler=sampler, only=[], as_assumed=None
        )
        got = got.drop(columns=["stress", "year", "label", "description", "name"])
        pd.testing.assert_frame_equal(
            got.set_index("option"), expected.rename_axis("option"), check_exact=True
        )
