"""Backtests: the model as of past dates, scored against what happened in the next year.

At each date (by default 1 July 2008, 1 February 2014 and 15 January 2022) the scenario is
assessed as it could have been then (docs/backtest.md):

- **the evidence** about the guarantors is the timeline up to the date, and nothing after;
- **the commitments** are those in force on the date, and the alliances those of its year;
- **the challenger's record** toward each European state comes from the crises table:
  every state-year since 1992 in which Russia acted first against the state (an *episode*,
  with the highest hostility of Russia's actions that year), up to the date and no later
  than the end of 2014, where MID 5.0, the only dataset that records low-level disputes,
  ends. From it, per state and shrunk toward the pooled record (a gamma-Poisson and a
  beta-binomial posterior mean):

  - the crisis opportunities a year: episodes of any hostility (a threat or more) per year,
    ``(k_i + PRIOR_YEARS r) / (T + PRIOR_YEARS)``;
  - the challenger's resolve: the share of those episodes Russia pressed to the use of
    force, ``(f_i + PRIOR_EPISODES s) / (k_i + PRIOR_EPISODES)``;

- **every other assumption** is sampled from the scenario's ranges, as a run does.

The model then gives, per state, the probability that within a year of the date Russia
**challenges** (uses force first: 1 - exp(-rate x (1 - no_challenge))) and that deterrence
**fails** (war or seizure of territory: 1 - exp(-rate x fails)), averaged over the futures.
The crises table says what happened: a Russia-first row of hostility 4 or more (challenge)
or 5 (failure) that began within the year. The scores are the Brier score, the log score
and the area under the ROC curve (AUC), beside three baselines fitted on the same record:
a constant rate, a rate by NATO membership alone, and each state's own record alone.

>>> import umbrella
>>> from umbrella.explore.backtest import backtest
>>> result = backtest(umbrella.load_scenario(), samples=64)
>>> sorted(result.predictions["date"].unique())
['2008-07-01', '2014-02-01', '2022-01-15']
>>> cases = result.predictions.query("outcome_failure == 1")
>>> sorted(zip(cases["date"], cases["state"]))
[('2008-07-01', 'GEO'), ('2014-02-01', 'UKR'), ('2022-01-15', 'UKR')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.assumptions import resolve
from umbrella.data.schema import Commitment, Crisis
from umbrella.data.world import World
from umbrella.errors import UsageError
from umbrella.explore.headline import DEFAULT_SEED
from umbrella.explore.sampling import draw, uncertainties
from umbrella.model.evaluate import evaluate
from umbrella.model.layout import layout
from umbrella.model.scenario import ProtegeGroup, Scenario
from umbrella.settings import MAX_KEPT

__all__ = [
    "DATES",
    "PREDICTORS",
    "PRIOR_EPISODES",
    "PRIOR_YEARS",
    "RECORD_END",
    "RECORD_START",
    "TARGETS",
    "Backtest",
    "backtest",
    "record",
    "scores",
]

FloatArray = npt.NDArray[np.float64]

DATES = (dt.date(2008, 7, 1), dt.date(2014, 2, 1), dt.date(2022, 1, 15))
"""The default dates: before the war in Georgia, the seizure of Crimea and the invasion."""

TARGETS = {"challenge": 4, "failure": 5}
"""What is scored, with the least hostility of Russia's actions (MID scale) that counts:
``challenge`` Russia used force first; ``failure`` war or seizure of territory."""

PREDICTORS = ("model", "constant", "nato", "record")
"""The model and its baselines: one rate for every state; a rate for NATO members and one
for the others; each state's own record, shrunk as the model's inputs are."""

RECORD_START = dt.date(1992, 1, 1)
RECORD_END = dt.date(2015, 1, 1)
"""The record runs from the first year after the Soviet Union to the end of MID 5.0's
coverage (2014): after it, only large events are recorded, and counting them alone would
make every later rate too low."""

PRIOR_YEARS = 10.0
"""The weight, in state-years, of the pooled rate in each state's rate (judged: a decade,
so that a state with no episode in 20 years keeps about two thirds of the pooled rate)."""

PRIOR_EPISODES = 2.0
"""The weight, in episodes, of the pooled share of episodes pressed to force in each
state's resolve (judged: two episodes, so that a state's own record dominates after a few)."""

_SMALLEST = 1e-12  # probabilities are kept inside (0, 1) so that a log score is finite


@dataclass(frozen=True)
class Backtest:
    """A backtest's result.

    ``predictions``: one row per (date, state): the inputs (``episodes``, ``force``,
    ``rate``, ``resolve``, ``nato``), the probability of each target per predictor
    (``<predictor>_<target>``) and what happened (``outcome_<target>``, 0 or 1).
    ``scores``: one row per (date or ``all``, target, predictor): ``states``, ``events``
    (what happened), ``expected`` (the sum of the probabilities: the events the predictor
    expected), ``brier``, ``log_score`` and ``auc``.
    """

    predictions: pd.DataFrame
    scores: pd.DataFrame
    samples: int
    seed: int


def backtest(
    scenario: Scenario,
    dates: Sequence[dt.date] = DATES,
    *,
    samples: int = 1000,
    seed: int = DEFAULT_SEED,
) -> Backtest:
    """The model as of each date, scored against the following year (module docstring).

    ``scenario`` gives the model's structure (challenger, guarantors, proteges, game,
    assumptions); its own date, options, groups and stresses are replaced.
    """
    if not 1 <= samples <= MAX_KEPT:
        raise UsageError(f"--samples {samples}: use 1 to {MAX_KEPT:,} futures per date")
    if seed < 0:
        raise UsageError(f"--seed {seed}: must be 0 or more")
    if not dates:
        raise UsageError("give at least one date")
    if scenario.challenger != "RUS":
        raise UsageError(
            f"challenger {scenario.challenger}: the crises table records Russia's challenges "
            "only, so only a scenario whose challenger is RUS can be backtested"
        )
    world = scenario.world
    for day in dates:
        if day > dt.date.today() - dt.timedelta(days=366):
            raise UsageError(f"date {day}: a backtest needs a full year after the date")
        if day <= RECORD_START:
            raise UsageError(f"date {day}: the record starts on {RECORD_START}; use a later date")
    frames = [_predict(scenario, world, day, samples, seed) for day in sorted(set(dates))]
    predictions = pd.concat(frames, ignore_index=True)
    return Backtest(predictions=predictions, scores=scores(predictions), samples=samples, seed=seed)


def record(world: World, states: Sequence[str], day: dt.date) -> pd.DataFrame:
    """Each state's record before ``day``: ``episodes`` (state-years with a Russia-first
    row of any hostility), ``force`` (of them, pressed to force: 4 or more) and ``war``
    (5), with ``years`` of record (from :data:`RECORD_START` to ``day`` or
    :data:`RECORD_END`, whichever comes first)."""
    end = min(day, RECORD_END)
    years = (end - RECORD_START).days / 365.25
    highest: dict[tuple[str, int], int] = {}
    for crisis in _challenges(world, states):
        when = _when(crisis)
        if RECORD_START <= when < end:
            key = (crisis.target, when.year)
            highest[key] = max(highest.get(key, 0), crisis.hostility)
    rows = []
    for state in states:
        levels = [h for (s, _), h in highest.items() if s == state]
        rows.append(
            {
                "state": state,
                "years": years,
                "episodes": len(levels),
                "force": sum(h >= TARGETS["challenge"] for h in levels),
                "war": sum(h >= TARGETS["failure"] for h in levels),
            }
        )
    return pd.DataFrame(rows)


def scores(predictions: pd.DataFrame) -> pd.DataFrame:
    """Brier score, log score and AUC per date (and ``all`` dates), target and predictor.

    The Brier score is the mean squared difference between the probability and what
    happened (0 best); the log score the mean natural logarithm of the probability given
    to what happened (0 best, more negative worse); the AUC the probability that a state
    that was challenged was ranked above one that was not (ties count half; 0.5 is no
    skill; undefined where nothing or everything happened).
    """
    rows = []
    groups = [(str(d), frame) for d, frame in predictions.groupby("date", sort=True)]
    if len(groups) > 1:
        groups.append(("all", predictions))
    for label, frame in groups:
        for target in TARGETS:
            outcome = frame[f"outcome_{target}"].to_numpy(dtype=np.float64)
            for predictor in PREDICTORS:
                p = frame[f"{predictor}_{target}"].to_numpy(dtype=np.float64)
                rows.append(
                    {
                        "date": label,
                        "target": target,
                        "predictor": predictor,
                        "states": len(frame),
                        "events": int(outcome.sum()),
                        "expected": float(p.sum()),
                        "brier": brier(p, outcome),
                        "log_score": log_score(p, outcome),
                        "auc": auc(p, outcome),
                    }
                )
    return pd.DataFrame(rows)


def brier(p: FloatArray, outcome: FloatArray) -> float:
    """Mean squared error of the probabilities ``p`` against 0/1 ``outcome``.

    >>> brier(np.array([0.5, 0.0]), np.array([1.0, 0.0]))
    0.125
    """
    return float(np.mean((p - outcome) ** 2))


def log_score(p: FloatArray, outcome: FloatArray) -> float:
    """Mean log probability of what happened (probabilities kept within 1e-12 of 0 and 1).

    >>> round(log_score(np.array([0.5, 0.5]), np.array([1.0, 0.0])), 6)
    -0.693147
    """
    q = np.clip(p, _SMALLEST, 1.0 - _SMALLEST)
    return float(np.mean(np.where(outcome > 0, np.log(q), np.log1p(-q))))


def auc(p: FloatArray, outcome: FloatArray) -> float:
    """Area under the ROC curve: the Mann-Whitney probability that a positive outranks a
    negative, ties counting half; NaN without both.

    >>> auc(np.array([0.9, 0.1, 0.5]), np.array([1.0, 0.0, 0.0]))
    1.0
    >>> auc(np.array([0.2, 0.2, 0.5]), np.array([1.0, 0.0, 0.0]))
    0.25
    """
    positive, negative = p[outcome > 0], p[outcome <= 0]
    if not len(positive) or not len(negative):
        return float("nan")
    above = (positive[:, None] > negative[None, :]).sum()
    tied = (positive[:, None] == negative[None, :]).sum()
    return float((above + 0.5 * tied) / (len(positive) * len(negative)))


# The model as of a date ---------------------------------------------------------------------


def _predict(
    scenario: Scenario, world: World, day: dt.date, samples: int, seed: int
) -> pd.DataFrame:
    """One date: inputs, every predictor's probabilities and the outcomes, per state."""
    then = _as_of(scenario, world, day)
    states = list(then.proteges)
    history = record(world, states, day)
    pooled_rate = history["episodes"].sum() / (history["years"].sum())
    pooled_share = history["force"].sum() / max(history["episodes"].sum(), 1)
    history["rate"] = (history["episodes"] + PRIOR_YEARS * pooled_rate) / (
        history["years"] + PRIOR_YEARS
    )
    history["resolve"] = (history["force"] + PRIOR_EPISODES * pooled_share) / (
        history["episodes"] + PRIOR_EPISODES
    )
    history["nato"] = [world.actor(s).member_of("NATO", day) for s in states]
    model = _model(then, history, samples, seed)
    frame = history.assign(date=day.isoformat(), **model)
    for target, level in TARGETS.items():
        column = "force" if level == TARGETS["challenge"] else "war"
        counts, years = frame[column], frame["years"]
        frame[f"constant_{target}"] = _yearly(counts.sum() / years.sum())
        frame[f"nato_{target}"] = _by_alliance(world, states, day, level).to_numpy()
        frame[f"record_{target}"] = _yearly(
            (counts + PRIOR_YEARS * counts.sum() / years.sum()) / (years + PRIOR_YEARS)
        )
        frame[f"outcome_{target}"] = _happened(world, states, day, level)
    first = ["date", "state", "nato", "years", "episodes", "force", "war", "rate", "resolve"]
    return frame[first + [c for c in frame.columns if c not in first]]


