"""What a brief says, as tables: every number in it comes from here.

:func:`findings` reads one run (its futures and every option's outcomes on them), evaluates
the full model on a subsample of the run's futures for the series by year and by country
that the run does not keep, and gathers the sourced facts of the world dataset the brief
quotes. Each table names where its numbers come from: a source id of the world dataset or
the run id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from umbrella.explore import pathways as explore_pathways
from umbrella.explore.assessment import Assessment
from umbrella.explore.headline import headline
from umbrella.explore.run import SATISFICING, Run
from umbrella.explore.sampling import uncertainties
from umbrella.explore.signposts import NEAR_MARGIN, SignpostReport, evaluate, signposts
from umbrella.explore.stress import stress_tests
from umbrella.explore.tradeoffs import objective_values, tradeoffs_from_values
from umbrella.explore.voi import VoiResult, run_voi
from umbrella.model.central import labelled
from umbrella.trust import trajectories

__all__ = [
    "FAIL_BELOW",
    "NEAR_WINDOW",
    "SECONDARY_MARK",
    "WATCH_GROUPS",
    "WHAT_IF_FUTURES",
    "Findings",
    "Watch",
    "WhatIfFindings",
    "findings",
    "spread",
    "what_if_findings",
]

FAIL_BELOW = SATISFICING
"""An option fails in a future where the probability that deterrence holds through the
horizon, Europe-wide, is below this (the satisficing threshold of the robustness table)."""

SECONDARY_MARK = "\u2020"
"""Follows the citation of a figure that rests on a re-report alone (no primary reference
verified)."""

DETAIL_FUTURES = 256
"""Futures of the run evaluated with the full model for the series by year and country."""
DETAIL_CHUNK = 64
"""Detail futures evaluated at once: the full model's labelled output is about 0.6 MB a
future, most of it series the brief does not read. A multiple of the width of the model's
vectorised loops, so that the series are the same, bit for bit, as from one evaluation."""
DETAIL_SERIES = (
    "holds",
    "credibility",
    "ukraine_support_eur_bn",
    "ukraine_positive_eur_bn",
    "ukraine_negative_eur_bn",
)
"""The series of the detail futures the brief reads (with the coordinates of the model's)."""
WHAT_IF_FUTURES = DETAIL_CHUNK
"""Detail futures of a what-if (:func:`what_if_findings`, the web page's figures): the first
of its assessment's own futures. One chunk, so that its figures answer in a tenth of a
second, as a slider moves; the brief evaluates :data:`DETAIL_FUTURES`."""
WATCH_GROUPS = 3
"""Assumption groups the brief lists by their value of information, largest first."""
VOI_DRAWS = 0
"""Posterior draws behind each EVPPI's interval in the brief: none. The estimates are the
same with or without them (the draws only give the interval, ``umbrella explore --voi``
prints it); without them the value of information costs the brief seconds, not minutes."""


@dataclass(frozen=True)
class Watch:
    """What to do now and what to watch: the leading option (an option, a portfolio or a
    pathway) and its parts, its signposts read against today's evidence, a pathway's own
    signposts read the same way, and the value of information of the run's decision.

    ``signposts`` is :func:`umbrella.explore.signposts.signposts` of the run for the leading
    option; ``steps`` (``option``, ``assumption``, ..., as :func:`~umbrella.explore.signposts.
    evaluate` gives it, a row per step of a pathway that waits for a signpost, the step's
    option in ``option``) and ``unread_steps`` (the steps whose signpost the dataset cannot
    show) read a pathway's ``when`` conditions as triggers; ``voi`` is
    :func:`umbrella.explore.voi.run_voi` of the run (no cost weight); ``staged`` says whether
    the scenario has any portfolio or pathway. ``pathways`` has a row per part of each of the
    scenario's pathways (:func:`_pathways`): what the pathway map draws."""

    option: str
    kind: str  # "option", "portfolio" or "pathway"
    parts: list[dict[str, Any]]  # option, delay, scale, when (assumption, below, value, read_by)
    signposts: SignpostReport
    steps: pd.DataFrame
    unread_steps: pd.DataFrame
    voi: VoiResult
    staged: bool
    pathways: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Findings:
    """Everything a brief reports, with its provenance."""

    run: Run
    run_id: str
    provenance: dict[str, str]
    headline: pd.DataFrame  # the headline table of assess and run, from the same futures
    options: pd.DataFrame  # per option: names, estimates with ranges, ranks
    robustness: pd.DataFrame
    rules: dict[str, str]  # rule -> most robust option
    leading: str  # option id
    runner_up: str
    lead_share: float  # share of futures where the leading option beats the runner-up
    forces: pd.DataFrame
    trust: pd.DataFrame
    events: pd.DataFrame
    quotes: pd.DataFrame
    ukraine: pd.DataFrame  # year x option: total, low, high, positive, negative
    tiles: pd.DataFrame
    sobol: pd.DataFrame
    prim: dict[str, Any]
    stresses: pd.DataFrame  # per stress tested (and as assumed) and option: the headline
    assumptions: pd.DataFrame
    pivot: dict[str, Any]  # the assumption that decides most which of the top two leads
    by_year: pd.DataFrame  # option x year: Europe's holds through each year, detail futures
    value: pd.DataFrame  # per option but the status quo: change per EUR bn, with ranges
    sharing: pd.DataFrame  # weapons kept on other states' territory (deployments)
    watch: Watch  # the leading option's parts, signposts and the value of information
    # Per option: the trade-off table of umbrella.explore.tradeoffs.tradeoffs (the share of
    # futures in which it is Pareto-efficient, each objective's mean and percentiles).
    tradeoffs: pd.DataFrame = field(default_factory=pd.DataFrame)
    cited: list[str] = field(default_factory=list)  # source ids, in order of first use

    def cite(self, *source_ids: str) -> str:
        """Citation marks for sources, remembered for the bibliography. A mark is followed
        by a dagger where the figure rests on a re-report whose original publication could
        not be verified (:data:`SECONDARY_MARK`)."""
        world = self.run.scenario.world
        marks = []
        for source in source_ids:
            if source not in self.cited:
                self.cited.append(source)
            record = world.source(source)
            unverified = record.kind == "secondary" and record.primary != "verified"
            marks.append(f"[{source}]{SECONDARY_MARK if unverified else ''}")
        return " ".join(marks)

    @property
    def run_mark(self) -> str:
        """The citation mark of the run."""
        return f"[run {self.run_id}]"

    @cached_property
    def rows(self) -> dict[str, dict[str, Any]]:
        """The options table as option id -> column -> value."""
        return {
            str(k): {str(c): v for c, v in row.items()}
            for k, row in self.options.to_dict("index").items()
        }

    def name(self, option: str) -> str:
        return str(self.rows[option]["name"])


def spread(row: dict[str, Any], short: str) -> tuple[float, float, float]:
    """Mean, low and high of one outcome in a row of :attr:`Findings.rows`."""
    return float(row[f"{short}_mean"]), float(row[f"{short}_low"]), float(row[f"{short}_high"])


def findings(
    run: Run,
    *,
    sobol_base: int = 256,
    detail_futures: int = DETAIL_FUTURES,
    phase: Callable[[str], None] | None = None,
) -> Findings:
    """Gather the brief's tables from ``run``; ``phase`` is called with the name of each
    phase as it starts (those of :data:`umbrella.report.build.PHASES` after the run)."""
    announce = phase or (lambda name: None)
    announce("robustness and scenario discovery")
    scenario = run.scenario
    futures, outcomes = run.data()
    # Futures x options of the headline outcome: what the lead and PRIM read.
    europe = outcomes.pivot(index="future", columns="option", values="holds_europe")
    ids = [o.id for o in scenario.options]
    status_quo = ids[0]
    robust = _robustness(run)
    rules = run.most_robust(robust)
    figures = headline(outcomes, ids)
    table = _options_table(scenario, figures, robust)
    leading, runner_up = _top_two(table, status_quo)
    lead_share = float(np.mean(europe[leading] > europe[runner_up]))
    discovered = _prim(run, leading, europe)
    value = _value_for_money(outcomes, ids, table)
    pivot = _pivot(scenario, futures, europe, leading, runner_up)
    chosen = _first(futures, detail_futures)
    # Part of scenario discovery's phase: about a second at the default 10,000 futures (a
    # phase of its own would change the phases tests/cli/test_progress.py counts).
    watch = _watch(run, leading, _pathways(scenario, futures, europe))
    trade = _tradeoffs(run)
    # Everything else that reads the run's futures is done: free them before the model runs
    # again (the detail futures, Sobol's design, the stress tests) and the brief is drawn.
    del futures, outcomes, europe
    run.forget_data()
    announce("detail futures by year and country")
    detail = _detail(run, chosen)
    announce("sensitivity (Sobol)")
    sobol = _sobol(run, leading, sobol_base)
    announce("stress tests")
    stresses = _stresses(run, figures, detail)
    return Findings(
        run=run,
        run_id=run.run_id or "unstored",
        provenance=_provenance(run),
        headline=figures,
        options=table,
        robustness=robust,
        rules=rules,
        leading=leading,
        runner_up=runner_up,
        lead_share=lead_share,
        forces=_forces(scenario),
        trust=_trust(scenario),
        events=_events(scenario),
        quotes=_quotes(scenario),
        ukraine=_ukraine(detail, table),
        tiles=_tiles(scenario, detail, leading, table),
        sobol=sobol,
        prim=discovered,
        stresses=stresses,
        assumptions=_assumptions(scenario),
        pivot=pivot,
        by_year=_by_year(detail, table),
        value=value,
        sharing=_sharing(scenario),
        watch=watch,
        tradeoffs=trade,
    )


def _tradeoffs(run: Run) -> pd.DataFrame:
    """The trade-off table of the run's futures and outcomes as read for the brief (that of
    ``umbrella explore --pareto``, :func:`umbrella.explore.tradeoffs.tradeoffs`): per
    option in the scenario's order, the share of futures in which no other option is at
    least as good on every objective of :data:`~umbrella.explore.tradeoffs.OBJECTIVES` and
    better on one, and each objective's mean and 10th-90th percentiles."""
    return tradeoffs_from_values(objective_values(run))


PATHWAY_COLUMNS = (
    "pathway",
    "part",
    "start",
    "end",
    "assumption",
    "below",
    "threshold",
    "read_by",
    "fired",
    "holds",
)
"""The columns of :attr:`Watch.pathways`."""


def _pathways(scenario: Any, futures: pd.DataFrame, europe: pd.DataFrame) -> pd.DataFrame:
    """A row per part of each pathway (an option with a part that waits for a signpost):
    ``pathway`` and ``part`` (option ids), ``start`` (the year the part starts: its option's
    own start year at the assumptions' default plus its delay, or, with a signpost, the year
    the signpost is read plus the delay), ``end`` (the horizon), the signpost (``assumption``,
    ``below``, ``threshold``, ``read_by``; empty, and ``read_by`` the start year, for a part
    that waits for none), ``fired`` (the share of the run's futures in which the part
    starts; 1 for a part that waits for none) and ``holds`` (the pathway's mean
    ``holds_europe`` over the futures, the deterrence it achieves through the horizon).
    The steps are :func:`umbrella.explore.pathways.steps`, as ``explore --pathways`` has them."""
    rows: list[dict[str, Any]] = []
    for step in explore_pathways.steps(scenario, futures).to_dict("records"):
        waits = bool(step["assumption"])
        rows.append(
            {
                "pathway": step["pathway"],
                "part": step["option"],
                "start": int(step["start"]),
                "end": int(scenario.horizon),
                "assumption": step["assumption"],
                "below": step["bound"] == "below",
                "threshold": float(step["threshold"]) if waits else 0.0,
                "read_by": int(step["read_by"]) if waits else int(step["start"]),
                "fired": float(step["fired"]),
                "holds": float(europe[step["pathway"]].mean()),
            }
        )
    return pd.DataFrame(rows, columns=list(PATHWAY_COLUMNS))


def _watch(run: Run, leading: str, pathways: pd.DataFrame | None = None) -> Watch:
    """The leading option's parts, its signposts (those of ``umbrella signposts``), a
    pathway's own signposts read as triggers on today's evidence, and the run's value of
    information (that of ``umbrella explore --voi``)."""
    scenario = run.scenario
    spec = next(o for o in scenario.options if o.id == leading)
    parts: list[dict[str, Any]] = [
        {
            "option": part.option,
            "delay": float(part.delay),
            "scale": float(part.scale),
            "when": None
            if part.trigger is None
            else {
                "assumption": part.trigger.assumption,
                "below": bool(part.trigger.below),
                "value": float(part.trigger.threshold),
                "read_by": int(part.trigger.read_by),
            },
        }
        for part in spec.components
    ]
    waiting = [p for p in parts if p["when"] is not None]
    kind = "pathway" if waiting else "portfolio" if parts else "option"
    report = signposts(run, options=[leading])
    # A pathway's step waits for a signpost of its own: read it as the signposts of failure
    # are read, as a trigger on today's evidence (fired where the evidence lies past it).
    boxes = {
        str(p["option"]): pd.DataFrame(
            {
                "uncertainty": [p["when"]["assumption"]],
                "low": [-np.inf if p["when"]["below"] else p["when"]["value"]],
                "high": [p["when"]["value"] if p["when"]["below"] else np.inf],
            }
        )
        for p in waiting
    }
    ranges = {name: (a.low, a.high) for name, a in scenario.registry.items()}
    read_by = {str(p["option"]): int(p["when"]["read_by"]) for p in waiting}
    steps, unread = evaluate(boxes, report.observations, ranges, read_by, NEAR_MARGIN)
    return Watch(
        option=leading,
        kind=kind,
        parts=parts,
        signposts=report,
        steps=steps,
        unread_steps=unread,
        voi=run_voi(run, draws=VOI_DRAWS),
        staged=any(o.components for o in scenario.options),
        pathways=pd.DataFrame(columns=list(PATHWAY_COLUMNS)) if pathways is None else pathways,
    )


@dataclass(frozen=True)
class WhatIfFindings:
    """The tables behind the brief's charts of the model's results and of the dataset, for a
    what-if assessment rather than a run: the same columns as :class:`Findings`' (the
    options table, the leading option, forces, trust, events, support to Ukraine, the map's
    tiles, holds by year, value for money), from the same functions. The series by year and
    country come from the first :data:`WHAT_IF_FUTURES` of the assessment's futures."""

    headline: pd.DataFrame
    options: pd.DataFrame
    leading: str
    forces: pd.DataFrame
    trust: pd.DataFrame
    events: pd.DataFrame
    ukraine: pd.DataFrame
    tiles: pd.DataFrame
    by_year: pd.DataFrame
    value: pd.DataFrame
    detail_futures: int

    def name(self, option: str) -> str:
        return str(self.options.loc[option, "name"])


def what_if_findings(
    assessment: Assessment, *, detail_futures: int = WHAT_IF_FUTURES
) -> WhatIfFindings:
    """The chart tables of ``assessment`` (:func:`umbrella.explore.assessment.assess`): its
    futures and outcomes read as a run kept in memory is read, and the full model evaluated
    on the first ``detail_futures`` of its futures, as :func:`findings` does for a run's."""
    run = Run(
        scenario=assessment.scenario,
        seed=assessment.seed,
        n_samples=assessment.samples,
        run_id=None,
        store=None,
        summary=assessment.ensemble,
    )
    scenario = run.scenario
    futures, outcomes = run.data()
    ids = [o.id for o in scenario.options]
    figures = headline(outcomes, ids)
    table = _options_table(scenario, figures, _robustness(run))
    leading, _ = _top_two(table, ids[0])
    chosen = _first(futures, detail_futures)
    detail = _detail(run, chosen)
    return WhatIfFindings(
        headline=figures,
        options=table,
        leading=leading,
        forces=_forces(scenario),
        trust=_trust(scenario),
        events=_events(scenario),
        ukraine=_ukraine(detail, table),
        tiles=_tiles(scenario, detail, leading, table),
        by_year=_by_year(detail, table),
        value=_value_for_money(outcomes, ids, table),
        detail_futures=len(chosen),
    )


def _robustness(run: Run) -> pd.DataFrame:
    """The robustness table of the headline outcome, failing below :data:`FAIL_BELOW`."""
    return run.robustness("holds_europe", {"holds_europe": (">=", FAIL_BELOW)})


def _top_two(table: pd.DataFrame, status_quo: str) -> tuple[str, str]:
    """The leading option and the runner-up: the largest mean chance that deterrence holds
    through the horizon, the status quo aside."""
    ranked = table.drop(index=status_quo).sort_values("deterrence_mean", ascending=False)
    return str(ranked.index[0]), str(ranked.index[1])


def _first(futures: pd.DataFrame, count: int) -> pd.DataFrame:
    """The first ``count`` futures by number: the detail futures."""
    return futures.sort_values("future").head(count).copy()  # not a view


def _options_table(scenario: Any, figures: pd.DataFrame, robust: pd.DataFrame) -> pd.DataFrame:
    """Per option: the headline table's figures (the same as ``assess`` and ``run``)."""
    rows = []
    for option in scenario.options:
        o = option.id
        h = figures.loc[o]
        row: dict[str, Any] = {
            "option": o,
            "name": option.name,
            "category": option.category,
            "years_to_first_effect": scenario.option_field(o, "years_to_first_effect"),
            "years_to_full_effect": scenario.option_field(o, "years_to_full_effect"),
            "change_mean": float(h["change_vs_status_quo"]),
            "change_low": float(h["change_vs_status_quo_p10"]),
            "change_high": float(h["change_vs_status_quo_p90"]),
            "rank_minimax_regret": int(robust.loc[o, "rank_minimax_regret"]),
            "rank_mean": int(robust.loc[o, "rank_mean"]),
            "satisficing": float(robust.loc[o, "satisficing"]),
        }
        for outcome, short in (
            ("holds_europe", "deterrence"),
            ("holds_europe_first", "deterrence_first"),
            ("fails_europe", "fails"),
            ("holds_ukraine", "ukraine_deterrence"),
            ("fails_ukraine", "ukraine_fails"),
            ("npv_eur_bn", "npv"),
            ("proliferation", "proliferation"),
            ("ukraine_support_eur_bn", "ukraine_support"),
        ):
            row[f"{short}_mean"] = float(h[outcome])
            row[f"{short}_low"] = float(h[f"{outcome}_p10"])
            row[f"{short}_high"] = float(h[f"{outcome}_p90"])
        rows.append(row)
    return pd.DataFrame(rows).set_index("option", drop=False)


def _stresses(run: Run, figures: pd.DataFrame, detail: Any) -> pd.DataFrame:
    """The stress tests, with, for a guarantor's exit, that guarantor's credibility as
    assumed (status quo, population-weighted over the proteges, mean over the detail
    futures) in the test year and at the horizon: what the exit takes away."""
    scenario = run.scenario
    table = stress_tests(
        scenario, samples=run.n_samples, seed=run.seed, sampler=run.sampler, as_assumed=figures
    )
    weight = detail["population_weight"]
    status_quo = str(detail.option.values[0])
    last = int(detail.year.values[-1])
    for column in ("credibility_at_test", "credibility_at_horizon"):
        table[column] = np.nan
    for stress in scenario.stresses:
        if stress.kind != "exit" or stress.test_year is None:
            continue
        credibility = detail["credibility"].sel(option=status_quo, guarantor=stress.guarantor)
        mean = ((credibility * weight).sum("protege") / weight.sum()).mean("sample")
        rows = table["stress"] == stress.id
        table.loc[rows, "credibility_at_test"] = float(
            mean.sel(year=stress.test_year, method="nearest")
        )
        table.loc[rows, "credibility_at_horizon"] = float(mean.sel(year=last))
    return table


def _detail(run: Run, chosen: pd.DataFrame) -> xr.Dataset:
    """The full model on the ``chosen`` futures of the run (its first few): the series by year
    and country of :data:`DETAIL_SERIES`, evaluated :data:`DETAIL_CHUNK` futures at a time."""
    scenario = run.scenario
    varying = [a.name for a in uncertainties(scenario.registry.values())]
    parts = []
    for start in range(0, len(chosen), DETAIL_CHUNK):
        part = chosen.iloc[start : start + DETAIL_CHUNK]
        evaluated = labelled(scenario, {name: part[name].to_numpy() for name in varying})
        parts.append(evaluated[list(DETAIL_SERIES)])
        del evaluated
    return xr.concat(parts, dim="sample")


def _ukraine(detail: Any, table: pd.DataFrame) -> pd.DataFrame:
    # Each series as (option, year, sample) arrays, read cell by cell: the same futures'
    # values as selecting each cell from the dataset, without its cost a cell (a what-if's
    # figures follow a slider). Means skip NaN, as xarray's do.
    total, positive, negative = (
        detail[name].transpose("option", "year", "sample").values
        for name in ("ukraine_support_eur_bn", "ukraine_positive_eur_bn", "ukraine_negative_eur_bn")
    )
    rows = []
    for i, option in enumerate(detail.option.values):
        for j, year in enumerate(detail.year.values):
            rows.append(
                {
                    "year": int(year),
                    "option": str(option),
                    "name": table.loc[str(option), "name"],
                    "total": float(np.mean(total[i, j])),
                    "low": float(np.quantile(total[i, j], 0.1)),
                    "high": float(np.quantile(total[i, j], 0.9)),
                    "positive": float(np.nanmean(positive[i, j])),
                    "negative": float(np.nanmean(negative[i, j])),
                }
            )
    return pd.DataFrame(rows)


NEAR_WINDOW = (2026, 2030)
"""The years the seed article is about: highlighted in the brief's tables by year."""


def _by_year(detail: Any, table: pd.DataFrame) -> pd.DataFrame:
    """Per option and year: the probability that deterrence holds in every crisis from the
    start year through that year, Europe-wide by population, mean and 10th-90th percentile
    over the detail futures (the run keeps only the horizon's value for every future)."""
    weight = detail["population_weight"]
    europe = (detail["holds"] * weight).sum("protege") / weight.sum()  # (sample, option, year)
    cells = europe.transpose("option", "year", "sample").values  # a cell's futures a row
    rows = []
    for i, option in enumerate(detail.option.values):
        for j, year in enumerate(detail.year.values):
            values = cells[i, j]
            rows.append(
                {
                    "option": str(option),
                    "name": table.loc[str(option), "name"],
                    "year": int(year),
                    "holds_mean": float(np.mean(values)),
                    "holds_low": float(np.quantile(values, 0.1)),
                    "holds_high": float(np.quantile(values, 0.9)),
                    "futures": len(values),
                }
            )
    return pd.DataFrame(rows)


def _pivot(
    scenario: Any, futures: pd.DataFrame, europe: pd.DataFrame, leading: str, runner_up: str
) -> dict[str, Any]:
    """The assumption that decides most which of the two leading options comes first: the
    one whose value is most strongly rank-correlated (Spearman) with the leader's margin over
    the runner-up across the run's futures, with the leader's share of wins in the fifth of
    futures where it is lowest and where it is highest."""
    margin = (europe[leading] - europe[runner_up]).sort_index()
    drawn = futures.set_index("future").sort_index().loc[margin.index]
    ranked_margin = margin.rank().to_numpy()
    best: dict[str, Any] = {}
    for assumption in uncertainties(scenario.registry.values()):
        values = drawn[assumption.name]
        if values.nunique() < 5:
            continue
        rho = float(np.corrcoef(values.rank().to_numpy(), ranked_margin)[0, 1])
        if not best or abs(rho) > abs(best["rho"]):
            low, high = values.quantile([0.2, 0.8])
            wins = margin.to_numpy() > 0
            best = {
                "name": assumption.name,
                "label": assumption.meaning,
                "rho": rho,
                "lead_low": float(np.mean(wins[(values <= low).to_numpy()])),
                "lead_high": float(np.mean(wins[(values >= high).to_numpy()])),
            }
    return best


def _value_for_money(outcomes: pd.DataFrame, ids: list[str], table: pd.DataFrame) -> pd.DataFrame:
    """Per option but the status quo: what it buys for its cost.

    ``points_per_eur_bn`` is the mean change in the probability that deterrence holds through
    the horizon (percentage points, against the status quo in the same future) over the mean
    present-value cost (EUR bn): a ratio of means, as cost-effectiveness ratios are reported.
    Its range is the 10th-90th percentile of the same ratio future by future.
    """
    holds = outcomes.pivot(index="future", columns="option", values="holds_europe")
    cost = outcomes.pivot(index="future", columns="option", values="npv_eur_bn")
    status_quo = ids[0]
    change_mean = dict(zip(table.index, table["change_mean"].to_numpy(float), strict=True))
    npv_mean = dict(zip(table.index, table["npv_mean"].to_numpy(float), strict=True))
    rows = []
    for option in ids[1:]:
        change = 100.0 * (holds[option] - holds[status_quo]).to_numpy()
        extra = (cost[option] - cost[status_quo]).to_numpy()
        costly = extra > 0
        ratio = change[costly] / extra[costly]
        # The means are the options table's (the headline's), so that the change and the
        # cost printed here are the same figures as everywhere else in the brief.
        mean_change = 100.0 * float(change_mean[option])
        mean_cost = float(npv_mean[option]) - float(npv_mean[status_quo])
        rows.append(
            {
                "option": option,
                "name": table.loc[option, "name"],
                "change_points": mean_change,
                "cost_eur_bn": mean_cost,
                "points_per_eur_bn": mean_change / mean_cost if mean_cost > 0 else float("nan"),
                "points_per_eur_bn_low": float(np.quantile(ratio, 0.1)) if len(ratio) else np.nan,
                "points_per_eur_bn_high": float(np.quantile(ratio, 0.9)) if len(ratio) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _sharing(scenario: Any) -> pd.DataFrame:
    """Nuclear weapons one state keeps on other states' territory, as the dataset records."""
    world = scenario.world
    rows = []
    for record in world.records["deployments"].values():
        weapons = getattr(record, "weapons", None)
        rows.append(
            {
                "id": record.id,
                "owner": world.actor(record.owner).name,
                "hosts": [world.actor(h).name for h in record.hosts],
                "weapons": None if weapons is None else weapons.value,
                "weapons_low": None if weapons is None else weapons.low,
                "weapons_high": None if weapons is None else weapons.high,
                "weapons_sources": [] if weapons is None else list(weapons.sources),
                "status": record.status,
                "summary": record.summary,
                "sources": list(record.sources),
            }
        )
    return pd.DataFrame(rows)


def _tiles(scenario: Any, detail: Any, leading: str, table: pd.DataFrame) -> pd.DataFrame:
    """Per protege and option: the probability that deterrence holds through the horizon,
    mean over the detail futures. Every option in the same year, so that the map compares
    like with like; the status quo first, then the leading option, then the others."""
    last = int(detail.year.values[-1])
    options = [str(o) for o in detail.option.values]
    status_quo = options[0]
    ordered = [status_quo, leading, *(o for o in options if o not in (status_quo, leading))]
    names = {str(k): str(v) for k, v in table["name"].to_dict().items()}
    values = detail["holds"].sel(year=last).mean("sample").transpose("option", "protege")
    at = {o: i for i, o in enumerate(options)}
    rows = []
    for option in ordered:
        for k, protege in enumerate(detail.protege.values):
            rows.append(
                {
                    "iso3": str(protege),
                    "name": scenario.world.actor(str(protege)).name,
                    "option": option,
                    "option_name": names[option],
                    "year": last,
                    "value": float(values.values[at[option], k]),
                }
            )
    return pd.DataFrame(rows)


def _forces(scenario: Any) -> pd.DataFrame:
    forces = scenario.world.forces.reset_index()
    states = [*scenario.guarantors, scenario.challenger]
    latest = forces[forces["state"].isin(states)].sort_values("year").groupby("state").last()
    rows = []
    for state in states:
        if state not in latest.index:
            continue
        row = latest.loc[state]
        sources: list[str] = []
        for column in ("stockpile", "deployed", "ssbns", "nuclear_spending_usd_bn"):
            sources += [s for s in row.get(f"{column}_sources", []) or [] if s not in sources]
        rows.append(
            {
                "iso3": state,
                "state": scenario.world.actor(state).name,
                "role": "challenger" if state == scenario.challenger else "guarantor",
                "stockpile": row["stockpile"],
                "stockpile_low": row["stockpile_low"],
                "stockpile_high": row["stockpile_high"],
                "deployed": row["deployed"],
                "ssbns": row["ssbns"],
                "spending_usd_bn": row["nuclear_spending_usd_bn"],
                "spending_year": row["nuclear_spending_usd_bn_year"],
                "year": row["stockpile_year"],
                "sources": sources,
            }
        )
    return pd.DataFrame(rows)


_VIEWS = {"others": "Europe", "UKR": "Ukraine"}


def _trust(scenario: Any) -> pd.DataFrame:
    # The scenario's own trust assumptions (fitted to the polls, or the hand ones).
    defaults = {n: [a.default] for n, a in scenario.registry.items() if n.startswith("trust.")}
    ds = trajectories(
        scenario.world,
        defaults,
        start="2014-01",
        end=scenario.as_of,
        guarantors=scenario.guarantors,
    )
    rows = []
    for g in ds.guarantor.values:
        for view, label in _VIEWS.items():
            if view not in ds.view.values:
                continue
            cut = ds.sel(sample=0, guarantor=g, view=view)
            rows.append(
                pd.DataFrame(
                    {
                        "month": pd.to_datetime(cut.month.values),
                        "guarantor": scenario.world.actor(str(g)).name,
                        "iso3": str(g),
                        "view": label,
                        "mean": cut["mean"].values,
                        "low": cut["low"].values,
                        "high": cut["high"].values,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _events(scenario: Any) -> pd.DataFrame:
    events = scenario.world.events.reset_index()
    events = events[pd.to_datetime(events["date"]) <= pd.Timestamp(scenario.as_of)]
    rows = []
    for event in events.itertuples(index=False):
        effects = [e for e in event.effects if e["sign"] != 0]
        if not effects:
            continue
        rows.append(
            {
                "id": event.id,
                "date": pd.Timestamp(event.date),
                "label": _short(event.summary),
                "summary": event.summary,
                "major": any(e["strength"] == "major" for e in effects),
                "negative": any(e["sign"] < 0 for e in effects),
                "negative_for": sorted({e["guarantor"] for e in effects if e["sign"] < 0}),
                "guarantors": sorted({e["guarantor"] for e in effects}),
                "sources": list(event.sources),
            }
        )
    return pd.DataFrame(rows)


def _quotes(scenario: Any, since: dt.date = dt.date(2025, 1, 1), most: int = 12) -> pd.DataFrame:
    """The latest dated statements since the crisis began, one per event: what governments,
    officials and alliances said, not what the press reported of them."""
    quotes: pd.DataFrame = scenario.world.quotes
    dates = pd.to_datetime(quotes["date"])
    recent = quotes[(dates >= pd.Timestamp(since)) & (dates <= pd.Timestamp(scenario.as_of))]
    said = recent[~recent["speaker"].str.contains("report", case=False)]
    varied = said.sort_values("date", kind="stable").groupby("event", sort=False).head(1)
    return varied.sort_values("date", kind="stable").tail(most).reset_index(drop=True)


def _sobol(run: Run, leading: str, n_base: int) -> pd.DataFrame:
    indices = run.sobol(n_base=n_base, outcomes=("holds_europe",), options=[leading])
    column = f"holds_europe:{leading}"
    table = indices[column].reset_index()
    registry = run.scenario.registry
    table["label"] = [registry[u].meaning for u in table["uncertainty"]]
    return table.sort_values("ST", ascending=False).reset_index(drop=True)


def _prim(run: Run, leading: str, europe: pd.DataFrame) -> dict[str, Any]:
    values = europe[leading]
    threshold, rule = FAIL_BELOW, "below the threshold"
    share = float(np.mean(values < threshold))
    if not 0.01 <= share <= 0.99:
        # Too few (or too many) failures to describe: study its worst tenth of futures.
        threshold, rule = float(values.quantile(0.1)), "in its worst tenth of futures"
        share = float(np.mean(values < threshold))
    result = run.prim(leading, "holds_europe", fail_below=threshold)
    registry = run.scenario.registry
    box = result.box.copy()
    box["label"] = [registry[u].meaning for u in box["uncertainty"]]
    box["unit"] = [registry[u].unit for u in box["uncertainty"]]
    box["range_low"] = [registry[u].low for u in box["uncertainty"]]
    box["range_high"] = [registry[u].high for u in box["uncertainty"]]
    # Tightest restrictions first: the share of an assumption's range the box cuts away.
    width = (box["range_high"] - box["range_low"]).where(lambda w: w > 0, 1.0)
    kept = box["high"].clip(upper=box["range_high"]) - box["low"].clip(lower=box["range_low"])
    box["cut"] = 1.0 - kept / width
    box = box.sort_values("cut", ascending=False).reset_index(drop=True)
    return {
        "threshold": threshold,
        "rule": rule,
        "share": share,
        "box": box,
        "coverage": result.coverage,
        "density": result.density,
        "mass": result.mass,
    }


def _assumptions(scenario: Any) -> pd.DataFrame:
    rows = [
        {
            "name": a.name,
            "meaning": a.meaning,
            "default": a.default,
            "low": a.low,
            "high": a.high,
            "unit": a.unit,
            "distribution": a.distribution,
            "basis": a.basis,
        }
        for a in scenario.registry.values()
    ]
    return pd.DataFrame(rows)


def _provenance(run: Run) -> dict[str, str]:
    record = run.store.run(run.run_id) if run.store is not None and run.run_id else None
    scenario = run.scenario
    facts = {
        "run id": run.run_id or "unstored",
        "scenario": f"{scenario.name} ({_shown_path(scenario.path)})"
        if scenario.path is not None
        else scenario.name,
        "evidence as of": scenario.as_of.isoformat(),
        "futures": f"{run.n_samples:,}",
        "seed": str(run.seed),
        "umbrella": version("umbrella"),
        "numpy": np.__version__,
    }
    if record is not None:
        facts |= {
            "sampler": record.sampler,
            "scenario hash": record.scenario_hash,
            "data version": record.data_version,
            "started": record.started_at.isoformat(timespec="seconds") if record.started_at else "",
            "finished": record.finished_at.isoformat(timespec="seconds")
            if record.finished_at
            else "",
            "store": _shown_path(getattr(run.store, "path", "")),
        }
    return facts


def _shown_path(path: Any) -> str:
    """A file or folder as the provenance table names it, never where something is
    installed on one machine: a scenario that ships with umbrella by its file name and the
    version of umbrella, one under the working folder relative to it, and any other by its
    name alone.

    >>> from pathlib import Path
    >>> import umbrella
    >>> _shown_path(Path(umbrella.__file__).parent / "scenarios" / "europe-2026.yaml")
    ... # doctest: +ELLIPSIS
    'europe-2026.yaml, shipped with umbrella ...'
    >>> _shown_path(Path.cwd() / "scenarios" / "mine.yaml")
    'scenarios/mine.yaml'
    >>> _shown_path("/home/someone/runs/mine.yaml")
    'mine.yaml'
    >>> _shown_path("")
    ''
    """
    from pathlib import Path

    if not str(path):
        return ""
    file = Path(path).resolve()
    package = Path(__file__).resolve().parents[1]
    if file.is_relative_to(package):
        return f"{file.name}, shipped with umbrella {version('umbrella')}"
    if file.is_relative_to(Path.cwd().resolve()):
        return file.relative_to(Path.cwd().resolve()).as_posix()
    return file.name


def _short(text: str, words: int = 7) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
