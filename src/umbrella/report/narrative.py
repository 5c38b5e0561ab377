"""The brief's judgements, worded from the numbers of a run.

Every sentence here is chosen by comparing numbers (which option leads, by how much, under
which rules, at what cost, where it fails), so the wording changes when the numbers do.
"""

from __future__ import annotations

from typing import Any

from umbrella.explore.run import SATISFICING
from umbrella.report.findings import Findings, spread
from umbrella.report.numbers import estimate, money, number, percent

__all__ = ["conclusion", "lead_strength"]

_RULES = {
    "best_mean": "the average over all futures",
    "minimax_regret": "minimax regret",
    "best_satisficing": "the share of futures in which deterrence holds through the horizon "
    f"with at least {percent(SATISFICING)} probability",
}


def lead_strength(share: float) -> str:
    """How clear a lead is, from the share of futures in which the leader beats the
    runner-up."""
    if share >= 0.9:
        return "clear"
    if share >= 0.65:
        return "solid but not certain"
    return "narrow"


def conclusion(f: Findings) -> list[str]:
    """The conclusion's paragraphs (Markdown), each citing the run."""
    o, lead, runner = f.rows, f.leading, f.runner_up
    sq = next(iter(o))
    mark = f.run_mark
    horizon = f.run.scenario.horizon
    paragraphs = []

    gain = o[lead]["change_mean"]
    opening = (
        f"**{f.name(lead)}** does most to keep deterrence of {_challenger(f)} credible "
        f"across Europe. The probability that deterrence holds in every crisis from "
        f"{f.run.scenario.start_year} through {horizon} (no challenge that gains or ends in "
        "conflict), averaged over Europe's population, is "
        f"{estimate(*spread(o[lead], 'deterrence'), 'percent')} with it, against "
        f"{estimate(*spread(o[sq], 'deterrence'), 'percent')} under the status quo: "
        f"{estimate(gain, o[lead]['change_low'], o[lead]['change_high'], 'points')}"
        f" {mark}."
    )
    if gain < 0.005:
        opening += (
            " The gain is small: no option on the table changes the odds by as much as "
            "half a percentage point on average."
        )
    paragraphs.append(opening)

    agree = [rule for rule, option in f.rules.items() if option == lead]
    others = {rule: option for rule, option in f.rules.items() if option != lead}
    strength = lead_strength(f.lead_share)
    lead_text = (
        f"Its lead over {f.name(runner)} is {strength}: it does better in "
        f"{percent(f.lead_share)} of the {f.run.n_samples:,} futures {mark}."
    )
    if others:
        differing = "; ".join(
            f"under {_RULES.get(rule, rule)}, {f.name(option)} comes first"
            for rule, option in others.items()
        )
        lead_text += f" The ranking depends on the rule: {differing}."
    elif agree:
        lead_text += (
            " It ranks first under every robustness rule ("
            + ", ".join(_RULES.get(rule, rule) for rule in agree)
            + ")."
        )
    paragraphs.append(lead_text)

    cost = o[lead]["npv_mean"]
    cost_runner = o[runner]["npv_mean"]
    cheaper = "less" if cost < cost_runner else "more"
    per_point = cost / max(100.0 * gain, 1e-9)
    costs = (
        f"It costs {money(cost, o[lead]['npv_low'], o[lead]['npv_high'])} in present "
        f"value to {horizon}, {cheaper} than {f.name(runner)} "
        f"({money(cost_runner)}), or about {money(per_point)} per percentage point of "
        f"deterrence gained {mark}."
    )
    prolif, prolif_sq = o[lead]["proliferation_mean"], o[sq]["proliferation_mean"]
    if prolif > prolif_sq + 0.005:
        costs += (
            f" It raises the non-proliferation risk index from {number(prolif_sq, 2)} to "
            f"{estimate(*spread(o[lead], 'proliferation'), 'index')}."
        )
    elif prolif < prolif_sq - 0.005:
        costs += (
            f" It lowers the non-proliferation risk index from {number(prolif_sq, 2)} to "
            f"{number(prolif, 2)}."
        )
    else:
        costs += " It leaves the non-proliferation risk index where it is."
    paragraphs.append(costs)

    support, support_sq = o[lead]["ukraine_support_mean"], o[sq]["ukraine_support_mean"]
    best_ukraine = max(o, key=lambda k: float(o[k]["ukraine_support_mean"]))
    ukraine = (
        f"For Ukraine, support averages {money(support)} a year under it, "
        f"{'more' if support > support_sq else 'less' if support < support_sq else 'as much'}"
        f" than under the status quo ({money(support_sq)})"
    )
    if best_ukraine != lead:
        ukraine += (
            f"; {f.name(best_ukraine)} does most for Ukraine "
            f"({money(o[best_ukraine]['ukraine_support_mean'])} a year)"
        )
    low_ukraine = min(o, key=lambda k: float(o[k]["ukraine_fails_mean"]))
    ukraine += (
        f". Deterrence of a new offensive against Ukraine itself fails in "
        f"{percent(float(o[low_ukraine]['ukraine_fails_mean']))} of crisis opportunities in "
        f"{horizon} even under {f.name(low_ukraine)}, the option that lowers it most, against "
        f"{percent(float(o[sq]['ukraine_fails_mean']))} under the status quo {mark}."
    )
    paragraphs.append(ukraine)

    prim = f.prim
    failing = (
        f"It falls short (deterrence holds through {horizon} with less than "
        f"{percent(prim['threshold'])} probability) in "
        f"{percent(prim['share'])} of futures {mark}."
    )
    if len(prim["box"]):
        faces = [_condition(row) for row in prim["box"].head(3).to_dict("records")]
        conditions = faces[0] if len(faces) == 1 else ", ".join(faces[:-1]) + " and " + faces[-1]
        failing += (
            f" Those futures concentrate where {conditions}: that box holds "
            f"{percent(prim['coverage'])} of the failures, and {percent(prim['density'])} of "
            "the futures inside it fail."
        )
    if len(f.sobol):
        top = f.sobol.iloc[0]
        failing += (
            f" The single assumption that moves the answer most is "
            f"{str(top['label']).split(' (')[0]} (total "
            f"Sobol index {number(float(top['ST']), 2)})."
        )
    paragraphs.append(failing)
    return paragraphs


def _challenger(f: Findings) -> str:
    return str(f.run.scenario.world.actor(f.run.scenario.challenger).name)


def _condition(row: dict[Any, Any]) -> str:
    """A PRIM box face in words: 'x is above 0.4'."""
    label = str(row["label"]).split(" (")[0]  # the gloss in brackets reads badly mid-sentence
    low, high = float(row["low"]), float(row["high"])
    full_low, full_high = float(row["range_low"]), float(row["range_high"])
    unit = str(row["unit"])
    # Units that read as words after a number; others (ratios, shares) go unsaid.
    unit = f" {unit}" if unit in ("years", "months", "EUR bn", "EUR bn per year") else ""
    if low > full_low and high < full_high:
        return f"{label} is between {number(low)} and {number(high)}{unit}"
    if low > full_low:
        return f"{label} is above {number(low)}{unit}"
    return f"{label} is below {number(high)}{unit}"