def _as_of(scenario: Scenario, world: World, day: dt.date) -> Scenario:
    """``scenario`` as it could have been written on ``day``: its evidence date, the
    commitments then in force, the status quo alone, one group per state, no stress."""
    commitments = {
        key: c
        for key, c in world.records["commitments"].items()
        if isinstance(c, Commitment) and c.start <= day
    }
    then = World(records={**world.records, "commitments": commitments})
    quo = next((o for o in scenario.options if o.id == "status-quo"), scenario.options[0])
    dated = replace(
        scenario,
        as_of=day,
        start_year=day.year,
        horizon=day.year,
        years=(day.year,),
        world=then,
        options=(quo,),
        supported=None,
        exposure_groups=(),
        stresses=(),
        proliferation_anchor=None,
    )
    proteges = tuple(_europe(then, scenario, day))
    groups = tuple(
        ProtegeGroup(
            name=code.lower(),
            members=(code,),
            alliance=(),
            resolve=f"backtest.resolve.{code}",
            crisis_rate=f"backtest.rate.{code}",
        )
        for code in proteges
    )
    return replace(dated, proteges=proteges, protege_groups=groups)


def _europe(world: World, scenario: Scenario, day: dt.date) -> list[str]:
    """The scenario's proteges that existed as states and were not the challenger's allies
    on ``day``."""
    challenger = scenario.challenger
    allied = (
        set(world.members("CSTO", day)) if world.actor(challenger).member_of("CSTO", day) else set()
    )
    return [p for p in scenario.proteges if p not in allied and p != challenger]


