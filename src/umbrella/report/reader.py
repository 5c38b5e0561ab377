"""What a reader needs around the findings: the bottom line's figures, the definitions, the
outcomes by year, value for money, the timeline of events, nuclear sharing and the limits.

Each function turns tables of :class:`umbrella.report.findings.Findings` into rows and
sentences the templates print, in the brief's language; no figure is computed here that the
findings do not hold.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from umbrella.report.findings import NEAR_WINDOW, Findings
from umbrella.report.locale import ENGLISH, Language
from umbrella.report.numbers import dollars, estimate, money, number, percent, points

__all__ = [
    "by_year_context",
    "definitions",
    "limits",
    "seed_context",
    "sharing_context",
    "timeline_context",
    "value_context",
]


def definitions(found: Findings, lang: Language = ENGLISH) -> list[dict[str, str]]:
    """Every quantity the brief reports: its name, what it means in plain words, its unit."""
    _ = lang.gettext
    scenario = found.run.scenario
    challenger = _challenger(found, lang)
    start, horizon = scenario.start_year, scenario.horizon
    return [
        {
            "name": _("Deterrence holds"),
            "meaning": _(
                "The probability that in every crisis opportunity from {start} through the "
                "year named (the horizon, {horizon}, unless another is given) {challenger} "
                "neither challenges and gains unopposed nor fights, averaged over Europe's "
                "population. It is not the probability of war: a challenge that is rebuffed "
                "counts as deterrence holding."
            ).format(start=start, horizon=horizon, challenger=challenger),
            "unit": _("per cent (a probability)"),
        },
        {
            "name": _("Change"),
            "meaning": _(
                "An option's deterrence holds minus the status quo's, in the same future, then "
                "averaged over the futures."
            ),
            "unit": _("percentage points"),
        },
        {
            "name": _("Crisis opportunity"),
            "meaning": _(
                "An occasion on which {challenger} weighs a military challenge against a state "
                "(an incident, a moment of weakness, a decision to open or widen an "
                "offensive); the model assumes a yearly rate of them per group of states, "
                "itself uncertain."
            ).format(challenger=challenger),
            "unit": _("a count per year"),
        },
        {
            "name": _("Deterrence fails, per crisis"),
            "meaning": _(
                "The share of crisis opportunities in a year in which the challenger "
                "challenges and either gains unopposed or fights."
            ),
            "unit": _("per cent of crises"),
        },
        {
            "name": _("Future"),
            "meaning": _(
                "One draw of every uncertain assumption within its range; each option is "
                "assessed in the same futures."
            ),
            "unit": "—",
        },
        {
            "name": _("Range"),
            "meaning": _(
                "The 10th to 90th percentile over the futures: eight futures in ten fall "
                "inside it. It shows how much the answer depends on the assumptions, not a "
                "statistical confidence interval."
            ),
            "unit": _("as the figure"),
        },
        {
            "name": _("Trust"),
            "meaning": _(
                "How reliable a guarantor looks, read from the dated events of the timeline "
                "(each moves it up or down by its weight; old evidence fades)."
            ),
            "unit": _("per cent (0 = no reliance, 100 = full)"),
        },
        {
            "name": _("Credibility"),
            "meaning": _(
                "The probability, as the challenger sees it, that a guarantor would resist a "
                "challenge against a given state: trust x depth of its commitments x "
                "survivable capability."
            ),
            "unit": _("per cent"),
        },
        {
            "name": _("Cost"),
            "meaning": _(
                "An option's spending from {start} to {horizon} beyond current national plans, "
                "discounted to its present value."
            ).format(start=start, horizon=horizon),
            "unit": _("EUR bn (present value)"),
        },
        {
            "name": _("Value for money"),
            "meaning": _(
                "The change in deterrence holds per EUR bn of cost (mean change over mean cost)."
            ),
            "unit": _("percentage points per EUR bn"),
        },
        {
            "name": _("Non-proliferation risk"),
            "meaning": _(
                "An index of what an option does to the nuclear non-proliferation regime, from "
                "0.1 (no change in who holds or controls nuclear weapons) to 1 (a new "
                "nuclear-armed entity); it also rises as US guarantees weaken."
            ),
            "unit": _("index 0-1, in {horizon}").format(horizon=horizon),
        },
        {
            "name": _("Ukraine support"),
            "meaning": _(
                "Military and intelligence support reaching Ukraine: the baseline, plus what "
                "an option adds, minus what its spending diverts."
            ),
            "unit": _("EUR bn a year"),
        },
        {
            "name": _("Robustness rank"),
            "meaning": _(
                "Options ordered by their worst regret over the futures (how far behind the "
                "best option of each future they fall at worst); 1 is best."
            ),
            "unit": _("rank"),
        },
        {
            "name": _("Sobol index"),
            "meaning": _(
                "The share of the spread of a result that one assumption explains, alone "
                "(first order) or with its interactions (total)."
            ),
            "unit": _("share, 0-1"),
        },
    ]


def by_year_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    """The table of deterrence holds by year for every option, the near window marked."""
    table = found.by_year
    years = sorted(int(y) for y in table["year"].unique())
    first, last = NEAR_WINDOW
    labels = [f"**{y}**" if first <= y <= last else str(y) for y in years]
    rows = []
    for option in dict.fromkeys(table["option"]):
        cut = table[table["option"] == option].set_index("year")
        rows.append(
            {
                "name": lang.text(found.name(str(option))),
                "cells": [percent(float(cut.loc[y, "holds_mean"]), lang=lang) for y in years],
            }
        )
    futures = int(table["futures"].iloc[0]) if len(table) else 0
    return {"labels": labels, "rows": rows, "futures": futures, "near": NEAR_WINDOW}


def value_context(found: Findings, lang: Language = ENGLISH) -> list[dict[str, str]]:
    """Cost-effectiveness rows: change, cost, points per EUR bn (with its range) and its
    inverse, best value first."""
    ordered = found.value.sort_values("points_per_eur_bn", ascending=False)
    rows = []
    for r in ordered.to_dict("records"):
        per_bn = float(r["points_per_eur_bn"])
        rows.append(
            {
                "name": lang.text(str(r["name"])),
                "change": points(float(r["change_points"]) / 100.0, lang=lang),
                "cost": money(float(r["cost_eur_bn"]), lang=lang),
                "per_bn": estimate(
                    per_bn,
                    float(r["points_per_eur_bn_low"]),
                    float(r["points_per_eur_bn_high"]),
                    "number",
                    lang,
                ),
                "per_point": money(1.0 / per_bn, lang=lang)
                if per_bn > 0
                else lang.gettext("no gain"),
            }
        )
    return rows


def timeline_context(
    found: Findings, most: int = 24, lang: Language = ENGLISH
) -> list[dict[str, str]]:
    """The events of the timeline that moved trust in a guarantor, latest ``most`` of those
    since 2025 and every major one before, in date order."""
    _ = lang.gettext
    events = found.events
    if not len(events):
        return []
    recent = events[events["date"] >= pd.Timestamp("2025-01-01")].tail(most)
    older = events[(events["date"] < pd.Timestamp("2025-01-01")) & events["major"]]
    chosen = pd.concat([older, recent]).sort_values("date", kind="stable")
    world = found.run.scenario.world
    rows = []
    for e in chosen.to_dict("records"):
        moved = ", ".join(lang.country(g, world.actor(g).name) for g in e["guarantors"])
        # Translators: the guarantors an event moved trust in, and in which direction.
        if e["negative"]:
            trust = _("{guarantors}: down (major)") if e["major"] else _("{guarantors}: down")
        else:
            trust = _("{guarantors}: up (major)") if e["major"] else _("{guarantors}: up")
        rows.append(
            {
                "date": lang.short_date(pd.Timestamp(e["date"]).date()),
                "summary": str(e["summary"]),
                "trust": trust.format(guarantors=moved),
                "cite": found.cite(*list(e["sources"])[:2]),
            }
        )
    return rows


def sharing_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    """Nuclear sharing and weapons on other states' territory, as the dataset records."""
    _ = lang.gettext
    world = found.run.scenario.world
    # The findings name states as the dataset does; their codes give them in other languages.
    codes = {str(world.actor(str(c)).name): str(c) for c in world.actors.index}

    def state(name: str) -> str:
        return lang.country(codes[name], name) if name in codes else name

    rows = []
    for r in found.sharing.to_dict("records"):
        weapons = r["weapons"]
        if weapons is None or pd.isna(weapons):
            count = _("no public count")
        elif r["weapons_high"] > r["weapons_low"]:
            count = _("about {number} ({low}–{high})").format(
                number=number(float(weapons), 0, lang),
                low=number(float(r["weapons_low"]), 0, lang),
                high=number(float(r["weapons_high"]), 0, lang),
            )
        else:
            count = _("about {number}").format(number=number(float(weapons), 0, lang))
        rows.append(
            {
                "owner": state(str(r["owner"])),
                "hosts": ", ".join(state(str(h)) for h in r["hosts"]),
                "weapons": count,
                "status": lang.text(str(r["status"])),
                "summary": str(r["summary"]),
                "cite": found.cite(*list(r["sources"])[:2], *list(r["weapons_sources"])[:1]),
            }
        )
    return {"sharing": rows}


