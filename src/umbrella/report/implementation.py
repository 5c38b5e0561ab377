"""Will it happen at all? Each option's implementation risk, as the brief states it.

:func:`implementation_context` turns the run's headline table (the mean of ``on_time``, the
change in deterrence holds against the status quo with the risk and were the option
delivered on time, the same for Ukraine's ``fails``; :func:`umbrella.explore.headline.headline`)
into the sentences and the table of ``options.md.j2``; :func:`implementation_table` into the
table written beside the brief (``data/implementation.csv``). Nothing is computed here that
the run does not hold: the model is docs/options.md, "Implementation risk".
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from umbrella.explore.headline import NO_CHANGE, effect_lost
from umbrella.report.findings import Findings
from umbrella.report.locale import ENGLISH, Language
from umbrella.report.numbers import number, percent, points

__all__ = ["implementation_context", "implementation_table"]


def implementation_table(found: Findings) -> pd.DataFrame:
    """Per option: the governments that must agree, the probability that it is delivered
    on time, its change in deterrence holds through the horizon against the status quo
    were it delivered on time and with the risk (Europe-wide), the share lost, and the same
    for the supported protege's ``fails`` per crisis. Empty where the run has no
    implementation risk."""
    table = found.headline
    needed = {"on_time", "change_on_time_vs_status_quo", "change_vs_status_quo"}
    if not needed <= set(table.columns) or bool((table["on_time"] == 1.0).all()):
        return pd.DataFrame()
    specs = {o.id: o for o in found.run.scenario.options}
    rows = []
    for option, r in table.iterrows():
        spec = specs.get(str(option))
        planned, change = float(r["change_on_time_vs_status_quo"]), float(r["change_vs_status_quo"])
        ukraine = float(r.get("ukraine_change_on_time", math.nan))
        ukraine_now = float(r.get("ukraine_change", math.nan))
        rows.append(
            {
                "option": str(option),
                "governments": " ".join(spec.governments) if spec is not None else "",
                "on_time": float(r["on_time"]),
                "change_on_time": planned,
                "change_with_risk": change,
                "lost": effect_lost(planned, change),
                "ukraine_change_on_time": ukraine,
                "ukraine_change_with_risk": ukraine_now,
                "ukraine_lost": effect_lost(ukraine, ukraine_now),
            }
        )
    return pd.DataFrame(rows)


def implementation_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    """The section's lead, findings and rows, in the brief's language; empty where the run
    has no implementation risk."""
    table = implementation_table(found)
    if table.empty:
        return {}
    _ = lang.gettext
    scenario = found.run.scenario
    registry = scenario.registry
    stall = registry.get("implementation.stall_years")
    lead = _(
        "Will it happen at all? An option takes effect only if the governments it needs agree "
        "to it and keep to it through the national elections due in its window; in each future "
        "it is either delivered on time or stalls and starts later ({stall} years by default). "
        "The table gives the share of futures in which each option is delivered on time, and "
        "its change in deterrence holds through {horizon} (percentage points against the "
        "status quo) were it always delivered on time and counting the futures where it stalls "
        "{mark}."
    ).format(
        stall=number(stall.default if stall is not None else math.nan, 0, lang),
        horizon=scenario.horizon,
        mark=found.run_mark,
    )
    sentences = [lead]
    acting = table[table["change_on_time"].abs() >= NO_CHANGE]
    if len(acting):
        # The largest loss in points: a large share of a tiny effect matters less.
        loss = acting["change_on_time"] - acting["change_with_risk"]
        worst = acting.loc[loss.sort_values(ascending=False, kind="stable").index[0]]
        sentences.append(
            _(
                "{option} loses most: delivered on time in {share} of futures, it keeps "
                "{kept} of the {planned} points it would add, and loses {lost} of its effect."
            ).format(
                option=_name(found, worst["option"], lang),
                share=percent(float(worst["on_time"]), lang=lang),
                kept=points(float(worst["change_with_risk"]), lang=lang),
                planned=points(float(worst["change_on_time"]), lang=lang),
                lost=percent(float(worst["lost"]), lang=lang),
            )
        )
        swap = _overtaken(acting)
        if swap is not None:
            sentences.append(
                _(
                    "Counting the risk changes the order: were every option delivered on time, "
                    "{first} would do more for deterrence than {second}; with the risk, "
                    "{second} does more."
                ).format(first=_name(found, swap[0], lang), second=_name(found, swap[1], lang))
            )
    rows = []
    for r in table.to_dict("records"):
        europe = abs(float(r["change_on_time"])) >= NO_CHANGE
        lost = r["lost"] if europe else r["ukraine_lost"]
        shown = "–" if not math.isfinite(lost) else percent(float(lost), lang=lang)
        if not europe and math.isfinite(lost):
            # Translators: a share of an option's effect lost, on Ukraine rather than Europe.
            shown = _("{share} (Ukraine)").format(share=shown)
        rows.append(
            {
                "name": _name(found, str(r["option"]), lang),
                "governments": number(len(str(r["governments"]).split()), 0, lang),
                "on_time": percent(float(r["on_time"]), lang=lang),
                "planned": points(float(r["change_on_time"]), lang=lang),
                "with_risk": points(float(r["change_with_risk"]), lang=lang),
                "lost": shown,
            }
        )
    return {"text": " ".join(sentences), "rows": rows}


def _overtaken(table: pd.DataFrame) -> tuple[str, str] | None:
    """The first pair (a, b) that a is ahead of b delivered on time and behind with the risk,
    a taken in the on-time order; None if the risk changes no order."""
    planned = table.sort_values("change_on_time", ascending=False, kind="stable")
    records = planned.to_dict("records")
    for i, a in enumerate(records):
        for b in records[i + 1 :]:
            if b["change_with_risk"] > a["change_with_risk"]:
                return str(a["option"]), str(b["option"])
    return None


def _name(found: Findings, option: str, lang: Language) -> str:
    return lang.text(found.name(option))