def _model(
    scenario: Scenario, history: pd.DataFrame, samples: int, seed: int
) -> dict[str, FloatArray]:
    """The model's probabilities of each target within a year, per state (mean over the
    futures)."""
    grid = layout(scenario)
    varying = uncertainties(scenario.registry.values())
    futures = draw(varying, 0, samples, seed)
    names = [a.name for a in varying]
    params = resolve(
        scenario.registry.values(),
        dict(zip(names, futures[names].to_numpy(dtype=np.float64).T, strict=True)),
    )
    by_state = history.set_index("state")
    for code in grid.reps:
        params[f"backtest.rate.{code}"] = np.full(samples, by_state.loc[code, "rate"])
        params[f"backtest.resolve.{code}"] = np.full(samples, by_state.loc[code, "resolve"])
    result = evaluate(scenario, grid, params).options[0]
    rate = np.stack([params[k] for k in grid.rate_keys])  # (group, sample)
    challenged = 1.0 - result.no_challenge[:, 0]
    rows = grid.group  # each state is its own group; restored in the scenario's order
    return {
        "model_challenge": _yearly(rate * challenged).mean(axis=1)[rows],
        "model_failure": _yearly(rate * result.fails[:, 0]).mean(axis=1)[rows],
    }


def _yearly(rate: npt.ArrayLike) -> FloatArray:
    """The chance of at least one event in a year at a Poisson ``rate``."""
    chance: FloatArray = -np.expm1(-np.asarray(rate, dtype=np.float64))
    return chance


