"""Pathways of a stored run: each step, how often its signpost fired, and how the pathway
holds up against the other options.

A pathway is an option of the scenario with a part that waits for a signpost (docs/options.md,
"Pathways"): the part starts, in the year its signpost is read plus its delay, only in the
futures where the signpost has fired, and never in the others. :func:`pathways` gives a row
per step of every pathway of a run's scenario: the step (option, delay, scale), its signpost
(assumption, bound, threshold, the year it is read), the share of the run's futures in which
the step starts, the year it starts and the year it first acts; and, repeated on each step of
a pathway, the pathway's deterrence (``holds_europe``: mean and 10th percentile) and its
regret against every option of the run (:func:`umbrella.explore.robustness.robustness`),
with whether its mean regret is below that of every single option.

A step starts where :func:`umbrella.model.scenario.part_start` says it does, the model's own
rule, applied to the run's stored futures: a signpost fires where
:meth:`umbrella.model.registry.Trigger.fired` holds on the sampled assumption.

:data:`FIELDS` gives every column's unit and definition (the command line, the HTTP API and
docs/explore.md print them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from umbrella.errors import UmbrellaError, UsageError
from umbrella.model.registry import OptionSpec, Part
from umbrella.model.scenario import part_start

if TYPE_CHECKING:
    from umbrella.explore.run import Run
    from umbrella.model.scenario import Scenario

__all__ = ["FIELDS", "OUTCOME", "STEP_FIELDS", "is_pathway", "pathways", "steps"]

OUTCOME = "holds_europe"
"""The outcome whose spread and regret the table gives."""

FIELDS: Mapping[str, tuple[str, str]] = {
    "pathway": (
        "option id",
        "The pathway: an option of the scenario with a step that waits for a signpost.",
    ),
    "name": ("text", "The pathway's name in the scenario."),
    "step": (
        "number",
        "The step's place among the pathway's parts, from 1, in the order the scenario lists them.",
    ),
    "option": ("option id", "The option the step takes."),
    "delay": (
        "years",
        "How long after its option's own start (or after its signpost is read) the step begins.",
    ),
    "scale": (
        "share 0-1",
        "The share of the option the step takes: its levers and costs times this.",
    ),
    "assumption": (
        "assumption name",
        "The assumption the step's signpost reads; empty for a step that waits for none.",
    ),
    "bound": (
        "below or above",
        "The signpost fires where the assumption lies below (or "
        "above) the threshold; empty for a step that waits for none.",
    ),
    "threshold": ("the assumption's unit", "The value the signpost compares the assumption with."),
    "unit": ("text", "The unit of the threshold: the assumption's."),
    "read_by": (
        "year",
        "The year the signpost is read, by when the evidence will have shown "
        "the assumption in each future.",
    ),
    "fired": (
        "share of futures",
        "The share of the run's futures in which the step starts: "
        "where its signpost fired; 1 for a step that waits for none.",
    ),
    "start": (
        "year",
        "The year the step starts where it does: the year its signpost is read "
        "plus its delay, or its option's start year at the assumptions' defaults plus "
        "its delay.",
    ),
    "first_year": (
        "year",
        "The first year the step can act: its start plus its option's "
        "years to first effect at the assumptions' defaults, rounded down.",
    ),
    "holds_mean": (
        "probability",
        "The pathway's mean over the futures of the probability "
        "that deterrence holds in Europe through the horizon (holds_europe).",
    ),
    "holds_p10": (
        "probability",
        "The 10th percentile over the futures of the pathway's "
        "holds_europe: its value in a bad future.",
    ),
    "mean_regret": (
        "probability",
        "The mean over the futures of the pathway's regret: how "
        "far its holds_europe falls short of the best option's in that future, "
        "every option of the run compared.",
    ),
    "max_regret": ("probability", "The pathway's largest regret in any future."),
    "beats_singles": (
        "yes or no",
        "Whether the pathway's mean regret is smaller than that of "
        "every single option (neither a portfolio nor a pathway).",
    ),
}
"""Every column of :func:`pathways`: its unit and definition, in order."""


def is_pathway(spec: OptionSpec) -> bool:
    """Whether an option is a pathway: a part of it waits for a signpost."""
    return any(part.trigger is not None for part in spec.components)


def pathways(run: Run) -> pd.DataFrame:
    """A row per step of every pathway of ``run``'s scenario, with the pathway's figures.

    Parameters
    ----------
    run : umbrella.explore.run.Run
        A run with its futures and outcomes (stored, or kept in memory).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`FIELDS`, one row per step, pathways in the scenario's order and
        steps in theirs. ``threshold`` is NaN, ``read_by`` missing (``<NA>``) and
        ``assumption``, ``bound`` and ``unit`` empty for a step that waits for no signpost.
        Empty (no rows, the same columns) when the scenario has no pathway. ``attrs`` holds
        ``n_futures``, ``run_id``, ``scenario``, ``outcome``, ``best_single`` (the single option
        with the smallest mean regret; empty without pathways) and ``best_single_regret`` (its
        mean regret; NaN without pathways).

    Raises
    ------
    UsageError
        If the run's futures lack a signpost's assumption and the scenario does not define
        it, or the outcomes lack ``holds_europe``.
    """
    scenario = run.scenario
    futures = run.data()[0]
    attrs: dict[Hashable | None, Any] = {
        "n_futures": int(futures["future"].nunique()),
        "run_id": run.run_id or "",
        "scenario": scenario.name,
        "outcome": OUTCOME,
    }
    staged = [spec for spec in scenario.options if is_pathway(spec)]
    if not staged:
        attrs.update(best_single="", best_single_regret=math.nan)
        empty = pd.DataFrame({name: pd.Series(dtype=_dtype(name)) for name in FIELDS})
        empty.attrs = attrs
        return empty
    # Regret against every option of the run, as `umbrella explore` scores it.
    robust = run.robustness(OUTCOME)
    singles = [spec.id for spec in scenario.options if not spec.components]
    single_regret = robust["mean_regret"].reindex(singles).dropna()
    best_single = str(single_regret.idxmin()) if len(single_regret) else ""
    least = float(single_regret.min()) if len(single_regret) else math.nan
    scores = robust[["mean", "p10", "mean_regret", "max_regret"]].to_dict("index")
    rows: list[dict[str, Any]] = []
    for row in steps(scenario, futures).to_dict("records"):
        figures = scores[row["pathway"]]
        rows.append(
            {
                **{str(key): value for key, value in row.items()},
                "holds_mean": float(figures["mean"]),
                "holds_p10": float(figures["p10"]),
                "mean_regret": float(figures["mean_regret"]),
                "max_regret": float(figures["max_regret"]),
                # With no single option to beat (NaN), it beats them all.
                "beats_singles": not float(figures["mean_regret"]) >= least,
            }
        )
    table = pd.DataFrame(rows, columns=list(FIELDS))
    table["read_by"] = table["read_by"].astype("Int64")
    table.attrs = {**attrs, "best_single": best_single, "best_single_regret": least}
    return table


STEP_FIELDS = tuple(FIELDS)[: tuple(FIELDS).index("holds_mean")]
"""The columns of :func:`steps`: a step's own, before the pathway's figures."""


def steps(scenario: Scenario, futures: pd.DataFrame) -> pd.DataFrame:
    """A row per step of every pathway of ``scenario``: the columns of :data:`STEP_FIELDS`
    (what it takes, its signpost, the share of ``futures`` in which it starts, when it
    starts and first acts), as :func:`pathways` and the brief's pathway map read them.
    ``read_by`` is None for a step that waits for no signpost."""
    read = _reader(scenario, futures)
    rows = [
        {"pathway": spec.id, "name": spec.name, "step": number, **_step(scenario, part, read)}
        for spec in scenario.options
        if is_pathway(spec)
        for number, part in enumerate(spec.components, start=1)
    ]
    return pd.DataFrame(rows, columns=list(STEP_FIELDS))


def _dtype(name: str) -> str:
    """A column's type in an empty table, as a full one has it."""
    if name in ("step", "start", "first_year"):
        return "int64"
    if name == "read_by":
        return "Int64"
    if name == "beats_singles":
        return "bool"
    if name in ("pathway", "name", "option", "assumption", "bound", "unit"):
        return "str"
    return "float64"