SEED_UK_FR_SPENDING = (12.0, "bloomberg-europe-deterrent-talks-2026-02-13-rbc-ukraine")
"""The seed article's figure for British and French nuclear spending (USD bn a year) and the
source it rests on: reconciled with the dataset's in the brief."""

NPT_SOURCE = "npt-1968-lawi"


def seed_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    """The seed article's spending figure beside the dataset's, where both are at hand; the
    NPT's citation."""
    world = found.run.scenario.world
    sources = set(world.sources.index)
    npt = found.cite(NPT_SOURCE) if NPT_SOURCE in sources else ""
    value, source = SEED_UK_FR_SPENDING
    pair = set(found.run.scenario.coordination or ())
    if pair != {"GBR", "FRA"} or source not in sources:
        return {"seed_spending": None, "npt_cite": npt}
    forces = {str(r["iso3"]): r for r in found.forces.to_dict("records")}
    parts = [
        # Translators: a state's nuclear spending in a year, e.g. "France USD 6.10 bn in 2023".
        lang.gettext("{state} {amount} in {year}").format(
            state=lang.country(g, str(forces[g]["state"])),
            amount=dollars(float(forces[g]["spending_usd_bn"]), lang=lang),
            year=int(forces[g]["spending_year"]),
        )
        for g in ("GBR", "FRA")
        if g in forces
    ]
    return {
        "seed_spending": {
            "value": dollars(value, 0, lang),
            "cite": found.cite(source),
            "parts": ", ".join(parts),
        },
        "npt_cite": npt,
    }


