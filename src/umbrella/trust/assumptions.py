"""Assumptions of the trust model (Beta reputation with forgetting, ``docs/trust.md``).

The weights are counted in *observations*: one unit is the evidence of one Bernoulli
observation of the guarantor's reliability in the Beta reputation system of Josang & Ismail
(2002), so a prior strength of 10 is worth ten such observations.
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from typing import Any

import yaml

from umbrella.assumptions import Assumption

__all__ = ["ASSUMPTIONS", "CALIBRATION_FILE", "HAND", "calibrated", "read_calibration"]

CALIBRATION_FILE = "calibrated.yaml"
"""The fit to the polls shipped with the package (``umbrella calibrate trust --write``)."""

_PRIOR_BASIS = (
    "Sources: the base rates of alliance reliability. States honoured 74.5 per cent of "
    "their alliance obligations in wars of 1816-1944 (Leeds, Long & Mitchell 2000, Journal "
    "of Conflict Resolution 44(5)); with a wider coding of 1816-2003, 50 per cent overall, "
    "22 per cent after 1945 and 41 per cent for defence pacts (Berkemeier & Fuhrmann 2018, "
    "Research & Politics 5(2)). The default sits at the first rate; the range runs from the "
    "post-1945 rate to a reading that credits NATO's integrated command (it ran from the "
    "defence-pact rate until the fit to the polls, docs/trust.md, put the United States at "
    "the bottom of that narrower range)."
)

HAND: tuple[Assumption, ...] = (
    Assumption(
        name="trust.half_life_months",
        meaning="time for the weight of past evidence to halve",
        default=24.0,
        low=12.0,
        high=60.0,
        unit="months",
        basis="Rationale: Josang & Ismail (2002) leave the forgetting factor to the "
        "application; alliance reputations are sticky but the 2025 episode was still cited a "
        "year later (events 2026-01-22, 2026-02-13), so a half-life of one to five years.",
    ),
    Assumption(
        name="trust.spillover",
        meaning="share of an event's evidence that reaches proteges it did not directly concern",
        default=0.5,
        low=0.2,
        high=0.9,
        unit="share",
        basis="Rationale: the 2025 pause concerned Ukraine, and European capitals drew "
        "conclusions for themselves (events 2026-01-22, 2026-02-13); how much is uncertain.",
    ),
    Assumption(
        name="trust.weight_minor",
        meaning="evidence carried by a minor event",
        default=0.5,
        low=0.25,
        high=1.0,
        unit="observations",
        basis="Rationale: a routine statement or exercise; half a major pledge.",
    ),
    Assumption(
        name="trust.weight_moderate",
        meaning="evidence carried by a moderate event",
        default=1.5,
        low=0.75,
        high=3.0,
        unit="observations",
        basis="Rationale: a summit declaration, a treaty, a national strategy.",
    ),
    Assumption(
        name="trust.weight_major",
        meaning="evidence carried by a major event",
        default=4.0,
        low=2.0,
        high=8.0,
        unit="observations",
        basis="Rationale: an act that tests the guarantee itself (the 2025 intelligence pause).",
    ),
    Assumption(
        name="trust.negative_multiplier",
        meaning="how much more a failure weighs than a reassurance",
        default=1.5,
        low=1.0,
        high=3.0,
        unit="ratio",
        basis="Rationale: reputations are lost faster than they are built (negativity "
        "bias); 1 treats both alike.",
    ),
    Assumption(
        name="trust.prior_strength",
        meaning="weight of the prior reputation when the timeline starts",
        default=10.0,
        low=4.0,
        high=30.0,
        unit="observations",
        basis=_PRIOR_BASIS,
    ),
    Assumption(
        name="trust.prior_mean_usa",
        meaning="prior reliability of the United States as guarantor",
        default=0.75,
        low=0.22,
        high=0.95,
        unit="probability",
        basis=_PRIOR_BASIS,
    ),
    Assumption(
        name="trust.prior_mean_gbr",
        meaning="prior reliability of the United Kingdom as guarantor",
        default=0.75,
        low=0.22,
        high=0.95,
        unit="probability",
        basis=_PRIOR_BASIS,
    ),
    Assumption(
        name="trust.prior_mean_fra",
        meaning="prior reliability of France as guarantor",
        default=0.7,
        low=0.22,
        high=0.9,
        unit="probability",
        basis=_PRIOR_BASIS,
    ),
)
"""The trust model's assumptions as judged by hand: defaults, ranges, units and their basis.
They are the prior of the fit to the polls (:mod:`umbrella.trust.calibration`), and what a
scenario with ``trust_assumptions: hand`` samples."""


def read_calibration() -> dict[str, Any] | None:
    """The shipped fit to the polls, or None if the package has none."""
    path = resources.files("umbrella.trust") / CALIBRATION_FILE
    if not path.is_file():
        return None
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def calibrated(hand: tuple[Assumption, ...] = HAND) -> tuple[Assumption, ...]:
    """The trust assumptions with the fitted default (posterior median) and range (5-95%)
    where the shipped fit gives them; the hand values where it does not."""
    fit = read_calibration()
    if fit is None:
        return hand
    fitted = fit["assumptions"]
    result = []
    for a in hand:
        if a.name not in fitted:
            result.append(a)
            continue
        f = fitted[a.name]
        basis = (
            f"Calibrated: the posterior median and 5-95% range of a fit to {fit['points']} "
            f"poll points fielded up to {fit['until']} (docs/trust.md, `umbrella calibrate "
            f"trust`), from the hand default {a.default:g} and range {a.low:g}-{a.high:g}. "
            f"{a.basis}"
        )
        result.append(
            dataclasses.replace(a, default=f["default"], low=f["low"], high=f["high"], basis=basis)
        )
    return tuple(result)


ASSUMPTIONS: tuple[Assumption, ...] = calibrated()
"""The trust assumptions every entry point uses by default: fitted to the polls."""
