"""RunStore.diff: metadata that differ, and outcome means per option."""

from __future__ import annotations

import pytest

from tests.store.chunks import OPTIONS, make_chunk, new_run, write_all
from umbrella.store import RunStore, StoreError


def test_diff_reports_changed_metadata_and_mean_differences(store: RunStore) -> None:
    a = new_run(store)
    write_all(store, a)
    b = new_run(store, seed=8, sampler="sobol")
    write_all(store, b, shift=0.5)
    diff = store.diff(a, b)
    assert (diff["a"], diff["b"]) == (a, b)
    assert diff["metadata"] == {"seed": {"a": 7, "b": 8}, "sampler": {"a": "lhs", "b": "sobol"}}
    _, outcomes = store.load(a)
    means = outcomes.groupby("option")[["deterrence_prob", "cost_eur_bn"]].mean()
    assert [(c["option"], c["outcome"]) for c in diff["outcomes"]] == [
        (option, outcome) for option in OPTIONS for outcome in ("deterrence_prob", "cost_eur_bn")
    ]
    for change in diff["outcomes"]:
        assert change["mean_a"] == pytest.approx(means.loc[change["option"], change["outcome"]])
        assert change["mean_a"] is not None
        assert change["mean_b"] == pytest.approx(change["mean_a"] + 0.5)
        assert change["difference"] == pytest.approx(0.5)


def test_diff_of_a_run_with_itself_is_empty(store: RunStore) -> None:
    a = new_run(store)
    write_all(store, a)
    diff = store.diff(a, a)
    assert diff["metadata"] == {}
    assert {c["difference"] for c in diff["outcomes"]} == {0.0}


def test_options_only_one_run_has_get_no_mean_on_the_other_side(store: RunStore) -> None:
    a = new_run(store)
    write_all(store, a)
    b = new_run(store, n_samples=50, options=["status_quo", "european_deterrent"])
    futures, outcomes = make_chunk(0)
    outcomes["option"] = outcomes["option"].replace({"french_umbrella": "european_deterrent"})
    store.write_chunk(b, 0, futures, outcomes)
    store.finish_run(b)
    diff = store.diff(a, b)
    assert diff["metadata"]["options"] == {
        "a": ["status_quo", "french_umbrella"],
        "b": ["status_quo", "european_deterrent"],
    }
    by_option = {(c["option"], c["outcome"]): c for c in diff["outcomes"]}
    assert by_option["french_umbrella", "cost_eur_bn"]["mean_b"] is None
    assert by_option["french_umbrella", "cost_eur_bn"]["difference"] is None
    assert by_option["european_deterrent", "cost_eur_bn"]["mean_a"] is None
    assert by_option["status_quo", "cost_eur_bn"]["difference"] is not None


def test_nan_outcomes_are_left_out_of_means(store: RunStore) -> None:
    run_id = new_run(store, n_samples=50)
    futures, outcomes = make_chunk(0)
    outcomes.loc[outcomes["option"] == "status_quo", "cost_eur_bn"] = float("nan")
    outcomes.loc[outcomes.index[1], "deterrence_prob"] = float("nan")
    store.write_chunk(run_id, 0, futures, outcomes)
    store.finish_run(run_id)
    by_option = {(c["option"], c["outcome"]): c for c in store.diff(run_id, run_id)["outcomes"]}
    assert by_option["status_quo", "cost_eur_bn"]["mean_a"] is None
    want = outcomes.groupby("option")["deterrence_prob"].mean()["french_umbrella"]
    assert by_option["french_umbrella", "deterrence_prob"]["mean_a"] == pytest.approx(want)


def test_diff_needs_complete_runs(store: RunStore) -> None:
    a = new_run(store)
    write_all(store, a)
    b = new_run(store)
    store.write_chunk(b, 0, *make_chunk(0))
    with pytest.raises(StoreError, match=f"run {b} is running .*only complete runs"):
        store.diff(a, b)