def limits(found: Findings, lang: Language = ENGLISH) -> list[str]:
    """What the model cannot tell: its limits, each in a sentence a reader can check."""
    _ = lang.gettext
    return [
        _(
            "**It does not forecast war.** Deterrence holds is the chance that no crisis "
            "opportunity ends with {challenger} gaining unopposed or fighting, given a yearly "
            "rate of such opportunities that is itself an assumption; its level compares "
            "options under the same assumptions and is not a prediction of events."
        ).format(challenger=_challenger(found, lang)),
        _(
            "**It has no data on a nuclear crisis between these states.** Trust is read from "
            "dated public events and checked against polls; the game's payoffs are judgements "
            "with ranges, not estimates from past crises of this kind, which have not happened."
        ),
        _(
            "**It does not see secret decisions.** Targeting, weapons effects, force postures "
            "and classified agreements are outside it by design: it works on public aggregate "
            "data."
        ),
        _(
            "**It treats options as announced, not as negotiated.** Whether capitals agree, "
            "how long ratification takes and who pays are ranges on each option's timing and "
            "cost, not a model of politics."
        ),
        _(
            "**Its ranges are the analyst's ranges.** A result outside them (a far faster US "
            "exit, a much higher Russian resolve) is outside the futures explored; the stress "
            "tests show a few such cases one at a time."
        ),
        _(
            "**It does not look beyond the horizon** and does not weigh outcomes against each "
            "other: deterrence, cost, non-proliferation and Ukraine are reported side by side, "
            "and the trade-off is the reader's."
        ),
    ]


def _challenger(found: Findings, lang: Language) -> str:
    scenario = found.run.scenario
    return lang.country(scenario.challenger, str(scenario.world.actor(scenario.challenger).name))