def _by_alliance(world: World, states: Sequence[str], day: dt.date, level: int) -> pd.Series:
    """Per state, the yearly chance of an episode of at least ``level`` at the rate of the
    states in its alliance position on ``day`` (NATO or not), counted state-year by
    state-year over the record."""
    end = min(day, RECORD_END)
    exposure = {True: 0.0, False: 0.0}
    for state in states:
        actor = world.actor(state)
        for year in range(RECORD_START.year, end.year + 1):
            first, last = dt.date(year, 1, 1), min(dt.date(year + 1, 1, 1), end)
            if last > first:
                exposure[actor.member_of("NATO", first)] += (last - first).days / 365.25
    counted: dict[bool, set[tuple[str, int]]] = {True: set(), False: set()}
    for crisis in _challenges(world, states):
        when = _when(crisis)
        if RECORD_START <= when < end and crisis.hostility >= level:
            member = world.actor(crisis.target).member_of("NATO", when)
            counted[member].add((crisis.target, when.year))
    rates = {k: len(counted[k]) / exposure[k] if exposure[k] else 0.0 for k in (True, False)}
    return pd.Series(
        [_yearly(rates[world.actor(s).member_of("NATO", day)]).item() for s in states],
        index=list(states),
    )


def _happened(world: World, states: Sequence[str], day: dt.date, level: int) -> list[int]:
    """1 for each state against which Russia acted first at ``level`` or more within a
    year of ``day``, else 0."""
    stop = day.replace(year=day.year + 1)
    hit = {
        c.target
        for c in _challenges(world, states)
        if c.hostility >= level and day <= _when(c) < stop
    }
    return [int(s in hit) for s in states]


def _challenges(world: World, states: Sequence[str], challenger: str = "RUS") -> list[Crisis]:
    """The crises table's rows in which the challenger acted first against one of
    ``states``."""
    wanted = set(states)
    return [
        c
        for c in world.records["crises"].values()
        if isinstance(c, Crisis)
        and c.challenge
        and c.challenger == challenger
        and c.target in wanted
    ]


def _when(crisis: Crisis) -> dt.date:
    """When a row began: its date, the middle of its month, or the middle of its year."""
    parts = [int(x) for x in crisis.start.split("-")]
    if len(parts) == 3:
        return dt.date(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 15)
    return dt.date(parts[0], 7, 1)
