"""``assess``: a scenario's options on its central future and on the default ensemble.

The figures to quote are the ensemble's (:func:`umbrella.explore.headline.headline`: mean
and 10th-90th percentiles over ``samples`` futures drawn from ``seed``), the same numbers
that ``umbrella run`` and ``umbrella brief`` print for the same scenario, number of futures
and seed. The central future (every assumption at its default) is kept beside them, labelled
per protege (:func:`umbrella.model.central.central`), to show where each figure comes from.

>>> import umbrella
>>> a = umbrella.assess(samples=200)
>>> table = a.headline()
>>> bool(0.0 < table.loc["status-quo", "holds_europe"] < 1.0)
True
>>> a.dataset["fails"].dims
('option', 'protege', 'year')
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import xarray as xr

from umbrella.explore.ensemble import RunSummary, prepare, run_ensemble
from umbrella.explore.headline import DEFAULT_SAMPLES, DEFAULT_SEED, headline
from umbrella.model.central import central
from umbrella.model.scenario import Scenario, load_scenario
from umbrella.types import PathLike

__all__ = ["Assessment", "assess"]


@dataclass(frozen=True)
class Assessment:
    """A scenario's options: the ensemble's headline and the labelled central future."""

    scenario: Scenario
    dataset: xr.Dataset  # the central future, dims (option, guarantor, protege, year)
    ensemble: RunSummary  # futures and outcomes kept in memory
    samples: int
    seed: int

    def headline(self) -> pd.DataFrame:
        """Per option: each headline outcome's mean and 10th-90th percentiles over the
        ensemble, then the central future's ``holds_europe`` and the years to effect."""
        outcomes = self.ensemble.outcomes
        assert outcomes is not None  # assess keeps them
        options = [str(o) for o in self.dataset.option.values]
        table = headline(outcomes, options)
        last = self.dataset.year.values[-1]
        ds = self.dataset
        table["holds_europe_central"] = ds["holds_europe"].sel(year=last).to_numpy()
        table["npv_eur_bn_central"] = ds["npv_eur_bn"].to_numpy()
        for field in ("years_to_first_effect", "years_to_full_effect"):
            table[field] = [self.scenario.option_field(o, field) for o in options]
        table.insert(0, "name", ds.option_name.to_numpy())
        return table

    def to_dataframe(self) -> pd.DataFrame:
        """The central future's option-year outcomes as a long DataFrame."""
        variables = [
            "holds_europe",
            "no_challenge_europe",
            "rebuffed_europe",
            "fails_europe",
            "spending_eur_bn",
            "proliferation",
            "ukraine_support_eur_bn",
            "effect_share",
        ]
        return self.dataset[variables].to_dataframe().reset_index()

    def _repr_html_(self) -> str:
        """A short HTML summary for notebooks: the scenario, the ensemble, the headline."""
        years = self.dataset.year.values
        facts = [
            ("scenario", f"{self.scenario.name}: {self.scenario.title}"),
            ("years", f"{int(years[0])}-{int(years[-1])}"),
            ("samples", f"{self.samples:,}"),
            ("seed", str(self.seed)),
        ]
        return _summary_html("Assessment", facts, _headline_html(self.headline()))


def assess(
    scenario: Scenario | PathLike | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """Assess every option of ``scenario`` (the flagship if None).

    Runs the ensemble of ``samples`` futures from ``seed`` in memory (the default ensemble
    of ``umbrella run`` and ``umbrella brief`` too) and the central future. ``progress`` is
    called with (futures done, futures in all) after each chunk of the ensemble; an
    exception it raises stops the assessment there.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    ensemble = run_ensemble(scenario, samples, seed, keep=True, progress=progress)
    grid = prepare(scenario)  # the layout the ensemble used, kept: not built again
    return Assessment(
        scenario=scenario,
        dataset=central(scenario, grid),
        ensemble=ensemble,
        samples=samples,
        seed=seed,
    )


_HTML_COLUMNS = (
    ("holds_europe", "holds (Europe)", 3),
    ("fails_europe", "fails (Europe)", 3),
    ("change_vs_status_quo", "change vs status quo", 3),
    ("npv_eur_bn", "NPV (EUR bn)", 0),
)


def _headline_html(table: pd.DataFrame) -> str:
    """A headline table as HTML: a few outcomes, each mean with its 10th-90th percentiles."""
    shown = pd.DataFrame(index=table.index)
    if "name" in table.columns:
        shown["name"] = table["name"]
    for column, label, digits in _HTML_COLUMNS:
        if column in table.columns:
            shown[label] = [
                f"{_fixed(mean, digits)} ({_fixed(low, digits)}–{_fixed(high, digits)})"
                for mean, low, high in zip(
                    table[column], table[f"{column}_p10"], table[f"{column}_p90"], strict=True
                )
            ]
    note = "<p>Each figure: the mean over the futures, with its 10th-90th percentiles.</p>"
    return note + shown.to_html(escape=True, border=0)


def _fixed(value: float, digits: int) -> str:
    return f"{round(float(value), digits) + 0.0:.{digits}f}"  # + 0.0: never "-0.000"


def _summary_html(kind: str, facts: Sequence[tuple[str, str]], body: str) -> str:
    """A titled list of facts (escaped here) above ``body`` (HTML, escaped by its maker)."""
    rows = "".join(
        f'<tr><th style="text-align:left">{html.escape(name)}</th>'
        f'<td style="text-align:left">{html.escape(value)}</td></tr>'
        for name, value in facts
    )
    return (
        f'<div class="umbrella-{html.escape(kind.lower())}"><strong>{html.escape(kind)}</strong>'
        f"<table>{rows}</table>{body}</div>"
    )
