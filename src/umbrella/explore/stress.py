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

import pandas as pd

from umbrella.errors import UsageError
from umbrella.explore.ensemble import run_ensemble
from umbrella.explore.headline import DEFAULT_SAMPLES, DEFAULT_SEED, headline
from umbrella.explore.sampling import Sampler
from umbrella.model.scenario import Scenario, with_stresses

__all__ = ["AS_ASSUMED", "stress_test_years", "stress_tests"]

AS_ASSUMED = "none"
"""The ``stress`` label of the rows where no stress is fixed (the scenario as given)."""


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
    outcomes = run_ensemble(scenario, samples, seed, sampler=sampler, keep=True).outcomes
    assert outcomes is not None  # kept
    return headline(outcomes, options)


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
