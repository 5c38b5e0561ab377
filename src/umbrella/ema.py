"""Interoperability with the EMA Workbench (exploratory modelling and analysis).

``as_model(scenario, option)`` wraps umbrella's model as an ``ema_workbench.Model`` whose
uncertainties are the scenario's varying assumptions and whose outcomes are umbrella's
summary outcomes, so that EMA users can run umbrella inside their own workflows (one future
per call, as EMA evaluates). ``to_ema(futures, outcomes)`` turns an umbrella run into EMA's
``(experiments, outcomes)`` pair for EMA's analysis tools.

Works with ema_workbench 2.5 (Python 3.11) and uses only API that 3.0 kept.
"""

from __future__ import annotations

import warnings
from importlib import import_module
from typing import Any

import numpy as np
import pandas as pd

from umbrella.assumptions import resolve
from umbrella.errors import UmbrellaError, UsageError
from umbrella.explore.sampling import uncertainties
from umbrella.model.evaluate import summarise, summary_outcomes
from umbrella.model.layout import layout
from umbrella.model.scenario import Scenario, load_scenario
from umbrella.types import PathLike

__all__ = ["as_model", "outcome_name", "to_ema"]


def outcome_name(outcome: str, option: str) -> str:
    """EMA outcome name of ``outcome`` for ``option``: ``holds_europe:status-quo``."""
    return f"{outcome}:{option}"


def as_model(scenario: Scenario | PathLike | None = None, option: str | None = None) -> Any:
    """umbrella's model as an ``ema_workbench.Model``.

    Parameters
    ----------
    scenario
        A scenario, a scenario file, or None for the flagship.
    option
        Report the outcomes of this option only (names as in ``SUMMARY_OUTCOMES``); None
        reports every option's, named ``outcome:option``.
    """
    ema = _ema()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    ids = [o.id for o in scenario.options]
    if option is not None and option not in ids:
        raise UsageError(f"unknown option '{option}'; the scenario's options: {', '.join(ids)}")
    grid = layout(scenario)
    registry = list(scenario.registry.values())

    def function(**values: float) -> dict[str, float]:
        params = resolve(registry, {k: np.array([v], dtype=np.float64) for k, v in values.items()})
        summary = summarise(scenario, grid, params)
        if option is not None:
            index = ids.index(option)
            return {k: float(v[0, index]) for k, v in summary.items()}
        return {
            outcome_name(k, o): float(v[0, i])
            for k, v in summary.items()
            for i, o in enumerate(ids)
        }

    # EMA accepts only letters and digits in a model's name.
    model = ema.Model(
        "".join(c for c in scenario.name if c.isalnum()) or "umbrella", function=function
    )
    model.uncertainties = [
        ema.IntegerParameter(a.name, int(a.low), int(a.high))
        if a.distribution == "discrete"
        else ema.RealParameter(a.name, a.low, a.high)
        for a in uncertainties(registry)
    ]
    outcomes = summary_outcomes(grid)
    names = (
        list(outcomes)
        if option is not None
        else [outcome_name(k, o) for k in outcomes for o in ids]
    )
    model.outcomes = [ema.ScalarOutcome(name) for name in names]
    return model


def to_ema(
    futures: pd.DataFrame, outcomes: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """An umbrella run's futures and outcomes in EMA's ``(experiments, outcomes)`` shape.

    Experiments keep one row per future (the uncertainties' values); outcomes are arrays
    named ``outcome:option``, aligned with the experiments' rows.
    """
    experiments = futures.sort_values("future").reset_index(drop=True)
    wide = outcomes.pivot(index="future", columns="option").sort_index()
    arrays = {
        outcome_name(str(column[0]), str(column[1])): wide[column].to_numpy()
        for column in wide.columns
    }
    return experiments.drop(columns=["future"]), arrays


def _ema() -> Any:
    try:
        with warnings.catch_warnings():
            # ema_workbench warns at import about optional evaluators it cannot offer.
            warnings.simplefilter("ignore")
            return import_module("ema_workbench")
    except ImportError:
        raise UmbrellaError(
            "ema_workbench is not installed; install it with: pip install 'umbrella[ema]'"
        ) from None
