"""Trade-offs between options: which options no other option beats on every objective.

An option *dominates* another when it is at least as good on every objective and strictly
better on at least one; an option is *efficient* (Pareto-efficient, non-dominated) when no
option dominates it. Efficiency says only that choosing the option does not give something
up for nothing: it says nothing about how to weigh one objective against another, so an
efficient option is not a recommended one.

:data:`OBJECTIVES` names the objectives a decision-maker weighs here: deterrence for Europe,
cost, proliferation risk, deterrence for Ukraine and time to effect. :func:`tradeoffs` asks,
in every future of a stored run, which options are efficient among the options, and gives
each option's share of futures in which it is, whether it is efficient on the ensemble's
means and on its pessimistic tenth (the robust values), who dominates it on the means, and
each objective's mean and 10th-90th percentiles. :func:`parallel_coordinates` draws the
options on the means.

The dominance test compares every pair of options in every future at once (NumPy
broadcasting over futures x options x options x objectives, in blocks that bound memory): no
Python loop runs per future.

>>> import numpy as np
>>> points = np.array([[1.0, 5.0], [2.0, 4.0], [1.0, 4.0], [2.0, 4.0]])
>>> pareto_mask(points, [True, True]).tolist()   # row 2 is dominated by rows 0, 1 and 3
[True, True, False, True]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from umbrella.errors import UsageError

if TYPE_CHECKING:
    from umbrella.explore.run import Run

__all__ = [
    "OBJECTIVES",
    "Objective",
    "dominance",
    "objective_values",
    "parallel_coordinates",
    "pareto_mask",
    "pareto_mask_batched",
    "tradeoffs",
    "tradeoffs_from_values",
]

BoolArray = npt.NDArray[np.bool_]
Directions = bool | Sequence[bool] | BoolArray
"""Whether more is better: one bool for every objective, or one per objective."""

# Booleans in each array one block of the pairwise comparison makes (16 MB; it makes a few):
# comparing n options in F futures at once would hold F x n x n x k of them, too many for a
# large run.
_BLOCK = 1 << 24


@dataclass(frozen=True)
class Objective:
    """One objective of the trade-off: where its value comes from, its unit and direction.

    ``source`` is ``"outcomes"`` (``column`` is a summary outcome, one value per future and
    option) or ``"futures"`` (``column`` is a template such as
    ``option.{option}.years_to_first_effect``, the option's sampled assumption, or its default
    in the scenario's registry where the run does not sample it). ``complement`` takes one
    minus the column, for a share whose complement is the quantity the objective means.
    """

    name: str
    label: str
    unit: str
    maximise: bool
    definition: str
    column: str
    source: Literal["outcomes", "futures"] = "outcomes"
    complement: bool = False

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``."""
        return "higher is better" if self.maximise else "lower is better"

    @property
    def axis_title(self) -> str:
        """The objective's label with its unit and direction, for an axis."""
        return f"{self.label} ({self.unit}; {self.direction})"


OBJECTIVES: Mapping[str, Objective] = {
    objective.name: objective
    for objective in (
        Objective(
            name="deterrence",
            label="Deterrence holds in Europe",
            unit="probability",
            maximise=True,
            definition="The probability that deterrence of Russia holds in every crisis from "
            "the start year through the horizon, for the average European.",
            column="holds_europe",
        ),
        Objective(
            name="cost",
            label="Cost",
            unit="EUR bn, present value",
            maximise=False,
            definition="What the option costs on top of current national plans, every year's "
            "spending discounted to the start year, in billions of euros.",
            column="npv_eur_bn",
        ),
        Objective(
            name="proliferation",
            label="Proliferation risk",
            unit="index 0-1",
            maximise=False,
            definition="How far the option strains the nuclear non-proliferation regime in "
            "the last year, on a 0-1 scale from no change in who holds nuclear weapons (0.1-0.3) "
            "to a new nuclear-armed entity (0.75-1).",
            column="proliferation",
        ),
        # Not holds_ukraine: Ukraine faces a crisis opportunity about once a year and deterrence
        # fails in most, so the chance that it holds through the horizon is below two in a
        # million in half the futures whatever the option; options then differ by amounts no
        # reader can see. Not ukraine_support_eur_bn either: support is what is spent, a means
        # (the aid option's spending is already the cost objective), not what it achieves. The
        # share of the last year's crises deterred is the effect of the support through denial,
        # net of what nuclear spending diverts, on a scale where options differ visibly.
        Objective(
            name="ukraine",
            label="Deterrence for Ukraine",
            unit="share of crises",
            maximise=True,
            definition="The share of crises in the last year in which Russia is deterred from "
            "a new offensive against Ukraine, either not attacking or backing down, given the "
            "support Europe provides.",
            column="fails_ukraine",
            complement=True,
        ),
        Objective(
            name="time",
            label="Time to first effect",
            unit="years",
            maximise=False,
            definition="How many years after the option starts before it first changes anything, "
            "if it is agreed and delivered on time (a stalled option's later start is counted "
            "in the other objectives).",
            column="option.{option}.years_to_first_effect",
            source="futures",
        ),
    )
}
"""The objectives of the trade-off, by name, in the order tables and charts show them."""


def _directions(maximise: Directions, k: int) -> BoolArray:
    """``maximise`` as one bool per objective (a single bool applies to all)."""
    flags = np.asarray(maximise, dtype=bool)
    if flags.ndim == 0:
        return np.full(k, bool(flags))
    if flags.shape != (k,):
        raise UsageError(f"maximise: give one direction per objective ({k}), not {flags.size}")
    return flags


def _as_points(values: npt.ArrayLike, ndim: int) -> npt.NDArray[Any]:
    """``values`` as an array of ``ndim`` dimensions with no NaN."""
    array = np.asarray(values)
    if array.ndim != ndim:
        raise UsageError(f"values: expected {ndim} dimensions, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise UsageError(f"values: expected numbers, got {array.dtype}")
    # NaN is neither better nor worse than anything, so dominance would silently ignore it.
    if array.dtype.kind == "f" and np.isnan(array).any():
        raise UsageError("values: NaN has no place in a dominance order; drop or fill it")
    return array


def _dominates(better: npt.NDArray[Any], worse: npt.NDArray[Any], maximise: BoolArray) -> BoolArray:
    """``[..., j, i]``: whether point ``j`` of ``better`` dominates point ``i`` of ``worse``.

    Both are ``(..., n, k)`` and ``(..., m, k)``. The direction is applied by choosing the
    comparison rather than negating values, so integers cannot overflow and any strictly
    increasing transform of an objective leaves the answer unchanged.
    """
    a = better[..., :, None, :]
    b = worse[..., None, :, :]
    at_least = np.where(maximise, a >= b, a <= b).all(axis=-1)
    # With no NaN, "differs somewhere" and "at least as good everywhere" make "strictly better
    # somewhere": equal points therefore never dominate each other.
    differs = (a != b).any(axis=-1)
    return np.asarray(at_least & differs)


def dominance(values: npt.ArrayLike, maximise: Directions) -> BoolArray:
    """Which point dominates which: ``[j, i]`` is True when row ``j`` dominates row ``i``.

    Parameters
    ----------
    values : array_like, shape (n, k)
        n points (options) on k objectives.
    maximise : bool or sequence of k bools
        Whether more is better on each objective (one bool: on all).

    Returns
    -------
    numpy.ndarray of bool, shape (n, n)
        Row ``j`` dominates row ``i``: at least as good on every objective and strictly
        better on one. The diagonal is False, and so is every pair of equal points.

    Examples
    --------
    >>> dominance([[1, 1], [2, 2], [2, 2]], True).astype(int).tolist()
    [[0, 0, 0], [1, 0, 0], [1, 0, 0]]
    """
    points = _as_points(values, 2)
    return _dominates(points, points, _directions(maximise, points.shape[1]))


def pareto_mask(values: npt.ArrayLike, maximise: Directions) -> BoolArray:
    """The non-dominated rows of an ``(n, k)`` array of n points on k objectives.

    Exact: a row is efficient when no other row is at least as good on every objective and
    strictly better on one, so a point equal to another on every objective is not dominated
    by it, and duplicates of an efficient point are all efficient. Memory stays bounded
    (the rows are compared in blocks); time grows with n squared.

    Parameters
    ----------
    values : array_like, shape (n, k)
        Numbers without NaN (infinities compare as usual).
    maximise : bool or sequence of k bools
        Whether more is better on each objective (one bool: on all).

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        True for the efficient rows. At least one row of a non-empty array is efficient.

    Examples
    --------
    >>> pareto_mask([[0.9, 10.0], [0.8, 5.0], [0.7, 6.0]], [True, False]).tolist()
    [True, True, False]
    """
    points = _as_points(values, 2)
    n, k = points.shape
    directions = _directions(maximise, k)
    efficient = np.ones(n, dtype=bool)
    rows = max(1, _BLOCK // max(1, n * k))
    for start in range(0, n, rows):
        block = points[start : start + rows]
        efficient[start : start + rows] = ~_dominates(points, block, directions).any(axis=0)
    return efficient


def pareto_mask_batched(values: npt.ArrayLike, maximise: Directions) -> BoolArray:
    """:func:`pareto_mask` in every future at once: ``(futures, options, objectives)`` in,
    ``(futures, options)`` out, True where the option is efficient among the options of that
    future.

    Examples
    --------
    >>> values = [[[1.0, 1.0], [2.0, 2.0]], [[1.0, 3.0], [2.0, 2.0]]]
    >>> pareto_mask_batched(values, True).tolist()
    [[False, True], [True, True]]
    """
    points = _as_points(values, 3)
    futures, n, k = points.shape
    directions = _directions(maximise, k)
    efficient = np.ones((futures, n), dtype=bool)
    step = max(1, _BLOCK // max(1, n * n * k))
    for start in range(0, futures, step):
        block = points[start : start + step]
        efficient[start : start + step] = ~_dominates(block, block, directions).any(axis=-2)
    return efficient


def _chosen(objectives: Sequence[str | Objective] | None) -> list[Objective]:
    if objectives is None:
        return list(OBJECTIVES.values())
    chosen: list[Objective] = []
    for item in objectives:
        if isinstance(item, Objective):
            chosen.append(item)
        elif item in OBJECTIVES:
            chosen.append(OBJECTIVES[item])
        else:
            raise UsageError(f"unknown objective '{item}'; objectives: {', '.join(OBJECTIVES)}")
    if not chosen:
        raise UsageError(f"objectives: give at least one of {', '.join(OBJECTIVES)}")
    names = [o.name for o in chosen]
    if len(set(names)) != len(names):
        raise UsageError(f"objectives: each once, not {', '.join(names)}")
    return chosen


def objective_values(run: Run, objectives: Sequence[str | Objective] | None = None) -> xr.DataArray:
    """Every option's value on every objective in every future of ``run``.

    Returns
    -------
    xarray.DataArray
        Dims ``(future, option, objective)``, futures sorted, options in the scenario's order,
        objectives in the order given; each objective's unit, direction and definition are in
        ``attrs["objectives"]``. A future in which any option lacks a finite value on any
        objective is left out for every option (``attrs["futures_dropped"]`` counts them), so
        that every option is judged on the same futures.
    """
    chosen = _chosen(objectives)
    futures, outcomes = run.data()
    present = set(outcomes["option"].astype(str).unique())
    options = [o.id for o in run.scenario.options if o.id in present]
    if not options:
        raise UsageError("the run holds no outcomes of the scenario's options")
    ids = np.sort(futures["future"].unique())
    by_future = futures.set_index("future")
    layers = []
    for objective in chosen:
        if objective.source == "outcomes":
            if objective.column not in outcomes.columns:
                raise UsageError(
                    f"objective {objective.name}: the run has no outcome {objective.column}"
                )
            # Reindexing to every future and option turns a missing pair into NaN, which the
            # check below then drops for all options alike.
            wide = outcomes.pivot(index="future", columns="option", values=objective.column)
            wide = wide.reindex(index=ids, columns=options)
            layer = wide.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            layer = np.column_stack(
                [_option_value(run, by_future, ids, objective.column, o) for o in options]
            )
        layers.append(1.0 - layer if objective.complement else layer)
    values = np.stack(layers, axis=-1)
    kept = np.isfinite(values).all(axis=(1, 2))
    return xr.DataArray(
        values[kept],
        dims=("future", "option", "objective"),
        coords={"future": ids[kept], "option": options, "objective": [o.name for o in chosen]},
        name="objective_value",
        attrs={
            "objectives": {o.name: o for o in chosen},
            "futures_dropped": int((~kept).sum()),
            "run_id": run.run_id or "",
            "scenario": run.scenario.name,
        },
    )


def _option_value(
    run: Run, futures: pd.DataFrame, ids: npt.NDArray[Any], template: str, option: str
) -> npt.NDArray[np.float64]:
    """Option ``option``'s assumption ``template`` in each future; a portfolio's from its
    parts' (:meth:`umbrella.model.scenario.Scenario.option_field`)."""
    prefix = "option.{option}."
    if not template.startswith(prefix):
        return _assumption(run, futures, ids, template.format(option=option))
    field = template[len(prefix) :]
    found = run.scenario.option_field(
        option, field, lambda name: _assumption(run, futures, ids, name)
    )
    return np.broadcast_to(np.asarray(found, dtype=np.float64), ids.shape).copy()


def _assumption(
    run: Run, futures: pd.DataFrame, ids: npt.NDArray[Any], name: str
) -> npt.NDArray[np.float64]:
    """An assumption's value in each future: sampled, or its default where the run fixes it."""
    if name in futures.columns:
        return futures[name].reindex(ids).to_numpy(dtype=np.float64, na_value=np.nan)
    assumption = run.scenario.registry.get(name)
    if assumption is None:
        raise UsageError(f"the run neither samples nor defines the assumption {name}")
    return np.full(len(ids), float(assumption.default))


def tradeoffs_from_values(values: xr.DataArray) -> pd.DataFrame:
    """The trade-off table of labelled values, as :func:`tradeoffs` returns it.

    ``values`` has dims ``(future, option, objective)`` and ``attrs["objectives"]``, the
    :class:`Objective` of each name (as :func:`objective_values` gives).
    """
    if values.dims != ("future", "option", "objective"):
        values = values.transpose("future", "option", "objective")
    known: Mapping[str, Objective] = values.attrs.get("objectives", OBJECTIVES)
    names = [str(name) for name in values["objective"].values]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(f"tradeoffs: no definition of objective(s) {', '.join(unknown)}")
    chosen = [known[name] for name in names]
    options = [str(o) for o in values["option"].values]
    if values.sizes["future"] == 0:
        raise UsageError("tradeoffs: no future has a finite value of every objective")
    data = np.asarray(values.values, dtype=np.float64)
    maximise = np.array([o.maximise for o in chosen])
    per_future = pareto_mask_batched(data, maximise)
    means = data.mean(axis=0)
    p10, p90 = np.percentile(data, [10.0, 90.0], axis=0)
    # The robust value is the pessimistic tenth in the objective's direction: the 10th
    # percentile of what should be high, the 90th of what should be low.
    robust = np.where(maximise, p10, p90)
    beaten = dominance(means, maximise)
    table = pd.DataFrame(
        {
            "share_efficient": per_future.mean(axis=0),
            "efficient_on_mean": pareto_mask(means, maximise),
            "efficient_on_robust": pareto_mask(robust, maximise),
            "dominated_on_mean_by": [
                tuple(options[j] for j in np.flatnonzero(beaten[:, i])) for i in range(len(options))
            ],
        },
        index=pd.Index(options, name="option"),
    )
    for column, objective in enumerate(chosen):
        table[f"{objective.name}_mean"] = means[:, column]
        table[f"{objective.name}_p10"] = p10[:, column]
        table[f"{objective.name}_p90"] = p90[:, column]
    table.attrs = {
        "objectives": {o.name: o for o in chosen},
        "n_futures": int(values.sizes["future"]),
        "futures_dropped": int(values.attrs.get("futures_dropped", 0)),
        "run_id": values.attrs.get("run_id", ""),
        "scenario": values.attrs.get("scenario", ""),
    }
    return table


def tradeoffs(run: Run, objectives: Sequence[str | Objective] | None = None) -> pd.DataFrame:
    """Per option: how often it is efficient, and its objectives' spread over the futures.

    Parameters
    ----------
    run : umbrella.explore.run.Run
        A run with its futures and outcomes (stored, or kept in memory).
    objectives : sequence of names (of :data:`OBJECTIVES`) or :class:`Objective`, optional
        The objectives to trade off; all of :data:`OBJECTIVES` by default.

    Returns
    -------
    pandas.DataFrame
        Index ``option`` (the scenario's order). ``share_efficient``: the share of futures in
        which no other option is at least as good on every objective and better on one, all
        options judged on the same futures; ``efficient_on_mean`` and ``efficient_on_robust``:
        whether the option is efficient on the objectives' means over the futures, and on
        their robust values (the 10th percentile of an objective to maximise, the 90th of one
        to minimise); ``dominated_on_mean_by``: the options that dominate it on the means (a
        tuple, empty when efficient there); then ``<objective>_mean``, ``_p10`` and ``_p90``
        (percentiles by linear interpolation). ``attrs`` holds the objectives, ``n_futures``,
        ``futures_dropped``, ``run_id`` and ``scenario``.

    Raises
    ------
    UsageError
        If an objective is unknown, or the run lacks what one needs.
    """
    return tradeoffs_from_values(objective_values(run, objectives))


def parallel_coordinates(
    table: pd.DataFrame,
    objectives: Sequence[str | Objective] | None = None,
    *,
    title: str = "Options on the objectives (means over the futures)",
    height: int = 480,
) -> tuple[Any, str]:
    """A parallel-coordinates figure of the options on the objectives' means, and its text.

    One line per option, one vertical axis per objective, labelled with its unit and
    direction; the first axis names the options, since a parallel-coordinates figure has no
    legend. Colours are the brief's colour-blind-safe palette, one per option in the table's
    order.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`tradeoffs` table.
    objectives : sequence of names or :class:`Objective`, optional
        The axes, in order; by default the table's objectives.

    Returns
    -------
    (plotly.graph_objects.Figure, str)
        The figure, and its text alternative (``alt``) for readers who cannot see it.
    """
    import plotly.graph_objects as go

    from umbrella.report.charts import PALETTE

    known: Mapping[str, Objective] = table.attrs.get("objectives", OBJECTIVES)
    if objectives is None:
        chosen = list(known.values())
    else:
        chosen = [
            o if isinstance(o, Objective) else known.get(o) or _chosen([o])[0] for o in objectives
        ]
    missing = [o.name for o in chosen if f"{o.name}_mean" not in table.columns]
    if missing or len(table) == 0:
        raise UsageError(f"parallel_coordinates: not a tradeoffs() table (no {', '.join(missing)})")
    options = [str(o) for o in table.index]
    n = len(options)
    colours = [PALETTE[i % len(PALETTE)] for i in range(n)]
    # Parcoords colours lines through a continuous scale: one stop per option, each line's
    # value sitting exactly on its stop, gives every option its own palette colour.
    scale = [[i / max(1, n - 1), colour] for i, colour in enumerate(colours)]
    if n == 1:
        scale.append([1.0, colours[0]])
    dimensions = [
        {
            "label": "Option",
            "values": list(range(n)),
            "tickvals": list(range(n)),
            "ticktext": options,
            "range": [-0.5, n - 0.5],
        }
    ]
    for objective in chosen:
        dimensions.append(
            {
                # Three short lines (plotly breaks at <br>), so that neighbouring titles
                # do not run into each other.
                "label": f"{objective.label}<br>{objective.unit}<br>{objective.direction}",
                "values": table[f"{objective.name}_mean"].astype(float).tolist(),
            }
        )
    figure = go.Figure(
        go.Parcoords(
            line={"color": list(range(n)), "colorscale": scale, "cmin": 0, "cmax": max(1, n - 1)},
            dimensions=dimensions,
        )
    )
    figure.update_layout(
        title={"text": title},
        height=height,
        margin={"l": 160, "r": 80, "t": 120, "b": 40},
        font={"size": 12},
    )
    return figure, _alt(table, chosen, options)


def _alt(table: pd.DataFrame, chosen: Sequence[Objective], options: Sequence[str]) -> str:
    """The figure in words: the axes, then each option's means and whether it is efficient."""
    axes = "; ".join(objective.axis_title for objective in chosen)
    lines = [
        f"Parallel-coordinates chart of {len(options)} options on {len(chosen)} objectives, "
        f"the mean over the futures of each: {axes}."
    ]
    records = table.to_dict(orient="records")
    for option, row in zip(options, records, strict=True):
        means = ", ".join(
            f"{objective.label} {_number(float(row[f'{objective.name}_mean']))}"
            for objective in chosen
        )
        status = ""
        if "efficient_on_mean" in table.columns:
            status = "; efficient on the means"
            if not bool(row["efficient_on_mean"]):
                status = "; dominated on the means by " + ", ".join(row["dominated_on_mean_by"])
        lines.append(f"{option}: {means}{status}.")
    return " ".join(lines)


def _number(value: float) -> str:
    """Three significant figures (whole numbers from 100), an exponent only below 0.001."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"
