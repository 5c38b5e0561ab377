"""What an option does over time: its ramp to full effect, costs, proliferation, Ukraine.

All functions take parameters with a leading sample axis and return (sample, year) arrays.

- **Ramp.** With t the years since the option's start, an option has no effect before
  ``years_to_first_effect``, full effect from ``years_to_full_effect``, and in between
  ``(t - first + 1) / (full - first + 1)``.
- **Costs.** Capital spending is spread evenly over the years to full effect (at least one
  year); running costs are paid from the first effect on. The net present value discounts
  each year's spending to the start year at ``discount_rate``.
- **Proliferation.** ``status quo + ramp x (option's index - status quo)``, rubric in
  docs/model.md.
- **Ukraine support.** ``baseline + ramp x (added aid + isr_autonomy x value of
  intelligence + coordination x coordination gain x baseline) - diversion share x new
  nuclear spending``; the positive and negative channels are kept apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from umbrella.assumptions import Parameters
from umbrella.model.registry import OptionSpec

__all__ = [
    "discount_factors",
    "lever",
    "npv",
    "present_value",
    "proliferation",
    "ramp",
    "spending",
    "ukraine_support",
]

FloatArray = npt.NDArray[np.float64]


def _per_sample(values: FloatArray, samples_last: bool) -> FloatArray:
    """(sample,) values, shaped to broadcast against (sample, year) or (year, sample)."""
    return values if samples_last else values[:, None]


def _per_year(years: Sequence[int], samples_last: bool) -> FloatArray:
    values = np.asarray(years, dtype=np.float64)
    return values[:, None] if samples_last else values[None, :]


def _field(params: Parameters, option: OptionSpec, name: str, samples_last: bool) -> FloatArray:
    return _per_sample(params[f"option.{option.id}.{name}"], samples_last)


def lever(params: Parameters, option: OptionSpec, name: str) -> FloatArray:
    """The option's lever ``name`` at full effect (sample, 1); 0 if it does not pull it."""
    key = f"option.{option.id}.{name}"
    if key not in params:
        return np.zeros((next(iter(params.values())).shape[0], 1))
    return params[key][:, None]


def _lever(params: Parameters, option: OptionSpec, name: str, samples_last: bool) -> FloatArray:
    values = lever(params, option, name)[:, 0]
    return _per_sample(values, samples_last)


def ramp(
    params: Parameters, option: OptionSpec, years: Sequence[int], *, samples_last: bool = False
) -> FloatArray:
    """Share of full effect reached in each year (sample, year), between 0 and 1.

    With ``samples_last`` every function of this module works on (year, sample) arrays
    instead, the layout of :mod:`umbrella.model.summary`.
    """
    t = _per_year(years, samples_last) - _field(params, option, "start_year", samples_last)
    first = _field(params, option, "years_to_first_effect", samples_last)
    full = _field(params, option, "years_to_full_effect", samples_last)
    partial = (t - first + 1.0) / np.maximum(full - first + 1.0, 1.0)
    # Masks times values rather than np.where (a branch per element): exact, and cheaper.
    share = np.maximum(np.clip(partial, 0.0, 1.0), t >= full)
    share *= t >= first
    return share


def spending(
    params: Parameters, option: OptionSpec, years: Sequence[int], *, samples_last: bool = False
) -> FloatArray:
    """Spending on the option in each year, EUR bn (sample, year)."""
    t = _per_year(years, samples_last) - _field(params, option, "start_year", samples_last)
    first = _field(params, option, "years_to_first_effect", samples_last)
    full = _field(params, option, "years_to_full_effect", samples_last)
    build_years = np.maximum(np.ceil(full), 1.0)
    capex = _field(params, option, "capex_eur_bn", samples_last) / build_years
    capex = ((t >= 0) & (t < build_years)) * capex
    opex = (t >= first) * _field(params, option, "opex_eur_bn_per_year", samples_last)
    return capex + opex


def npv(flows: FloatArray, years: Sequence[int], start_year: int, rate: FloatArray) -> FloatArray:
    """Net present value (sample,) of yearly flows (sample, year) at ``rate`` (sample,)."""
    return present_value(flows, discount_factors(years, start_year, rate))


def discount_factors(
    years: Sequence[int], start_year: int, rate: FloatArray, *, samples_last: bool = False
) -> FloatArray:
    """``(1 + rate) ** (year - start_year)`` (sample, year): what a unit paid then costs now."""
    offsets = _per_year(years, samples_last) - start_year
    factors: FloatArray = (1.0 + _per_sample(rate, samples_last)) ** offsets
    return factors


def present_value(
    flows: FloatArray, factors: FloatArray, *, samples_last: bool = False
) -> FloatArray:
    """Net present value (sample,) of yearly flows with :func:`discount_factors`."""
    present: FloatArray = np.sum(flows / factors, axis=0 if samples_last else 1)
    return present


def proliferation(
    params: Parameters, option: OptionSpec, share: FloatArray, *, samples_last: bool = False
) -> FloatArray:
    """Non-proliferation risk index (sample, year)."""
    base = _per_sample(params["proliferation.status_quo"], samples_last)
    if "proliferation" not in option.levers:
        return np.broadcast_to(base, share.shape).copy()
    return base + share * (_lever(params, option, "proliferation", samples_last) - base)


def ukraine_support(
    params: Parameters,
    option: OptionSpec,
    share: FloatArray,
    spent: FloatArray,
    *,
    samples_last: bool = False,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Support to Ukraine (sample, year), EUR bn per year: total, positive, negative channel.

    The negative channel is the share of the option's spending diverted from budgets that
    would otherwise support Ukraine; only nuclear options divert.
    """

    def value(name: str) -> FloatArray:
        return _per_sample(params[name], samples_last)

    def pulled(name: str) -> FloatArray:
        return _lever(params, option, name, samples_last)

    baseline = value("ukraine.baseline_eur_bn")
    gain = (
        pulled("ukraine_aid_eur_bn")
        + pulled("isr_autonomy") * value("ukraine.isr_value_eur_bn")
        + pulled("coordination") * value("ukraine.coordination_gain") * baseline
    )
    positive = share * gain
    diverted = spent if option.category == "nuclear" else np.zeros_like(spent)
    negative = value("ukraine.diversion_share") * diverted
    return baseline + positive - negative, positive, negative
