"""Trust trajectories per guarantor and protege view, and the trust state at one date.

:func:`trajectories` runs the monthly recursion of :mod:`umbrella.trust.beta` over the
evidence of :mod:`umbrella.trust.evidence` and labels the result; :func:`trust_state`
evaluates the same decayed sums in closed form at one date, for the model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import numpy.typing as npt
import xarray as xr

from umbrella.data.schema import Event
from umbrella.data.world import World
from umbrella.errors import UsageError
from umbrella.trust.assumptions import ASSUMPTIONS
from umbrella.trust.beta import (
    decay_weights,
    forgetting_factor,
    posterior_mean,
    posterior_quantiles,
    prior_parameters,
    step,
)
from umbrella.trust.evidence import (
    STRENGTHS,
    Evidence,
    collect_evidence,
    month_index,
    spread,
    view_of,
    weigh,
)

__all__ = ["GUARANTORS", "REFERENCE", "TrustState", "parse_month", "trajectories", "trust_state"]

FloatArray = npt.NDArray[np.float64]
MonthLike = str | dt.date

GUARANTORS = ("USA", "GBR", "FRA")
"""The guarantors the trust assumptions give a prior for."""
REFERENCE = (
    "A. Josang and R. Ismail, 'The Beta Reputation System', Proceedings of the 15th Bled "
    "Electronic Commerce Conference, Bled, Slovenia, 2002"
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})(-(\d{2}))?$")


@dataclass(frozen=True, eq=False)
class TrustState:
    """Decayed evidence and priors at one date, per sample, guarantor and protege.

    The posterior of guarantor ``g`` seen from protege ``p`` in sample ``i`` is
    ``Beta(prior_alpha[i, g] + positive[i, g, p], prior_beta[i, g] + negative[i, g, p])``.
    ``monthly_decay`` lets a caller carry the state forward: after ``k`` more months without
    evidence, ``positive * monthly_decay[:, None, None] ** k``.

    Attributes
    ----------
    guarantors, proteges
        Labels of axes 1 and 2 (proteges as passed in, not their views).
    as_of
        The date of the state; it counts events dated on or before it.
    positive, negative
        Decayed evidence ``r`` and ``s``, shape ``(n_samples, n_guarantors, n_proteges)``.
    prior_alpha, prior_beta
        The prior, shape ``(n_samples, n_guarantors)``.
    monthly_decay
        The forgetting factor ``lam``, shape ``(n_samples,)``.
    """

    guarantors: tuple[str, ...]
    proteges: tuple[str, ...]
    as_of: dt.date
    positive: FloatArray
    negative: FloatArray
    prior_alpha: FloatArray
    prior_beta: FloatArray
    monthly_decay: FloatArray

    def mean(self) -> FloatArray:
        """Posterior mean trust, shape ``(n_samples, n_guarantors, n_proteges)``."""
        return posterior_mean(
            self.prior_alpha[:, :, None] + self.positive,
            self.prior_beta[:, :, None] + self.negative,
        )


@dataclass(frozen=True)
class _Parameters:
    """The trust assumptions of every sample, in the shapes the arithmetic needs."""

    values: dict[str, FloatArray]
    monthly_decay: FloatArray  # (n,)
    spillover: FloatArray  # (n,)
    weights: FloatArray  # (n, 3), one column per strength level
    negative_multiplier: FloatArray  # (n,)
    prior_alpha: FloatArray  # (n, n_guarantors)
    prior_beta: FloatArray  # (n, n_guarantors)


def trajectories(
    world: World,
    params: Mapping[str, npt.ArrayLike] | None = None,
    *,
    start: MonthLike = "2014-01",
    end: MonthLike | None = None,
    guarantors: Sequence[str] = GUARANTORS,
    level: float = 0.9,
) -> xr.Dataset:
    """Monthly trust in each guarantor, per protege view, for every sample of the parameters.

    Evidence from every event up to ``end`` counts, including events before ``start``
    (``start`` only trims the months returned). The value of a month is the state at its
    end, after that month's events.

    Parameters
    ----------
    world
        The dataset (:func:`umbrella.load_world`); its events give the evidence.
    params
        Assumption name -> values, one per sample (:func:`umbrella.assumptions.resolve` of
        :data:`umbrella.trust.ASSUMPTIONS`). Trust assumptions left out take their
        defaults; other names are ignored. Default: one sample at the defaults.
    start, end
        First and last month, as ``"YYYY-MM"`` or a date. ``end`` defaults to the month
        of the last event.
    guarantors
        ISO3 codes of guarantors with a prior (``trust.prior_mean_<iso3>``).
    level
        Probability of the equal-tailed credible interval ``[low, high]``.

    Returns
    -------
    xarray.Dataset
        Dims ``(sample, guarantor, view, month)``; variables ``mean``, ``low``, ``high``,
        ``alpha``, ``beta``; the trust assumptions as coordinates on ``sample``; the
        model, reference, level and data span in ``attrs``.

    Raises
    ------
    UsageError
        For an unknown guarantor, a malformed month, ``start`` after ``end``, parameters
        out of their domain or a ``level`` outside (0, 1).

    Examples
    --------
    >>> import umbrella
    >>> ds = trajectories(umbrella.load_world(), start="2025-01", end="2025-04")
    >>> dict(ds.sizes)
    {'sample': 1, 'guarantor': 3, 'view': 12, 'month': 4}
    >>> feb, mar = ds["mean"].sel(guarantor="USA", view="UKR").isel(sample=0)[1:3].values
    >>> bool(mar < feb)
    True
    """
    guarantors = _check_guarantors(guarantors)
    if not 0.0 < level < 1.0:
        raise UsageError(f"level must lie strictly between 0 and 1 (got {level})")
    parameters = _parameters(params, guarantors)
    events = _events(world)
    first = parse_month(start, "start")
    last = (
        parse_month(end, "end")
        if end is not None
        else max((month_index(e.date) for e in events), default=first)
    )
    if first > last:
        raise UsageError(f"start {_label(first)} is after end {_label(last)}")
    evidence = collect_evidence(events, guarantors)
    keep = evidence.month <= last
    origin = min(first, int(evidence.month.min())) if evidence.month.size else first
    months = np.arange(origin, last + 1)
    bounds = np.searchsorted(evidence.month[keep], np.append(months, last + 1))
    amounts = weigh(evidence, parameters.weights, parameters.negative_multiplier)[:, keep]
    direct, spill = evidence.direct[keep], evidence.spill[keep]

    n, shape = amounts.shape[0], (len(guarantors), len(evidence.views))
    decay = parameters.monthly_decay[:, None, None]
    positive, negative = np.zeros((n, *shape)), np.zeros((n, *shape))
    r_out, s_out = np.empty((last - first + 1, n, *shape)), np.empty((last - first + 1, n, *shape))
    for index, month in enumerate(months):  # the one loop: over months
        rows = slice(bounds[index], bounds[index + 1])
        new = spread(amounts[:, rows], parameters.spillover, direct[rows], spill[rows])
        positive, negative = step(positive, negative, new[:, 0], new[:, 1], decay)
        if month >= first:
            r_out[month - first], s_out[month - first] = positive, negative

    # (month, sample, guarantor, view) -> (sample, guarantor, view, month)
    alpha = parameters.prior_alpha[:, :, None, None] + np.moveaxis(r_out, 0, -1)
    beta = parameters.prior_beta[:, :, None, None] + np.moveaxis(s_out, 0, -1)
    low, high = posterior_quantiles(alpha, beta, level)
    dims = ("sample", "guarantor", "view", "month")
    return xr.Dataset(
        {
            "mean": (dims, posterior_mean(alpha, beta), _attrs("posterior mean trust")),
            "low": (dims, low, _attrs(f"lower bound of the {level:.0%} credible interval")),
            "high": (dims, high, _attrs(f"upper bound of the {level:.0%} credible interval")),
            "alpha": (dims, alpha, _attrs("Beta alpha: prior + decayed positive evidence")),
            "beta": (dims, beta, _attrs("Beta beta: prior + decayed negative evidence")),
        },
        coords={
            "sample": np.arange(n),
            "guarantor": list(guarantors),
            "view": list(evidence.views),
            "month": np.arange(first, last + 1).astype("datetime64[M]").astype("datetime64[ns]"),
            **{name: ("sample", values) for name, values in parameters.values.items()},
        },
        attrs=_provenance(evidence, level, first, last),
    )


def trust_state(
    world: World,
    params: Mapping[str, npt.ArrayLike] | None,
    as_of: dt.date,
    guarantors: Sequence[str],
    proteges: Sequence[str],
) -> TrustState:
    """The decayed evidence and priors at ``as_of``, for every sample, guarantor and protege.

    Evaluates ``r_T = sum_t lam ** (T - t) * e_t`` in closed form over the events dated on
    or before ``as_of`` (``T`` its month): the same numbers as :func:`trajectories` at the
    end of that month when no later event falls in the month, without storing any month.

    Parameters
    ----------
    world, params, guarantors
        As for :func:`trajectories` (``params=None``: one sample at the defaults).
    as_of
        The date of the state.
    proteges
        ISO3 codes; each reads the view of its own if an effect names it, else ``"others"``.

    Returns
    -------
    TrustState

    Raises
    ------
    UsageError
        For an unknown guarantor or parameters out of their domain.

    Examples
    --------
    >>> import umbrella
    >>> state = trust_state(
    ...     umbrella.load_world(), None, dt.date(2025, 3, 31), ["USA"], ["UKR", "EST"]
    ... )
    >>> state.positive.shape
    (1, 1, 2)
    >>> ukraine, estonia = state.mean()[0, 0]
    >>> bool(ukraine < estonia)
    True
    """
    guarantors = _check_guarantors(guarantors)
    parameters = _parameters(params, guarantors)
    evidence = collect_evidence(_events(world), guarantors).until(as_of)
    ages = month_index(as_of) - evidence.month
    amounts = weigh(evidence, parameters.weights, parameters.negative_multiplier)
    amounts *= decay_weights(ages, parameters.monthly_decay)
    routed = spread(amounts, parameters.spillover, evidence.direct, evidence.spill)
    columns = [evidence.views.index(view_of(p, evidence.views)) for p in proteges]
    return TrustState(
        guarantors=guarantors,
        proteges=tuple(proteges),
        as_of=as_of,
        positive=np.take(routed[:, 0], columns, axis=-1),  # (n, guarantor, protege)
        negative=np.take(routed[:, 1], columns, axis=-1),
        prior_alpha=parameters.prior_alpha,
        prior_beta=parameters.prior_beta,
        monthly_decay=parameters.monthly_decay,
    )


def parse_month(value: MonthLike, name: str = "month") -> int:
    """A month as ``"YYYY-MM"`` (a day may follow) or a date -> months since January 1970.

    Raises
    ------
    UsageError
        If the text is not a real month; the message names ``name``.

    Examples
    --------
    >>> parse_month("2025-03") - parse_month(dt.date(2024, 3, 9))
    12
    """
    if isinstance(value, dt.date):
        return month_index(value)
    match = _MONTH.match(str(value).strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"{name} '{value}': expected a month as YYYY-MM (e.g. 2022-01)")
    if match.group(4) is not None:
        try:
            dt.date(int(match.group(1)), int(match.group(2)), int(match.group(4)))
        except ValueError:
            raise UsageError(f"{name} '{value}': not a real date (use YYYY-MM)") from None
    return (int(match.group(1)) - 1970) * 12 + int(match.group(2)) - 1


def _label(month: int) -> str:
    return str(np.datetime64(month, "M"))


def _events(world: World) -> list[Event]:
    return [r for r in world.records["events"].values() if isinstance(r, Event)]


def _check_guarantors(guarantors: Sequence[str]) -> tuple[str, ...]:
    prefix = "trust.prior_mean_"
    known = [a.name.removeprefix(prefix).upper() for a in ASSUMPTIONS if a.name.startswith(prefix)]
    chosen = tuple(guarantors)
    for guarantor in chosen:
        if guarantor not in known:
            raise UsageError(
                f"unknown guarantor '{guarantor}'; guarantors with a prior "
                f"(trust.prior_mean_<iso3>) are {', '.join(known)}"
            )
    if not chosen or len(set(chosen)) != len(chosen):
        raise UsageError(f"name each guarantor once (got {', '.join(chosen) or 'none'})")
    return chosen


def _parameters(
    params: Mapping[str, npt.ArrayLike] | None, guarantors: Sequence[str]
) -> _Parameters:
    given = {
        a.name: np.atleast_1d(np.asarray(params[a.name], dtype=np.float64))
        for a in ASSUMPTIONS
        if params is not None and a.name in params
    }
    for name, value in given.items():
        if value.ndim != 1:
            raise UsageError(
                f"assumption {name}: expected one value per sample (got {value.shape})"
            )
    n = max((v.shape[0] for v in given.values()), default=1)
    values: dict[str, FloatArray] = {}
    for assumption in ASSUMPTIONS:
        value = given.get(assumption.name, np.array([assumption.default]))
        if value.shape[0] not in (1, n):
            raise UsageError(
                f"assumption {assumption.name}: expected {n} samples, got {value.shape[0]}"
            )
        values[assumption.name] = np.broadcast_to(value, (n,)).astype(np.float64)
    _check_domain(values, "trust.half_life_months", 0.0, np.inf, open_low=True)
    _check_domain(values, "trust.spillover", 0.0, 1.0)
    for strength in STRENGTHS:
        _check_domain(values, f"trust.weight_{strength}", 0.0, np.inf)
    _check_domain(values, "trust.negative_multiplier", 0.0, np.inf)
    _check_domain(values, "trust.prior_strength", 0.0, np.inf, open_low=True)
    means = []
    for guarantor in guarantors:
        name = f"trust.prior_mean_{guarantor.lower()}"
        _check_domain(values, name, 0.0, 1.0, open_low=True, open_high=True)
        means.append(values[name])
    prior_alpha, prior_beta = prior_parameters(
        np.stack(means, axis=1), values["trust.prior_strength"][:, None]
    )
    return _Parameters(
        values=values,
        monthly_decay=forgetting_factor(values["trust.half_life_months"]),
        spillover=values["trust.spillover"],
        weights=np.stack([values[f"trust.weight_{s}"] for s in STRENGTHS], axis=1),
        negative_multiplier=values["trust.negative_multiplier"],
        prior_alpha=prior_alpha,
        prior_beta=prior_beta,
    )


def _check_domain(
    values: Mapping[str, FloatArray],
    name: str,
    low: float,
    high: float,
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> None:
    value = values[name]
    above = value > low if open_low else value >= low
    below = value < high if open_high else value <= high
    bad = np.flatnonzero(~(above & below))
    if bad.size:
        interval = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
        raise UsageError(
            f"assumption {name}: must lie in {interval} (got {value[bad[0]]:g} in sample {bad[0]})"
        )


def _attrs(long_name: str) -> dict[str, str]:
    units = "observations" if long_name.startswith("Beta") else "probability"
    return {"long_name": long_name, "units": units}


def _provenance(evidence: Evidence, level: float, first: int, last: int) -> dict[str, object]:
    try:
        umbrella_version = version("umbrella")
    except PackageNotFoundError:  # a source tree that was never installed
        umbrella_version = "0.0.0"
    used = evidence.date[evidence.month <= last]
    return {
        "title": "Trust in guarantors: Beta reputation with forgetting",
        "model": (
            "Beta(alpha0 + r, beta0 + s); each month r <- lam * r + new_r and "
            "s <- lam * s + new_s with lam = 0.5 ** (1 / trust.half_life_months); "
            "the prior (alpha0, beta0) does not decay"
        ),
        "references": REFERENCE,
        "documentation": "docs/trust.md",
        "level": level,
        "month_convention": "state at the end of each month, after that month's events",
        "views": "a protege named in an effect has its own view; all others share 'others'",
        "start": _label(first),
        "end": _label(last),
        "n_effects": int(used.size),
        "n_events": len(
            {e for e, m in zip(evidence.event, evidence.month, strict=True) if m <= last}
        ),
        "first_evidence": str(used.min()) if used.size else "",
        "last_evidence": str(used.max()) if used.size else "",
        "umbrella_version": umbrella_version,
    }
