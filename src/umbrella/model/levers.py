"""The levers an option pulls: the model quantities a policy option changes.

An option's effect is a set of lever changes at full effect; its time profile (start year,
years to first and to full effect) scales them from 0 to 1. The catalogue options' lever
changes are assumptions (``option.<id>.<lever>`` in the registry); a scenario can define
its own options with the same vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LEVERS", "Lever"]


@dataclass(frozen=True)
class Lever:
    name: str
    meaning: str
    low: float
    high: float
    unit: str


LEVERS: dict[str, Lever] = {
    lever.name: lever
    for lever in (
        Lever(
            "coordination",
            "coordination of the British and French deterrents "
            "(0: independent, 1: fully coordinated planning and signalling)",
            0,
            1,
            "share",
        ),
        Lever(
            "depth_gbr", "added depth of the UK's commitment to European proteges", 0, 1, "share"
        ),
        Lever(
            "depth_fra", "added depth of France's commitment to European proteges", 0, 1, "share"
        ),
        Lever("capability_gbr", "added survivable capability of UK forces", 0, 1, "share"),
        Lever("capability_fra", "added survivable capability of French forces", 0, 1, "share"),
        Lever(
            "european_force",
            "credibility of a new European nuclear force toward EU and "
            "European NATO proteges, at full effect",
            0,
            1,
            "probability",
        ),
        Lever("isr_autonomy", "share of US intelligence support Europe can replace", 0, 1, "share"),
        Lever("ukraine_aid_eur_bn", "added support to Ukraine", 0, 200, "EUR bn per year"),
        Lever(
            "proliferation",
            "non-proliferation risk index of the option (rubric in docs/model.md)",
            0,
            1,
            "index",
        ),
    )
}
"""Every lever, by name."""
