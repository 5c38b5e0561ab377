"""EMA Workbench interoperability: the same model, the same futures, the same outcomes."""

from __future__ import annotations

import warnings

import numpy as np

from umbrella.ema import as_model, to_ema
from umbrella.explore.ensemble import run_ensemble


def test_ema_model_reproduces_the_ensemble() -> None:
    run = run_ensemble(None, 24, seed=3, chunk_size=10, keep=True)
    assert run.futures is not None
    assert run.outcomes is not None
    experiments, outcomes = to_ema(run.futures, run.outcomes)
    assert len(experiments) == 24
    assert set(outcomes) >= {"holds_europe:status-quo", "npv_eur_bn:european-arsenal"}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import Scenario, SequentialEvaluator, perform_experiments

        model = as_model()
        rows = experiments.to_dict(orient="records")
        scenarios = [Scenario(**{str(k): v for k, v in row.items()}) for row in rows]
        with SequentialEvaluator(model) as evaluator:
            _, theirs = perform_experiments(model, scenarios, evaluator=evaluator)
    # Equal bit for bit: one future per call gives what a chunk of futures gives.
    for name, values in outcomes.items():
        np.testing.assert_array_equal(theirs[name], values, err_msg=name)


def test_single_option_model() -> None:
    model = as_model(option="uk-france-coordination")
    names = {o.name for o in model.outcomes}
    assert "holds_europe" in names
    assert len(model.uncertainties) > 20