def _reader(scenario: Scenario, futures: pd.DataFrame) -> Callable[[str], Any]:
    """An assumption's value in each of the run's futures (sorted by id): sampled, or its
    default where the run fixes it."""
    ordered = futures.sort_values("future")

    def read(name: str) -> npt.NDArray[np.float64]:
        if name in ordered.columns:
            return ordered[name].to_numpy(dtype=np.float64, na_value=np.nan)
        assumption = scenario.registry.get(name)
        if assumption is None:
            raise UsageError(f"the run neither samples nor defines the assumption {name}")
        return np.full(len(ordered), float(assumption.default))

    return read


def _default(scenario: Scenario) -> Callable[[str], float]:
    return lambda name: float(scenario.registry[name].default)


def _step(scenario: Scenario, part: Part, read: Callable[[str], Any]) -> dict[str, Any]:
    """A step's own columns: what it takes, its signpost, where and when it starts."""
    # The model's rule in every future: the step's start, infinite where it never starts.
    begins = np.asarray(part_start(part, read), dtype=np.float64)
    trigger = part.trigger
    if trigger is None:
        try:
            start = float(part_start(part, _default(scenario)))
        except (KeyError, UmbrellaError):  # an option without a start year: from the start
            start = float(scenario.start_year) + float(part.delay)
        signpost: dict[str, Any] = {
            "assumption": "",
            "bound": "",
            "threshold": math.nan,
            "unit": "",
            "read_by": None,
        }
    else:
        start = float(trigger.read_by) + float(part.delay)
        known = scenario.registry.get(trigger.assumption)
        signpost = {
            "assumption": trigger.assumption,
            "bound": "below" if trigger.below else "above",
            "threshold": float(trigger.threshold),
            "unit": "" if known is None else known.unit,
            "read_by": int(trigger.read_by),
        }
    try:
        lead = float(scenario.option_field(part.option, "years_to_first_effect"))
    except (KeyError, UmbrellaError):  # without it, the option acts from its start
        lead = 0.0
    return {
        "option": part.option,
        "delay": float(part.delay),
        "scale": float(part.scale),
        **signpost,
        "fired": float(np.isfinite(begins).mean()) if begins.size else math.nan,
        "start": math.floor(start),
        "first_year": math.floor(start + lead),
    }
