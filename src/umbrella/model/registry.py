"""The assumption registry: every parameter the model uses, with default, range and basis.

Three kinds of entries:

- the trust model's assumptions (``trust.*``, :mod:`umbrella.trust.assumptions`);
- the credibility, game, cost and Ukraine-support assumptions below;
- per option ``option.<id>.<field>``: its start year, costs and years to effect (from the
  world dataset's estimates, whose low-high range becomes the assumption's range) and the
  levers it pulls at full effect (:mod:`umbrella.model.levers`).

A scenario can override any entry (``assumptions:`` in the scenario file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from umbrella.assumptions import Assumption
from umbrella.data import World
from umbrella.data.schema import Estimate, Option
from umbrella.errors import UsageError
from umbrella.model.levers import lever as find_lever
from umbrella.model.levers import lever_names
from umbrella.trust.assumptions import ASSUMPTIONS as TRUST_ASSUMPTIONS

__all__ = [
    "MODEL_ASSUMPTIONS",
    "OPTION_FIELDS",
    "OPTION_LEVERS",
    "OptionSpec",
    "Part",
    "Trigger",
    "build_registry",
    "override",
]

_DEPTH = (
    "Rationale: the ordering follows the legal and material weight of the commitment "
    "(a treaty with forces behind it above a political declaration); the values are "
    "judgements, and the ranges are wide on purpose."
)
_CAPABILITY = (
    "Rationale: a sea leg of four or more ballistic-missile submarines keeps one "
    "at sea at all times (continuous at-sea deterrence, sources commons-library-cbp-8166, "
    "fas-france-notebook-2025-trebuchet); air and land legs are more exposed to a first strike."
)
_GAME = (
    "Rationale: the means are the gaps of payoff set P1 of docs/games/extended.md; every "
    "gap is exponential around its mean (maximum entropy for a positive quantity of known "
    "mean), and the ranges move the means by a factor of two either way, since no payoff "
    "has been measured (docs/model.md, 'The game under payoff uncertainty')."
)
_CRISIS = (
    "Sources: the crises table (Correlates of War MID 5.0, 1992-2014; ICB version 14, to "
    "2017; umbrella.data.baserates). Russia challenged European states outside NATO 0.054 "
    "times per state and year in 1992-2014 (MID, Russia acting first; 0.020 with force) "
    "and NATO members 0.037 (0.0065 in two-state disputes; 0.0044 with force). The model "
    "turns an opportunity into a challenge with probability about 0.65 outside NATO and 0.18 "
    "for NATO members (status quo, 2026, central future), so the record implies 0.03-0.08 "
    "opportunities a year outside NATO and 0.02-0.2 for NATO members. The default sits "
    "inside both; the range runs from a fifth to four times it. Fitted as a check, not as an "
    "estimate: the challenge probabilities of 1992-2014 differ from 2026's (docs/model.md)."
)

MODEL_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "depth.collective_defence",
        "depth of a collective-defence treaty (NATO Article 5)",
        0.5,
        0.3,
        0.7,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.extended_nuclear_deterrence",
        "depth of a declared extended nuclear guarantee",
        0.3,
        0.1,
        0.5,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.nuclear_sharing",
        "depth added by the guarantor's weapons stationed on the protege's soil",
        0.3,
        0.1,
        0.5,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.mutual_defence_treaty",
        "depth of a bilateral mutual-defence treaty",
        0.3,
        0.1,
        0.5,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.eu_mutual_assistance",
        "depth of the EU mutual-assistance clause (TEU Article 42.7)",
        0.2,
        0.05,
        0.4,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.nuclear_coordination",
        "depth of a coordination declaration between nuclear guarantors",
        0.1,
        0.0,
        0.3,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.bilateral_security_agreement",
        "depth of a bilateral security agreement without a defence clause",
        0.1,
        0.02,
        0.25,
        "share",
        _DEPTH,
    ),
    Assumption(
        "depth.security_assurance",
        "depth of a political security assurance (Budapest Memorandum)",
        0.05,
        0.0,
        0.15,
        "share",
        _DEPTH,
    ),
    Assumption(
        "capability.sea",
        "survivable second-strike contribution of a sea leg of "
        "four or more SSBNs (scaled down for fewer boats)",
        0.7,
        0.5,
        0.9,
        "share",
        _CAPABILITY,
    ),
    Assumption("capability.air", "contribution of an air leg", 0.3, 0.1, 0.5, "share", _CAPABILITY),
    Assumption(
        "capability.land", "contribution of a land leg", 0.4, 0.2, 0.6, "share", _CAPABILITY
    ),
    Assumption(
        "trust.future_evidence_usa",
        "evidence about US reliability arriving each "
        "year after the data ends (negative: more withholding)",
        -1.0,
        -4.0,
        2.0,
        "observations per year",
        "Rationale: the 2025-26 record (events 2025-03-05, 2025-12-05, 2026-01-23, "
        "2026-04-01) suggests continued doubt; the range runs from a worse crisis to "
        "a steady recovery.",
    ),
    Assumption(
        "trust.future_evidence_europe",
        "evidence about British and French reliability arriving each year after the data ends",
        0.5,
        -1.0,
        2.0,
        "observations per year",
        "Rationale: the Northwood process and the 2026 offers (events 2025-07-10, "
        "2025-12-10, 2026-03-02) point to continued reassurance; delivery is uncertain.",
    ),
    Assumption(
        "belief.shift",
        "how far the challenger's belief that a guarantor would fight stands above allies' "
        "trust in it, on the logit scale",
        0.0,
        -1.0,
        1.0,
        "logit",
        "Rationale: trust is fitted to allied publics' answers to pollsters (docs/trust.md); "
        "the game needs the challenger's belief, which reads the same acts through "
        "intelligence, force posture and its own resolve rather than through rhetoric. No "
        "data separate the two, so the default equates them and the range lets the "
        "challenger judge a guarantor more or less resolute than allies do: at a trust of "
        "0.25, a belief of 0.11 to 0.48. Judged, not fitted.",
    ),
    Assumption(
        "game.challenger_gain",
        "mean of the challenger's gain from an uncontested win over the status quo "
        "(c_cw - c_sq; each draw exponential)",
        2.0,
        1.0,
        4.0,
        "payoff",
        _GAME,
    ),
    Assumption(
        "game.challenger_cost",
        "mean of what backing down after the defender supports the protege costs the "
        "challenger against the status quo (c_sq - c_dw; each draw exponential)",
        2.0,
        1.0,
        4.0,
        "payoff",
        _GAME,
    ),
    Assumption(
        "game.hard_conflict_share",
        "how much of that cost conflict costs a Hard challenger "
        "((c_sq - c_cf_hard) / (c_sq - c_dw): 0 conflict as good as the status quo, 1 as bad "
        "as backing down)",
        0.5,
        0.2,
        0.8,
        "share",
        _GAME,
    ),
    Assumption(
        "game.defender_stake_ratio",
        "mean of what abandoning the protege costs the defender against winning (d_dw - d_cw), "
        "over the mean of what war costs a Soft defender against abandoning (d_cw - d_cf_soft)",
        1.0,
        0.5,
        2.0,
        "ratio",
        _GAME,
    ),
    Assumption(
        "combine.correlation",
        "probability that a common shock decides every guarantor together (0: they fail "
        "independently; 1: only the most credible counts)",
        0.25,
        0.0,
        0.8,
        "probability",
        "Rationale: the guarantors' resolve answers to common shocks (the same Russian "
        "escalation threat, events 2022-02-27 and 2024-11-19; the same crisis of NATO "
        "cohesion, event 2026-04-01), so their failures are not independent; the range runs "
        "from independence to a single shock deciding four times in five. Judged, not fitted.",
    ),
    Assumption(
        "crisis.rate_nato",
        "crisis opportunities a year against a NATO member: occasions on which the challenger "
        "weighs a military challenge",
        0.05,
        0.01,
        0.2,
        "crises per year",
        _CRISIS
        + " Opportunities against NATO members (airspace and border incidents, sabotage) are "
        "taken to arise about as often as elsewhere; the game decides how few are taken.",
    ),
    Assumption(
        "crisis.rate_other",
        "crisis opportunities a year against a European state outside NATO",
        0.05,
        0.01,
        0.2,
        "crises per year",
        _CRISIS,
    ),
    Assumption(
        "crisis.rate_ukraine",
        "crisis opportunities a year against a state already at war with the challenger: "
        "decisions to open a new offensive or to escalate",
        1.0,
        0.5,
        2.0,
        "crises per year",
        "Rationale: during a war each campaign season brings at least one decision to renew "
        "or widen the offensive (event 2022-02-24); the range runs from one such decision "
        "every two years to two a year.",
    ),
    Assumption(
        "challenger.resolve_ukraine",
        "probability the challenger is Hard (prefers conflict to backing down) over Ukraine",
        0.7,
        0.4,
        0.9,
        "probability",
        "Rationale: Russia's full-scale invasion (event 2022-02-24) shows resolve "
        "over Ukraine; the range allows a weakened or a more determined Russia.",
    ),
    Assumption(
        "challenger.resolve_nato",
        "probability the challenger is Hard over a NATO member",
        0.2,
        0.05,
        0.5,
        "probability",
        "Rationale: no direct challenge to a NATO member since 1949; the range admits "
        "growing risk-taking (events 2024-11-19, 2023-03-25).",
    ),
    Assumption(
        "challenger.resolve_other",
        "probability the challenger is Hard over a European state outside NATO",
        0.4,
        0.15,
        0.7,
        "probability",
        "Rationale: between the two cases above (Georgia 2008 and Moldova's position "
        "suggest higher resolve than against NATO).",
    ),
    Assumption(
        "discount_rate",
        "real discount rate for net present values",
        0.03,
        0.0,
        0.07,
        "per year",
        "Rationale: the range of public-sector real discount rates in European "
        "appraisal guidance (0-3.5 per cent) widened for defence programmes.",
    ),
    Assumption(
        "ukraine.baseline_eur_bn",
        "European support to Ukraine without any option",
        45.0,
        30.0,
        60.0,
        "EUR bn per year",
        "Sources kiel-tracker-2025-03-idw, kiel-tracker-2025-08-"
        "dailytimes: Europe allocated EUR 138 bn from January 2022 to February 2025 "
        "(about 45 a year); the range covers the 2025 rise and a fall-off.",
    ),
    Assumption(
        "ukraine.isr_value_eur_bn",
        "support to Ukraine that European intelligence "
        "autonomy adds at full effect (replacing what a US pause withholds)",
        5.0,
        2.0,
        15.0,
        "EUR bn per year",
        "Rationale: the March 2025 pause showed the value of intelligence to Ukraine "
        "(event 2025-03-05); valued here as equivalent aid.",
    ),
    Assumption(
        "ukraine.coordination_gain",
        "acceleration of European deliveries to Ukraine "
        "that closer UK-French coordination brings, as a share of the baseline",
        0.03,
        0.0,
        0.1,
        "share",
        "Rationale: a coordinating structure (Northwood's steering group) can speed "
        "joint procurement; modest and uncertain.",
    ),
    Assumption(
        "ukraine.denial_elasticity",
        "how strongly the challenger's expected gain from a new offensive against the "
        "supported protege falls as support to it rises: the gain is scaled by "
        "(1 + added support / baseline) to the power minus this",
        0.5,
        0.0,
        1.0,
        "elasticity",
        "Rationale: deterrence by denial (G. H. Snyder, Deterrence and Defense, Princeton UP "
        "1961; J. J. Mearsheimer, Conventional Deterrence, Cornell UP 1983): what a challenger "
        "expects to gain shrinks as the defender's capacity to deny it grows, and the "
        "March 2025 pause showed the reverse (event 2025-03-05). At 0.5, support a fifth "
        "higher cuts the expected gain by 9 per cent; the range runs from no effect to a "
        "proportional one. Judged, not fitted.",
    ),
    Assumption(
        "ukraine.diversion_share",
        "share of new nuclear spending drawn from budgets that would otherwise support Ukraine",
        0.3,
        0.1,
        0.6,
        "share",
        "Rationale: defence budgets are shared between national forces and aid; the "
        "UK's nuclear enterprise already takes 18 per cent of its defence budget "
        "(source uk-pac-nuclear-deterrent-2025-daily8).",
    ),
    Assumption(
        "proliferation.abandonment",
        "how much of the room left on the non-proliferation index abandonment fills: the "
        "share of the anchoring guarantor's lost credibility that turns into pressure",
        0.5,
        0.0,
        1.0,
        "share",
        "Sources: security guarantees reduce allies' pursuit of nuclear weapons, and their "
        "loss raises it (P. C. Bleek and E. B. Lorber, 'Security Guarantees and Allied Nuclear "
        "Proliferation', Journal of Conflict Resolution 58(3), 2014); the Polish and German "
        "debates of 2025 are early signs (events 2025-03-07, 2025-04-18). The scale is "
        "judged: 0 ignores it, 1 lets full abandonment take the index to 1.",
    ),
    Assumption(
        "proliferation.decision_share",
        "share of an option's effect on the non-proliferation index that comes with the "
        "decision, before anything is delivered",
        0.5,
        0.0,
        1.0,
        "share",
        "Rationale: what other NPT parties react to is the announcement and the treaty, not "
        "the delivery (the 2025-26 offers were contested when made, events 2025-07-10, "
        "2026-03-02); 0 ties the index to delivery alone.",
    ),
    Assumption(
        "proliferation.status_quo",
        "non-proliferation risk index of the status quo",
        0.2,
        0.1,
        0.3,
        "index",
        "Rationale: rubric in docs/model.md (nuclear sharing under the NPT is "
        "contested by many states, source npt-1968-lawi).",
    ),
)

OPTION_FIELDS = (
    "start_year",
    "years_to_first_effect",
    "years_to_full_effect",
    "capex_eur_bn",
    "opex_eur_bn_per_year",
)
"""Numeric fields of every option, each an assumption ``option.<id>.<field>``."""

_LEVER_BASIS = "Rationale: see docs/model.md, 'What each option changes'."
OPTION_LEVERS: dict[str, dict[str, tuple[float, float, float]]] = {
    "status-quo": {},
    "uk-france-coordination": {"coordination": (0.5, 0.2, 0.8), "proliferation": (0.25, 0.2, 0.3)},
    "expanded-umbrella": {
        "depth_fra": (0.25, 0.1, 0.4),
        "depth_gbr": (0.15, 0.05, 0.3),
        "coordination": (0.3, 0.1, 0.5),
        "proliferation": (0.35, 0.25, 0.5),
    },
    "shared-responsibility": {
        "depth_fra": (0.4, 0.2, 0.6),
        "depth_gbr": (0.3, 0.1, 0.5),
        "coordination": (0.6, 0.3, 0.9),
        "proliferation": (0.5, 0.35, 0.65),
    },
    "european-arsenal": {"european_force": (0.5, 0.3, 0.7), "proliferation": (0.9, 0.75, 1.0)},
    "isr-autonomy": {"isr_autonomy": (0.5, 0.2, 0.8)},
    "ukraine-conventional": {"ukraine_aid_eur_bn": (20.0, 5.0, 40.0)},
}
"""Levers of the catalogue options at full effect: (default, low, high)."""


@dataclass(frozen=True)
class Trigger:
    """A signpost a pathway reads: in year ``read_by``, whether assumption ``assumption``
    (as the evidence will then have shown it in that future) lies below or above
    ``threshold``."""

    assumption: str
    threshold: float
    below: bool
    read_by: int

    def fired(self, value: Any) -> Any:
        """Where the signpost has fired, for the assumption's ``value`` (one per future)."""
        return value < self.threshold if self.below else value > self.threshold


