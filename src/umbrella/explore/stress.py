"""Stress tests: every option's headline as the scenario assumes it and under each stress.

A stress (``stresses`` in docs/scenarios.md) is something no option controls: the United
States leaving NATO, a ceasefire in Ukraine, a French or British reversal. The scenario
fixes each at a year after the horizon (it does not happen) and may name a ``test_year``.
:func:`stress_tests` evaluates the options on the default ensemble once as assumed and
once per tested stress, that stress fixed at its test year and every other assumption as
the scenario has it, so that a reader sees side by side what each option is worth if the
stress comes. The same seed draws the same futures when the stress adds no uncertainty (a
US exit); a stress that adds one (the flow of a reversal, the resolve of a ceasefire)
widens the design, and then its futures are a fresh draw of the same size.

>>> import umbrella
>>> from umbrella.explore.stress import stress_tests
>>> table = stress_tests(umbrella.load_scenario(), samples=200, only=["us-exit"])
>>> sorted(set(table["stress"]))
['none', 'us-exit']
>>> quo = table.set_index(["stress", "option"]).loc[:, "holds_europe"]
>>> bool(quo["us-exit", "status-quo"] < quo["none", "status-quo"])
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits

from umbrella.assumptions import resolve
from umbrella.errors import UsageError
from umbrella.explore.headline import DEFAULT_SAMPLES, DEFAULT_SEED, headline_of
from umbrella.explore.memory import keep_freed_memory
from umbrella.explore.sampling import Sampler, draw, uncertainties
from umbrella.model.evaluate import summarise
from umbrella.model.layout import layout
from umbrella.model.scenario import Scenario, with_stresses
from umbrella.settings import LEAN_CHUNK_SIZE, check_run_settings

__all__ = ["AS_ASSUMED", "STRESS_CHUNK", "stress_test_years", "stress_tests"]

AS_ASSUMED = "none"
"""The ``stress`` label of the rows where no stress is fixed (the scenario as given)."""

STRESS_CHUNK = LEAN_CHUNK_SIZE
"""Futures evaluated at once (the figures do not depend on it)."""


def stress_test_years(scenario: Scenario, only: Sequence[str] | None = None) -> dict[str, int]:
    """The stresses to test and their test years: those with a ``test_year``, or ``only``."""
    years = {s.id: s.test_year for s in scenario.stresses if s.test_year is not None}
    if only is None:
        return years
    known = {s.id for s in scenario.stresses}
    for name in only:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise UsageError(f"stress {name}: unknown; this scenario's stresses: {listed}")
        if name not in years:
            raise UsageError(
                f"stress {name}: no test_year in the scenario; fix a year with --stress {name}:YEAR"
            )
    return {name: years[name] for name in only}


def stress_tests(
    scenario: Scenario,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    sampler: Sampler = "lhs",
    only: Sequence[str] | None = None,
    as_assumed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each option's headline figures as assumed and under each tested stress.

    Returns one row per (stress, option): ``stress`` (:data:`AS_ASSUMED` for the scenario as
    given), ``year`` (the test year; missing as assumed), ``label`` and ``description`` (the
    stress's), ``option`` and ``name`` (the option's) and every column of
    :func:`umbrella.explore.headline.headline` (means with 10th and 90th percentiles,
    ``change_vs_status_quo`` within the same futures), on ``samples`` futures drawn from
    ``seed`` with ``sampler``. ``as_assumed`` is the headline already computed for the
    scenario on those futures, to reuse.
    """
    options = [o.id for o in scenario.options]
    years: Mapping[str, int] = stress_test_years(scenario, only)
    if as_assumed is None:
        as_assumed = _headline(scenario, options, samples, seed, sampler)
    stresses = {s.id: s for s in scenario.stresses}
    names = {o.id: o.name for o in scenario.options}
    tables = [_labelled(as_assumed, AS_ASSUMED, None, "as assumed", "as the scenario assumes")]
    for name, year in years.items():
        stressed = with_stresses(scenario, {name: year})
        table = _headline(stressed, options, samples, seed, sampler)
        stress = stresses[name]
        tables.append(_labelled(table, name, year, stress.label, stress.description))
    # Only the headline's own columns (an assessment's table adds central-future figures).
    columns = list(tables[-1].columns)
    result = pd.concat([t[columns] for t in tables], ignore_index=True)
    result.insert(columns.index("option") + 1, "name", result["option"].map(names))
    return result


def _headline(
    scenario: Scenario, options: list[str], samples: int, seed: int, sampler: Sampler
) -> pd.DataFrame:
    """The headline table of ``samples`` futures of ``scenario`` from ``seed``: each chunk
    drawn and evaluated as a run's chunk is (:func:`umbrella.explore.ensemble.evaluate_chunk`),
    and only its summary outcomes kept, as arrays."""
    check_run_settings(samples, seed, STRESS_CHUNK, None, None)
    grid = layout(scenario)
    varying = uncertainties(scenario.registry.values())
    names = [a.name for a in varying]
    columns: dict[str, npt.NDArray[np.float64]] = {}
    keep_freed_memory()  # as a run does: the chunks' arrays are reused, not mapped afresh
    # One BLAS thread, as in a run (the model's matrix products are tiny).
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, samples, STRESS_CHUNK):
            stop = min(start + STRESS_CHUNK, samples)
            futures = draw(varying, start, stop, seed, sampler)
            sampled = futures[names].to_numpy(dtype=np.float64).T
            params = resolve(scenario.registry.values(), dict(zip(names, sampled, strict=True)))
            for name, values in summarise(scenario, grid, params).items():  # (future, option)
                if name not in columns:
                    columns[name] = np.empty((samples, len(options)))
                columns[name][start:stop] = values
    return headline_of(columns, options)


def _labelled(
    table: pd.DataFrame, stress: str, year: int | None, label: str, text: str
) -> pd.DataFrame:
    front = pd.DataFrame(
        {
            "stress": stress,
            "year": pd.array([year] * len(table), dtype="Int64"),
            "label": label,
            "description": text,
            "option": table.index.astype(str),
        }
    )
    body = table.drop(columns=[c for c in ("name",) if c in table.columns])
    return pd.concat([front, body.reset_index(drop=True)], axis=1)
