"""Signposts: the conditions under which an option fails, turned into triggers on quantities
the dataset records, and a reading of where those quantities stand now.

A signpost is a bound on an assumption, taken from the PRIM box in which an option fails,
that a quantity recorded in the world dataset can be compared with, so that the record can
say whether the world is moving into the box. Dewar et al.'s assumption-based planning and
Lempert et al.'s adaptive strategies call these signposts and triggers; here:

1. For each option, PRIM finds the box of failure (``holds_europe`` below
   :data:`umbrella.settings.SATISFICING`, :meth:`umbrella.explore.run.Run.prim`).
2. Each restriction of the box on an assumption that has an *observable* (an estimator on
   the dataset, :func:`observe`) becomes a trigger: the option fails where the assumption
   lies within the box's bounds, and the trigger has *fired* where the observable does.
3. The trigger is *near* when the observable lies outside the bounds by at most
   :data:`NEAR_MARGIN` of the assumption's sampled range, and *not* otherwise.

Observables (docs/signposts.md gives units and definitions):

- ``trust.future_evidence_<g>``: the net evidence a year about the guarantors the scenario
  gives that flow (``future_evidence``), counted as the trust model counts it (the same
  weights, signs and routing, :mod:`umbrella.trust.evidence`), over the last
  :data:`WINDOW_YEARS` years of the events table.
- ``crisis.rate_nato``, ``crisis.rate_other``: Russian challenges per state and year in the
  crises table (:func:`umbrella.data.baserates.challenge_rates`) over :data:`CRISIS_WINDOW`,
  a lower bound on the rate of crisis opportunities the model samples.

Every other assumption has no observable; :data:`UNOBSERVED` says why, group by group.

A box is a conjunction: the option fails where *all* its restrictions hold together, so one
fired signpost says the world has moved into one face of the box, not that the option fails.

Every function here is deterministic: the same run, data and arguments give the same table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from umbrella.data.baserates import challenge_rates
from umbrella.data.schema import Event
from umbrella.errors import UmbrellaError, UsageError
from umbrella.settings import SATISFICING
from umbrella.trust.evidence import OTHERS, STRENGTHS, collect_evidence, spread, weigh

if TYPE_CHECKING:
    from umbrella.data.world import World
    from umbrella.explore.run import Run
    from umbrella.model.scenario import Scenario

__all__ = [
    "COLUMNS",
    "CRISIS_GROUPS",
    "CRISIS_WINDOW",
    "NEAR_MARGIN",
    "STATUSES",
    "UNOBSERVED",
    "WINDOW_YEARS",
    "Observation",
    "SignpostReport",
    "crisis_rate",
    "evaluate",
    "observe",
    "reading_year",
    "signposts",
    "trigger_status",
    "trust_flow",
    "unobserved_reason",
]

NEAR_MARGIN = 0.25
"""A trigger is near when the observable misses the box by at most this share of the
assumption's sampled range (high - low): a quarter of the range is a move the record of a
few years can make (the US flow moved by more than that between 2024 and 2026)."""

WINDOW_YEARS = 2
"""Years of events the trust observables count, back from the reading date: long enough to
hold more than one event about each guarantor (the coverage rule of docs/trust.md asks for
one in every two years), short enough to show a change of course."""

CRISIS_WINDOW = (1992, 2014)
"""Years of the crises table the crisis observables count: MID 5.0 covers them completely
(after 2014 the table holds only the facts the backtests score, so a rate over later years
would count missing disputes as peace)."""

CRISIS_DATASET = "MID"
"""The dataset whose rows the crisis observables count (the one the registry's crisis rates
were checked against, docs/model.md)."""

CRISIS_GROUPS = {"crisis.rate_nato": "nato", "crisis.rate_other": "other"}
"""Crisis-rate assumptions with an observable, and the group of
:func:`~umbrella.data.baserates.challenge_rates` that observes each: the assumptions' own
meanings (against a NATO member; against a European state outside NATO) fix the group."""

STATUSES = ("fired", "near", "not")
"""Statuses of a trigger, most urgent first (the order the tables print)."""

UNOBSERVED: tuple[tuple[str, str], ...] = (
    (
        "crisis.rate_ukraine",
        "the crises table records disputes, not the decisions to renew an offensive during a "
        "war, and no dataset it quotes covers the war years (MID ends in 2014)",
    ),
    (
        "challenger.resolve_*",
        "Russia's resolve is its private type in the game: the record shows challenges, "
        "which mix resolve with opportunities and with how credible each guarantee was",
    ),
    (
        "belief.shift",
        "the challenger's belief is not observed; no data separate it from allies' trust "
        "(docs/trust.md)",
    ),
    (
        "trust.future_evidence_*",
        "the scenario gives no guarantor this flow (its future_evidence), so no events estimate it",
    ),
    (
        "trust.*",
        "fitted to the polls as a set (umbrella calibrate trust, docs/trust.md); no single "
        "quantity in the dataset estimates it on its own",
    ),
    (
        "game.*",
        "a payoff of the deterrence game: a judgement, not a quantity the dataset records",
    ),
    (
        "depth.*",
        "how much a kind of commitment deters is judged; the dataset records the "
        "commitments, not their depth",
    ),
    (
        "capability.*",
        "how much a delivery leg deters is judged; the dataset records the forces, not "
        "their contribution",
    ),
    (
        "combine.correlation",
        "a common shock to every guarantor is not observed until it happens",
    ),
    (
        "implementation.*",
        "how far governments agree and keep to options is judged, and the common draw is a "
        "future's political climate; the dataset records elections and trust, not negotiations",
    ),
    (
        "option.*.implementation_draw",
        "an option's political fortune in a future: whether its governments agreed will be "
        "known when it happens, but the dataset has no table of negotiations yet",
    ),
    (
        "option.*",
        "the option's delivery, cost and levers: the dataset records no progress of an option",
    ),
    ("discount_rate", "a choice of the analyst, not a fact about the world"),
    (
        "ukraine.*",
        "the dataset has no table of support to Ukraine (the figures are in its sources, "
        "not in records)",
    ),
    ("proliferation.*", "a judged index (the rubric of docs/model.md), not a recorded quantity"),
    (
        "stress.*",
        "a stress's year and size: the events would record it when it happens, but no rule "
        "turns them into the number yet",
    ),
)
"""Assumption patterns without an observable, and why (the first pattern a name matches)."""

_LOWER_BOUND_ONLY = (
    "the observed rate of challenges is a lower bound on the rate of opportunities, so it "
    "cannot show that the rate is below a bound"
)

COLUMNS = (
    "option",
    "assumption",
    "direction",
    "low",
    "high",
    "trigger",
    "observable",
    "unit",
    "definition",
    "reading",
    "window",
    "read_by",
    "value",
    "gap",
    "margin",
    "status",
    "note",
    "events",
)
"""Columns of the signposts table (:func:`evaluate`)."""

_EVIDENCE_COLUMNS = ["id", "date", "title", "amount"]
_BLOCK = 256  # rows routed at once: spread's per-row trick holds a block-square matrix


@dataclass(frozen=True, eq=False)
class Observation:
    """The current value of the observable of one assumption.

    Attributes
    ----------
    assumption
        The assumption it observes.
    observable, unit, definition
        Its name, unit and definition in words.
    reading
        ``"estimate"`` where the value estimates the assumption itself, ``"lower bound"``
        where the assumption can only be larger.
    window
        The span of the record counted, in words (``2024-11-01 to 2026-11-01``).
    value
        The value, in ``unit``.
    evidence
        The records behind the value: ``id``, ``date``, ``title`` and ``amount`` (what
        each adds to ``value``, signed; the amounts sum to it). Empty where the observable
        counts a table's rows as a rate (the crisis observables).
    """

    assumption: str
    observable: str
    unit: str
    definition: str
    reading: Literal["estimate", "lower bound"]
    window: str
    value: float
    evidence: pd.DataFrame


def trust_flow(
    events: Iterable[Event],
    assumption: str,
    guarantors: Sequence[str],
    weights: Mapping[str, float],
    spillover: float,
    start: dt.date,
    end: dt.date,
) -> Observation:
    """The net evidence a year about ``guarantors`` in the events after ``start`` up to
    ``end``: the observable of a ``trust.future_evidence_*`` assumption.

    Each effect counts as the trust model counts it (:func:`~umbrella.trust.evidence.weigh`
    and :func:`~umbrella.trust.evidence.spread`): ``weights[strength]``, plus for sign +1
    and minus for sign -1, in full when it names no protege and times ``spillover`` when it
    names one, as the general view (``others``) receives it, since the flow reaches every
    protege alike. The negative multiplier is left out: the model applies it to the
    negative part of the flow itself (docs/trust.md, "Beyond the evidence date"). The value
    is the mean over ``guarantors`` (the model gives each the same flow) of their summed
    evidence, over the window's length in years (365.25 days).

    Parameters
    ----------
    events
        Event records (``world.records["events"].values()``).
    assumption
        The assumption observed (its name labels the result).
    guarantors
        ISO3 codes of the guarantors the assumption carries.
    weights
        ``minor``, ``moderate`` and ``major`` -> observations an event of that strength
        carries (``trust.weight_*``).
    spillover
        ``trust.spillover``.
    start, end
        The window: events dated after ``start`` and on or before ``end``.

    Raises
    ------
    UsageError
        If ``start`` is not before ``end`` or no guarantor is given.

    Examples
    --------
    >>> import umbrella
    >>> events = umbrella.load_world().records["events"].values()
    >>> weights = {"minor": 0.5, "moderate": 1.5, "major": 4.0}
    >>> seen = trust_flow(events, "trust.future_evidence_usa", ["USA"], weights, 0.5,
    ...                   dt.date(2024, 11, 1), dt.date(2026, 11, 1))
    >>> bool(seen.value < 0), bool(np.isclose(seen.evidence["amount"].sum(), seen.value))
    (True, True)
    """
    if not guarantors:
        raise UsageError(f"{assumption}: no guarantor carries it")
    if start >= end:
        raise UsageError(f"the window starts on {start}, not before its end, {end}")
    typed = [e for e in events if isinstance(e, Event)]
    evidence = collect_evidence(typed, list(guarantors))
    inside = np.flatnonzero(
        (evidence.date > np.datetime64(start, "D")) & (evidence.date <= np.datetime64(end, "D"))
    )
    years = (end - start).days / 365.25
    row_weights = np.array([[float(weights[s]) for s in STRENGTHS]])
    # Before the multiplier: the flow's unit (the model multiplies its negative part).
    amounts = weigh(evidence, row_weights, np.ones(1))[0]
    general = evidence.views.index(OTHERS)
    net = np.zeros(len(inside))
    for first in range(0, len(inside), _BLOCK):
        rows = inside[first : first + _BLOCK]
        # One "sample" per row, so that spread routes each effect on its own: the diagonal
        # puts row i's amount in sample i and nothing elsewhere.
        routed = spread(
            np.diag(amounts[rows]),
            np.full(len(rows), float(spillover)),
            evidence.direct[rows],
            evidence.spill[rows],
        )  # (row, sign, guarantor, view)
        gained, lost = routed[:, 0, :, general], routed[:, 1, :, general]
        net[first : first + len(rows)] = (gained - lost).sum(axis=1)
    scale = len(guarantors) * years
    per_row = pd.DataFrame(
        {"id": [evidence.event[i] for i in inside], "amount": net / scale},
    )
    # An event with several effects on these guarantors is one record: sum its rows.
    amount = per_row.groupby("id", sort=False)["amount"].sum()
    by_id = {e.id: e for e in typed}
    table = pd.DataFrame(
        {
            "id": list(amount.index),
            "date": [by_id[i].date for i in amount.index],
            "title": [by_id[i].summary for i in amount.index],
            "amount": amount.to_numpy(dtype=np.float64),
        },
        columns=_EVIDENCE_COLUMNS,
    )
    table = table[table["amount"] != 0].sort_values(["date", "id"], kind="stable")
    who = " and ".join(guarantors)
    mean = " (mean over the guarantors)" if len(guarantors) > 1 else ""
    return Observation(
        assumption=assumption,
        observable=f"net evidence a year about {who}",
        unit="observations per year",
        definition=(
            f"events dated after {start} and on or before {end}: each effect on {who} "
            "counts its strength's weight (trust.weight_*), plus for +1 and minus for -1, "
            "in full when it names no protege and times trust.spillover when it names one "
            f"(the general view); summed, divided by {years:.2f} years{mean}"
        ),
        reading="estimate",
        window=f"{start} to {end}",
        value=float(net.sum() / scale) if len(inside) else 0.0,
        evidence=table.reset_index(drop=True),
    )


def crisis_rate(
    world: World, assumption: str, window: tuple[int, int] = CRISIS_WINDOW
) -> Observation:
    """Russian challenges per state and year in the crises table, for the group of states
    ``assumption`` concerns (:data:`CRISIS_GROUPS`): the observable of a crisis rate.

    Counted by :func:`umbrella.data.baserates.challenge_rates` (MID rows, Russia acting
    first, hostility 2 or more, each state-year in the group the state was in that year).
    The model's rate counts crisis *opportunities*, of which only some become challenges,
    so the value is a lower bound on the assumption.

    Examples
    --------
    >>> import umbrella
    >>> seen = crisis_rate(umbrella.load_world(), "crisis.rate_nato")
    >>> seen.reading, round(seen.value, 3)
    ('lower bound', 0.037)
    """
    group = CRISIS_GROUPS.get(assumption)
    if group is None:
        raise UsageError(f"{assumption} has no crisis observable")
    first, last = window
    rates = challenge_rates(world, dataset=CRISIS_DATASET, start=first, end=last)
    challenges = int(rates["challenges"].to_numpy()[rates.index.get_loc(group)])
    state_years = int(rates["state_years"].to_numpy()[rates.index.get_loc(group)])
    where = "NATO members" if group == "nato" else "European states outside NATO"
    return Observation(
        assumption=assumption,
        observable=f"Russian challenges a year per state, {where}",
        unit="challenges per state-year",
        definition=(
            f"rows of the crises table from {CRISIS_DATASET} where Russia acted first at "
            f"hostility 2 or more against {where} (by membership that year), {first}-{last}: "
            f"{challenges} challenges over {state_years} state-years; "
            "a lower bound on crisis opportunities, of which only some become challenges"
        ),
        reading="lower bound",
        window=f"{first}-{last}",
        value=challenges / state_years if state_years else math.nan,
        evidence=pd.DataFrame(columns=_EVIDENCE_COLUMNS),
    )


def reading_date(scenario: Scenario, world: World) -> dt.date:
    """The date the trust observables read up to: the scenario's evidence date, or the
    latest event if the data (with a user's overlay) run past it."""
    dates = [e.date for e in world.records["events"].values() if isinstance(e, Event)]
    return max([scenario.as_of, *dates])


def observe(
    scenario: Scenario, world: World | None = None, since: dt.date | None = None
) -> dict[str, Observation]:
    """The observation of every assumption of ``scenario`` that has an observable.

    Parameters
    ----------
    scenario
        Its ``future_evidence`` says which guarantors each trust flow carries; its registry
        gives the trust weights and spillover (their defaults: the fit to the polls).
    world
        The dataset to read (default the scenario's own).
    since
        Start of the trust observables' window (default :data:`WINDOW_YEARS` years before
        :func:`reading_date`).
    """
    world = scenario.world if world is None else world
    end = reading_date(scenario, world)
    start = since if since is not None else _years_before(end, WINDOW_YEARS)
    registry = scenario.registry
    weights = {s: registry[f"trust.weight_{s}"].default for s in STRENGTHS}
    carried: dict[str, list[str]] = {}
    for guarantor in scenario.guarantors:
        name = scenario.future_evidence.get(guarantor)
        if name is not None:
            carried.setdefault(name, []).append(guarantor)
    events = [e for e in world.records["events"].values() if isinstance(e, Event)]
    found = {
        name: trust_flow(
            events, name, who, weights, registry["trust.spillover"].default, start, end
        )
        for name, who in carried.items()
    }
    for name in CRISIS_GROUPS:
        if name in registry:
            found[name] = crisis_rate(world, name)
    return found


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def unobserved_reason(name: str) -> str:
    """Why ``name`` has no observable (:data:`UNOBSERVED`).

    >>> unobserved_reason("game.challenger_gain").split(":")[0]
    'a payoff of the deterrence game'
    """
    for pattern, reason in UNOBSERVED:
        if fnmatchcase(name, pattern):
            return reason
    return "no estimator on the dataset is defined for it"


def trigger_status(
    value: float, low: float, high: float, margin: float
) -> tuple[Literal["fired", "near", "not"], float]:
    """The status of a trigger ``low <= assumption <= high`` given the observable's
    ``value``, and the gap: how far the value lies outside the bounds (0 when inside).

    Near: outside by at most ``margin`` (in the value's unit).

    >>> trigger_status(0.04, 0.05, math.inf, 0.0475)
    ('near', 0.010000000000000002)
    >>> trigger_status(-3.0, -math.inf, 1.5, 1.5)
    ('fired', 0.0)
    """
    if low <= value <= high:
        return "fired", 0.0
    gap = low - value if value < low else value - high
    return ("near" if gap <= margin else "not"), float(gap)


def reading_year(
    option: str, box: pd.DataFrame, scenario: Scenario, *, first_effect: float | None = None
) -> int:
    """The year by which the signposts of ``option`` must be read.

    The year the option first acts (its start year plus its years to first effect, at their
    defaults, rounded down: a change of course must be decided before the option's effect
    is locked in), or, if the box restricts an assumption counted in years (a start year, a
    stress's year), the earliest year the box allows on it where that is earlier: the
    failure can begin then. Never before the scenario's start year nor after its horizon.
    """
    if first_effect is None:
        try:
            start = float(scenario.option_field(option, "start_year"))
            lead = float(scenario.option_field(option, "years_to_first_effect"))
            first_effect = start + lead
        except (KeyError, UmbrellaError):
            first_effect = float(scenario.start_year)
    year = math.floor(first_effect)
    for name, low in box[["uncertainty", "low"]].itertuples(index=False):
        assumption = scenario.registry.get(str(name))
        if assumption is not None and assumption.unit == "year":
            year = min(year, math.ceil(max(float(low), assumption.low)))
    return int(min(max(year, scenario.start_year), scenario.horizon))


def evaluate(
    boxes: Mapping[str, pd.DataFrame],
    observations: Mapping[str, Observation],
    ranges: Mapping[str, tuple[float, float]],
    read_by: Mapping[str, int],
    margin: float = NEAR_MARGIN,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The signposts of the boxes and what has no observable.

    Parameters
    ----------
    boxes
        Option -> its box of failure (:attr:`~umbrella.explore.discovery.PrimResult.box`:
        ``uncertainty``, ``low``, ``high``, unmoved faces infinite).
    observations
        Assumption -> its :class:`Observation` (:func:`observe`).
    ranges
        Assumption -> its sampled range (low, high): the scale of the near margin.
    read_by
        Option -> the year its signposts must be read by (:func:`reading_year`).
    margin
        Near: the observable misses the box by at most this share of the range.

    Returns
    -------
    tuple of pandas.DataFrame
        The signposts (:data:`COLUMNS`; ``events`` a list of records per row), fired first,
        then near, then the rest, each by reading year, option and assumption; and the
        box restrictions without an observable (``option``, ``assumption``, ``low``,
        ``high``, ``reason``).
    """
    if not 0.0 <= margin <= 1.0:
        raise UsageError(f"the near margin must lie in [0, 1] (got {margin})")
    rows: list[dict[str, object]] = []
    missing: list[dict[str, object]] = []
    for option, box in boxes.items():
        for name, low, high in box[["uncertainty", "low", "high"]].itertuples(index=False):
            name, low, high = str(name), float(low), float(high)
            seen = observations.get(name)
            if seen is None or (seen.reading == "lower bound" and math.isinf(low)):
                reason = unobserved_reason(name) if seen is None else _LOWER_BOUND_ONLY
                missing.append(
                    {"option": option, "assumption": name, "low": low, "high": high,
                     "reason": reason}
                )  # fmt: skip
                continue
            note = ""
            if seen.reading == "lower bound" and not math.isinf(high):
                # Only the lower face can be read on a lower bound.
                note = f"upper face ({high:.3g}) dropped: {_LOWER_BOUND_ONLY}"
                high = math.inf
            span_low, span_high = ranges.get(name, (math.nan, math.nan))
            tolerance = margin * (span_high - span_low)
            if not math.isfinite(tolerance):
                tolerance = 0.0
            if not span_low <= seen.value <= span_high and seen.reading == "estimate":
                # PRIM's box describes the sampled futures only: beyond the range the run
                # has no futures, so the trigger there is an extrapolation of the box.
                outside = (
                    f"the value lies outside the range the run sampled ({span_low:.3g} to "
                    f"{span_high:.3g}): the run has no futures there"
                )
                note = f"{note}; {outside}" if note else outside
            status, gap = trigger_status(seen.value, low, high, tolerance)
            direction = _direction(low, high)
            rows.append(
                {
                    "option": option,
                    "assumption": name,
                    "direction": direction,
                    "low": low,
                    "high": high,
                    "trigger": _trigger(name, low, high),
                    "observable": seen.observable,
                    "unit": seen.unit,
                    "definition": seen.definition,
                    "reading": seen.reading,
                    "window": seen.window,
                    "read_by": int(read_by.get(option, 0)),
                    "value": seen.value,
                    "gap": gap,
                    "margin": tolerance,
                    "status": status,
                    "note": note,
                    "events": _events_toward(seen.evidence, direction),
                }
            )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    if not table.empty:
        rank = table["status"].map({s: i for i, s in enumerate(STATUSES)})
        order = np.lexsort(
            (table["assumption"], table["option"], table["read_by"], rank.to_numpy())
        )
        table = table.iloc[order].reset_index(drop=True)
    return table, pd.DataFrame(missing, columns=["option", "assumption", "low", "high", "reason"])


def _direction(low: float, high: float) -> str:
    if math.isinf(high):
        return "at least"
    if math.isinf(low):
        return "at most"
    return "between"


def _trigger(name: str, low: float, high: float) -> str:
    """The trigger in words, as PRIM's :meth:`describe` puts a box."""
    if math.isinf(high):
        return f"{name} >= {low:.3g}"
    if math.isinf(low):
        return f"{name} <= {high:.3g}"
    return f"{low:.3g} <= {name} <= {high:.3g}"


def _events_toward(evidence: pd.DataFrame, direction: str) -> list[dict[str, object]]:
    """The records behind a value, those that push it toward the trigger first (largest
    first), then the others (largest first): what made a trigger fire or come near."""
    if evidence.empty:
        return []
    amount = evidence["amount"].to_numpy(dtype=np.float64)
    toward = amount > 0 if direction == "at least" else amount < 0
    if direction == "between":
        toward = np.zeros(len(amount), dtype=bool)
    order = np.lexsort((evidence["id"].to_numpy(), -np.abs(amount), ~toward))
    records = []
    for i in order:
        row = evidence.iloc[int(i)]
        records.append(
            {
                "id": str(row["id"]),
                "date": str(row["date"]),
                "title": str(row["title"]),
                "amount": float(row["amount"]),
                "toward": bool(toward[i]),
            }
        )
    return records


@dataclass(frozen=True, eq=False)
class SignpostReport:
    """The signposts of a run, read against a dataset.

    Attributes
    ----------
    table, unobserved
        As :func:`evaluate` returns them.
    boxes
        Per option asked: ``coverage``, ``density``, ``n_failures``, ``n_futures`` of its
        box, the number of restrictions and the box in words; an option PRIM found no box
        for (it never or always fails) has ``error`` instead.
    fail_below, margin
        Failure is ``holds_europe`` below ``fail_below``; the near margin.
    observations
        Every observation read, by assumption.
    """

    run_id: str | None
    table: pd.DataFrame
    unobserved: pd.DataFrame
    boxes: dict[str, dict[str, object]]
    observations: dict[str, Observation]
    fail_below: float
    margin: float
    # The scenario's pathway steps that wait for a signpost, read the same way: the table
    # of :func:`evaluate` with ``option`` the pathway and ``step`` the option it adds.
    pathways: pd.DataFrame = field(default_factory=pd.DataFrame)


def signposts(
    run: Run,
    world: World | None = None,
    options: Sequence[str] | None = None,
    *,
    fail_below: float = SATISFICING,
    since: dt.date | None = None,
    margin: float = NEAR_MARGIN,
) -> SignpostReport:
    """The signposts of ``run``'s options, read against ``world`` (default the dataset the
    run was made with).

    Each option's box is :meth:`~umbrella.explore.run.Run.prim` of ``holds_europe`` below
    ``fail_below``; ranges and reading years come from the run's scenario.

    Raises
    ------
    UsageError
        For an option the run does not have, or a ``fail_below`` outside (0, 1).
    """
    if not 0.0 < fail_below < 1.0:
        raise UsageError(f"--fail-below {fail_below}: give a probability between 0 and 1")
    scenario = run.scenario
    ids = [o.id for o in scenario.options]
    chosen = list(dict.fromkeys(options)) if options else ids
    unknown = [o for o in chosen if o not in ids]
    if unknown:
        raise UsageError(
            f"unknown option {', '.join(unknown)}; the run's options: {', '.join(ids)}"
        )
    observations = observe(scenario, world, since)
    boxes: dict[str, pd.DataFrame] = {}
    facts: dict[str, dict[str, object]] = {}
    for option in chosen:
        try:
            found = run.prim(option, "holds_europe", fail_below)
        except UsageError as error:
            # An option that never (or always) fails has no box: say so, do not stop.
            facts[option] = {"error": str(error).removeprefix("prim: ")}
            continue
        boxes[option] = found.box
        facts[option] = {
            "coverage": found.coverage,
            "density": found.density,
            "n_failures": found.n_failures,
            "n_futures": found.n_futures,
            "restrictions": len(found.box),
            "box": found.describe(),
        }
    ranges = {name: (a.low, a.high) for name, a in scenario.registry.items()}
    read_by = {option: reading_year(option, box, scenario) for option, box in boxes.items()}
    table, unobserved = evaluate(boxes, observations, ranges, read_by, margin)
    steps, _ = pathway_signposts(scenario, observations, margin, chosen)
    return SignpostReport(
        run_id=run.run_id,
        table=table,
        unobserved=unobserved,
        boxes=facts,
        observations=observations,
        fail_below=fail_below,
        margin=margin,
        pathways=steps,
    )


def pathway_signposts(
    scenario: Scenario,
    observations: Mapping[str, Observation],
    margin: float = NEAR_MARGIN,
    options: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The signposts the scenario's pathways wait for, read against ``observations``.

    Each step with a ``when`` is a box on one assumption, below or above its threshold
    (:class:`umbrella.model.registry.Trigger`), read by its year: it has *fired* on today's
    evidence where the observable lies inside, and the pathway would take the step. As
    :func:`evaluate` returns them, with ``option`` the pathway and ``step`` the option the
    step adds (``options``: the pathways to read; default every one).
    """
    boxes: dict[str, pd.DataFrame] = {}
    read_by: dict[str, int] = {}
    steps: dict[str, tuple[str, str]] = {}
    for spec in scenario.options:
        if options is not None and spec.id not in options:
            continue
        for part in spec.components:
            trigger = part.trigger
            if trigger is None:
                continue
            key = f"{spec.id}/{part.option}"
            low, high = (
                (-math.inf, trigger.threshold) if trigger.below else (trigger.threshold, math.inf)
            )
            boxes[key] = pd.DataFrame(
                {"uncertainty": [trigger.assumption], "low": [low], "high": [high]}
            )
            read_by[key] = trigger.read_by
            steps[key] = (spec.id, part.option)
    ranges = {name: (a.low, a.high) for name, a in scenario.registry.items()}
    table, missing = evaluate(boxes, observations, ranges, read_by, margin)
    for frame in (table, missing):
        keys = frame["option"].astype(str).tolist()
        frame.insert(1, "step", [steps[k][1] for k in keys])
        frame["option"] = [steps[k][0] for k in keys]
    return table, missing