@dataclass(frozen=True)
class Part:
    """A part of a portfolio or pathway: option ``option``, from its own start ``delay``
    years later; or, with a ``trigger``, from the year the trigger is read plus ``delay``,
    in the futures where it has fired, and never in the others; ``scale`` of it."""

    option: str
    delay: float = 0.0
    trigger: Trigger | None = None
    # The share of the option taken: its levers (but its proliferation index) and its
    # costs times ``scale`` (docs/options.md, "Portfolios").
    scale: float = 1.0


@dataclass(frozen=True)
class OptionSpec:
    """An option to assess; its numbers live in the registry as ``option.<id>.<field>``."""

    id: str
    name: str
    category: str
    levers: tuple[str, ...]
    targets: tuple[str, ...] | None = None  # proteges its levers reach; None: the default
    # A portfolio's or a pathway's parts; empty for an option. It has no numbers of its own:
    # it uses its parts' (docs/options.md, "Portfolios" and "Pathways").
    components: tuple[Part, ...] = ()
    # The governments that must agree for it to be agreed and delivered on its timeline
    # (docs/options.md, "Implementation risk"); none: nothing to agree.
    governments: tuple[str, ...] = ()


def catalogue_option(option: Option, start_year: int) -> tuple[OptionSpec, list[Assumption]]:
    """The spec and the assumptions of a catalogue option from the world dataset."""
    entries = [
        Assumption(
            f"option.{option.id}.start_year",
            f"year {option.name} starts",
            float(start_year),
            float(start_year),
            float(start_year + 5),
            "year",
            "Rationale: a decision taken at the start of the assessment, or "
            "delayed by up to five years.",
            distribution="discrete",
        )
    ]
    for field in OPTION_FIELDS[1:]:
        estimate: Estimate = getattr(option, field)
        entries.append(
            Assumption(
                f"option.{option.id}.{field}",
                f"{field.replace('_', ' ')} of {option.name}",
                estimate.value,
                estimate.lower,
                estimate.upper,
                _unit(field),
                f"Sources {', '.join(estimate.sources)}.",
            )
        )
    levers = OPTION_LEVERS.get(option.id, {})
    for lever, (default, low, high) in levers.items():
        spec = find_lever(lever)
        if spec is None:
            raise UsageError(f"option {option.id}: unknown lever '{lever}'")
        entries.append(
            Assumption(
                f"option.{option.id}.{lever}",
                f"{spec.meaning} ({option.name})",
                default,
                low,
                high,
                spec.unit,
                _LEVER_BASIS,
            )
        )
    found = OptionSpec(
        option.id,
        option.name,
        option.category,
        tuple(levers),
        governments=tuple(option.agreement.governments),
    )
    return found, entries


