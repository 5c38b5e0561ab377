"""What an option does over time: its ramp to full effect, costs, proliferation, Ukraine.

All functions take one value per sample of each parameter and return arrays laid out
(year, sample), the sample axis last as everywhere in the model.

- **Ramp.** With t the years since the option's start, an option has no effect before
  ``years_to_first_effect``, full effect from ``years_to_full_effect``, and in between
  ``(t - first + 1) / (full - first + 1)``.
- **Costs.** Capital spending is spread evenly over the years to full effect (at least one
  year); running costs are paid from the first effect on. The net present value discounts
  each year's spending to the start year at ``discount_rate``.
- **Proliferation.** ``status quo + abandonment pressure + weight x (option's index -
  status quo)``, with the weight a share at the decision and the rest with the ramp; rubric
  and rule in docs/model.md.
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
from umbrella.ordered import sum_rows

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


def _per_year(years: Sequence[int]) -> FloatArray:
    return np.asarray(years, dtype=np.float64)[:, None]


def _field(params: Parameters, option: OptionSpec, name: str) -> FloatArray:
    return params[f"option.{option.id}.{name}"]


def lever(params: Parameters, option: OptionSpec, name: str) -> FloatArray:
    """The option's lever ``name`` at full effect (sample,); 0 if it does not pull it."""
    key = f"option.{option.id}.{name}"
    if key not in params:
        return np.zeros(next(iter(params.values())).shape[0])
    return params[key]


def ramp(params: Parameters, option: OptionSpec, years: Sequence[int]) -> FloatArray:
    """Share of full effect reached in each year (year, sample), between 0 and 1."""
    t = _per_year(years) - _field(params, option, "start_year")
    first = _field(params, option, "years_to_first_effect")
    full = _field(params, option, "years_to_full_effect")
    partial = (t - first + 1.0) / np.maximum(full - first + 1.0, 1.0)
    # Masks times values rather than np.where (a branch per element): exact, and cheaper.
    share = np.maximum(np.clip(partial, 0.0, 1.0), t >= full)
    share *= t >= first
    return share


def spending(params: Parameters, option: OptionSpec, years: Sequence[int]) -> FloatArray:
    """Spending on the option in each year, EUR bn (year, sample)."""
    t = _per_year(years) - _field(params, option, "start_year")
    first = _field(params, option, "years_to_first_effect")
    full = _field(params, option, "years_to_full_effect")
    build_years = np.maximum(np.ceil(full), 1.0)
    capex = _field(params, option, "capex_eur_bn") / build_years
    capex = ((t >= 0) & (t < build_years)) * capex
    opex = (t >= first) * _field(params, option, "opex_eur_bn_per_year")
    return capex + opex


def npv(flows: FloatArray, years: Sequence[int], start_year: int, rate: FloatArray) -> FloatArray:
    """Net present value (sample,) of yearly flows (year, sample) at ``rate`` (sample,)."""
    return present_value(flows, discount_factors(years, start_year, rate))


def discount_factors(years: Sequence[int], start_year: int, rate: FloatArray) -> FloatArray:
    """``(1 + rate) ** (year - start_year)`` (year, sample): what a unit paid then costs now."""
    factors: FloatArray = (1.0 + rate) ** (_per_year(years) - start_year)
    return factors


def present_value(flows: FloatArray, factors: FloatArray) -> FloatArray:
    """Net present value (sample,) of yearly flows with :func:`discount_factors`."""
    return sum_rows(flows / factors)


def proliferation(
    params: Parameters,
    option: OptionSpec,
    share: FloatArray,
    pressure: FloatArray,
    years: Sequence[int],
) -> FloatArray:
    """Non-proliferation risk index (year, sample), between 0 and 1.

    The status quo's index plus ``pressure`` (year, sample), what abandonment by the
    anchoring guarantor adds; an option moves it toward its own index by the share
    ``proliferation.decision_share`` from the year it is decided (the decision signals
    before anything is delivered) and the rest as its effect ramps up.
    """
    base = params["proliferation.status_quo"]
    situation = base + pressure
    if "proliferation" not in option.levers:
        return np.broadcast_to(situation, share.shape).copy()
    decided = _per_year(years) >= _field(params, option, "start_year")
    early = params["proliferation.decision_share"]
    weight = decided * (early + (1.0 - early) * share)
    index: FloatArray = np.clip(
        situation + weight * (lever(params, option, "proliferation") - base), 0.0, 1.0
    )
    return index


def ukraine_support(
    params: Parameters, option: OptionSpec, share: FloatArray, spent: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Support to Ukraine (year, sample), EUR bn per year: total, positive, negative channel.

    The negative channel is the share of the option's spending diverted from budgets that
    would otherwise support Ukraine; only nuclear options divert.
    """
    baseline = params["ukraine.baseline_eur_bn"]
    gain = (
        lever(params, option, "ukraine_aid_eur_bn")
        + lever(params, option, "isr_autonomy") * params["ukraine.isr_value_eur_bn"]
        + lever(params, option, "coordination") * params["ukraine.coordination_gain"] * baseline
    )
    positive = share * gain
    diverted = spent if option.category == "nuclear" else np.zeros_like(spent)
    negative = params["ukraine.diversion_share"] * diverted
    return baseline + positive - negative, positive, negative