def inline_option(
    option_id: str,
    name: str,
    category: str,
    values: Mapping[str, float],
    levers: Mapping[str, float],
) -> tuple[OptionSpec, list[Assumption]]:
    """The spec and (fixed-value) assumptions of an option defined in a scenario."""
    entries = [
        Assumption(
            f"option.{option_id}.{field}",
            f"{field.replace('_', ' ')} of {name}",
            float(values[field]),
            float(values[field]),
            float(values[field]),
            _unit(field),
            "Set in the scenario file.",
        )
        for field in OPTION_FIELDS
    ]
    for lever, value in levers.items():
        spec = find_lever(lever)
        if spec is None:
            raise UsageError(f"unknown lever '{lever}'; levers are: {', '.join(lever_names())}")
        entries.append(
            Assumption(
                f"option.{option_id}.{lever}",
                spec.meaning,
                float(value),
                float(value),
                float(value),
                spec.unit,
                "Set in the scenario file.",
            )
        )
    return OptionSpec(option_id, name, category, tuple(levers)), entries


def build_registry(
    world: World,
    options: Iterable[OptionSpec],
    option_assumptions: Iterable[Assumption],
    trust: Iterable[Assumption] = TRUST_ASSUMPTIONS,
) -> dict[str, Assumption]:
    """Trust (fitted to the polls unless ``trust`` says otherwise), model and option
    assumptions, by name."""
    del world  # the registry depends on the world only through the option assumptions
    registry = {a.name: a for a in (*trust, *MODEL_ASSUMPTIONS)}
    for entry in option_assumptions:
        registry[entry.name] = entry
    for spec in options:
        if spec.components:
            continue  # a portfolio's levers are its parts'
        for lever in spec.levers:
            if f"option.{spec.id}.{lever}" not in registry:
                raise UsageError(f"option {spec.id}: lever {lever} has no assumption")
    return registry


def override(
    registry: Mapping[str, Assumption],
    name: str,
    default: float,
    low: float | None = None,
    high: float | None = None,
) -> Assumption:
    """The assumption ``name`` with a new default (and range); the range widens to fit."""
    if name not in registry:
        raise UsageError(f"unknown assumption '{name}'; see `umbrella assumptions`")
    current = registry[name]
    low = min(current.low, default) if low is None else low
    high = max(current.high, default) if high is None else high
    if not low <= default <= high:
        raise UsageError(
            f"assumption {name}: need low <= default <= high (got {low}, {default}, {high})"
        )
    return replace(current, default=default, low=low, high=high)


def _unit(field: str) -> str:
    return {
        "start_year": "year",
        "capex_eur_bn": "EUR bn",
        "opex_eur_bn_per_year": "EUR bn per year",
    }.get(field, "years")
