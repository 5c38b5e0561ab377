"""The brief's judgements, worded from the numbers of a run.

Every sentence here is chosen by comparing numbers (which option leads, by how much, under
which rules, at what cost, where it fails), so the wording changes when the numbers do.
Each is a whole message of the brief's catalogue, its numbers and names as named
placeholders, so that a translation can order them as its language needs.
"""

from __future__ import annotations

from typing import Any

from umbrella.explore.run import SATISFICING
from umbrella.report.findings import NEAR_WINDOW, Findings, spread
from umbrella.report.locale import ENGLISH, N_, Language
from umbrella.report.numbers import estimate, money, number, percent, points, quantity

__all__ = ["bottom_line", "conclusion", "lead_strength"]

_RULES = {
    "best_mean": N_("the average over all futures"),
    "minimax_regret": N_("minimax regret"),
    "best_satisficing": N_(
        "the share of futures in which deterrence holds through the horizon with at least "
        "{threshold} probability"
    ),
}


def lead_strength(share: float, lang: Language = ENGLISH) -> str:
    """How clear a lead is, from the share of futures in which the leader beats the
    runner-up."""
    # Translators: how clear the leading option's lead is ("Its lead over X is clear").
    if share >= 0.9:
        return lang.gettext("clear")
    if share >= 0.65:
        return lang.gettext("solid but not certain")
    return lang.gettext("narrow")


def conclusion(f: Findings, lang: Language = ENGLISH) -> list[str]:
    """The conclusion's paragraphs (Markdown), each citing the run."""
    _, ngettext = lang.gettext, lang.ngettext
    o, lead, runner = f.rows, f.leading, f.runner_up
    sq = next(iter(o))
    mark = f.run_mark
    horizon = f.run.scenario.horizon
    paragraphs = []

    def name(option: str) -> str:
        return _name(f, option, lang)

    gain = o[lead]["change_mean"]
    opening = _(
        "**{leader}** does most to keep deterrence of {challenger} credible across Europe. "
        "The probability that deterrence holds in every crisis from {start} through {horizon} "
        "(no challenge that gains or ends in conflict), averaged over Europe's population, is "
        "{with_it} with it, against {status_quo} under the status quo: {change} {mark}."
    ).format(
        leader=name(lead),
        challenger=_challenger(f, lang),
        start=f.run.scenario.start_year,
        horizon=horizon,
        with_it=estimate(*spread(o[lead], "deterrence"), "percent", lang),
        status_quo=estimate(*spread(o[sq], "deterrence"), "percent", lang),
        change=estimate(gain, o[lead]["change_low"], o[lead]["change_high"], "points", lang),
        mark=mark,
    )
    if gain < 0.005:
        opening += " " + _(
            "The gain is small: no option on the table changes the odds by as much as "
            "half a percentage point on average."
        )
    paragraphs.append(opening)

    agree = [rule for rule, option in f.rules.items() if option == lead]
    others = {rule: option for rule, option in f.rules.items() if option != lead}
    n = f.run.n_samples
    lead_text = ngettext(
        "Its lead over {runner} is {strength}: it does better in {share} of the {n} future {mark}.",
        "Its lead over {runner} is {strength}: it does better in {share} of the {n} futures "
        "{mark}.",
        n,
    ).format(
        runner=name(runner),
        strength=lead_strength(f.lead_share, lang),
        share=percent(f.lead_share, lang=lang),
        n=number(n, 0, lang),
        mark=mark,
    )
    if others:
        differing = "; ".join(
            # Translators: one robustness rule and the option it ranks first.
            _("under {rule}, {option} comes first").format(
                rule=_rule(rule, lang), option=name(option)
            )
            for rule, option in others.items()
        )
        lead_text += " " + _("The ranking depends on the rule: {rules}.").format(rules=differing)
    elif agree:
        lead_text += " " + _("It ranks first under every robustness rule ({rules}).").format(
            rules=", ".join(_rule(rule, lang) for rule in agree)
        )
    paragraphs.append(lead_text)

    cost = o[lead]["npv_mean"]
    cost_runner = o[runner]["npv_mean"]
    per_point = cost / max(100.0 * gain, 1e-9)
    costs = (
        _(
            "It costs {cost} in present value to {horizon}, less than {runner} "
            "({runner_cost}), or about {per_point} per percentage point of deterrence gained "
            "{mark}."
        )
        if cost < cost_runner
        else _(
            "It costs {cost} in present value to {horizon}, more than {runner} "
            "({runner_cost}), or about {per_point} per percentage point of deterrence gained "
            "{mark}."
        )
    ).format(
        cost=money(cost, o[lead]["npv_low"], o[lead]["npv_high"], lang),
        horizon=horizon,
        runner=name(runner),
        runner_cost=money(cost_runner, lang=lang),
        per_point=money(per_point, lang=lang),
        mark=mark,
    )
    prolif, prolif_sq = o[lead]["proliferation_mean"], o[sq]["proliferation_mean"]
    if prolif > prolif_sq + 0.005:
        costs += " " + _(
            "It raises the non-proliferation risk index from {before} to {after}."
        ).format(
            before=number(prolif_sq, 2, lang),
            after=estimate(*spread(o[lead], "proliferation"), "index", lang),
        )
    elif prolif < prolif_sq - 0.005:
        costs += " " + _(
            "It lowers the non-proliferation risk index from {before} to {after}."
        ).format(before=number(prolif_sq, 2, lang), after=number(prolif, 2, lang))
    else:
        costs += " " + _("It leaves the non-proliferation risk index where it is.")
    paragraphs.append(costs)

    support, support_sq = o[lead]["ukraine_support_mean"], o[sq]["ukraine_support_mean"]
    best_ukraine = max(o, key=lambda k: float(o[k]["ukraine_support_mean"]))
    if support > support_sq:
        ukraine = _(
            "For Ukraine, support averages {support} a year under it, more than under the "
            "status quo ({status_quo})"
        )
    elif support < support_sq:
        ukraine = _(
            "For Ukraine, support averages {support} a year under it, less than under the "
            "status quo ({status_quo})"
        )
    else:
        ukraine = _(
            "For Ukraine, support averages {support} a year under it, as much than under the "
            "status quo ({status_quo})"
        )
    ukraine = ukraine.format(
        support=money(support, lang=lang), status_quo=money(support_sq, lang=lang)
    )
    if best_ukraine != lead:
        ukraine += "; " + _("{option} does most for Ukraine ({support} a year)").format(
            option=name(best_ukraine),
            support=money(o[best_ukraine]["ukraine_support_mean"], lang=lang),
        )
    low_ukraine = min(o, key=lambda k: float(o[k]["ukraine_fails_mean"]))
    ukraine += ". " + _(
        "Deterrence of a new offensive against Ukraine itself fails in {share} of crisis "
        "opportunities in {horizon} even under {option}, the option that lowers it most, "
        "against {status_quo} under the status quo {mark}."
    ).format(
        share=percent(float(o[low_ukraine]["ukraine_fails_mean"]), lang=lang),
        horizon=horizon,
        option=name(low_ukraine),
        status_quo=percent(float(o[sq]["ukraine_fails_mean"]), lang=lang),
        mark=mark,
    )
    paragraphs.append(ukraine)

    prim = f.prim
    failing = _(
        "It falls short (deterrence holds through {horizon} with less than {threshold} "
        "probability) in {share} of futures {mark}."
    ).format(
        horizon=horizon,
        threshold=percent(prim["threshold"], lang=lang),
        share=percent(prim["share"], lang=lang),
        mark=mark,
    )
    if len(prim["box"]):
        faces = [_condition(row, lang) for row in prim["box"].head(3).to_dict("records")]
        conditions = (
            faces[0]
            if len(faces) == 1
            # Translators: the last item of a list joined to the others, "a, b and c".
            else _("{items} and {last}").format(items=", ".join(faces[:-1]), last=faces[-1])
        )
        failing += " " + _(
            "Those futures concentrate where {conditions}: that box holds {coverage} of the "
            "failures, and {density} of the futures inside it fail."
        ).format(
            conditions=conditions,
            coverage=percent(prim["coverage"], lang=lang),
            density=percent(prim["density"], lang=lang),
        )
    if len(f.sobol):
        top = f.sobol.iloc[0]
        failing += " " + _(
            "The single assumption that moves the answer most is {assumption} (total Sobol "
            "index {index})."
        ).format(
            assumption=str(top["label"]).split(" (")[0],
            index=number(float(top["ST"]), 2, lang),
        )
    paragraphs.append(failing)
    return paragraphs


def bottom_line(f: Findings, lang: Language = ENGLISH) -> list[str]:
    """The brief's first paragraph, as sentences: the answer, how sure it is, what it costs,
    the near window, and the assumption that would change it."""
    _, ngettext = lang.gettext, lang.ngettext
    o, lead, runner = f.rows, f.leading, f.runner_up
    sq = next(iter(o))
    scenario = f.run.scenario
    start, horizon = scenario.start_year, scenario.horizon
    mark = f.run_mark
    n = f.run.n_samples
    leader = _name(f, lead, lang)
    sentences = [
        ngettext(
            "Of the {n} option on the table, **{leader}** does most to keep deterrence of "
            "{challenger} credible across Europe: the probability that deterrence holds in "
            "every crisis from {start} through {horizon} is {with_it} with it, against "
            "{status_quo} under the status quo, {change} {mark}.",
            "Of the {n} options on the table, **{leader}** does most to keep deterrence of "
            "{challenger} credible across Europe: the probability that deterrence holds in "
            "every crisis from {start} through {horizon} is {with_it} with it, against "
            "{status_quo} under the status quo, {change} {mark}.",
            len(o) - 1,
        ).format(
            n=number(len(o) - 1, 0, lang),
            leader=leader,
            challenger=_challenger(f, lang),
            start=start,
            horizon=horizon,
            with_it=estimate(*spread(o[lead], "deterrence"), "percent", lang),
            status_quo=estimate(*spread(o[sq], "deterrence"), "percent", lang),
            change=estimate(*spread(o[lead], "change"), "points", lang),
            mark=mark,
        ),
        ngettext(
            "Its lead over {runner} is {strength}: it does better in {share} of the {n} "
            "future explored, and the ranges (10th–90th percentile over those futures) show "
            "how much the answer rests on the assumptions {mark}.",
            "Its lead over {runner} is {strength}: it does better in {share} of the {n} "
            "futures explored, and the ranges (10th–90th percentile over those futures) show "
            "how much the answer rests on the assumptions {mark}.",
            n,
        ).format(
            runner=_name(f, runner, lang),
            strength=lead_strength(f.lead_share, lang),
            share=percent(f.lead_share, lang=lang),
            n=number(n, 0, lang),
            mark=mark,
        ),
    ]
    value = {str(r["option"]): r for r in f.value.to_dict("records")}
    if lead in value:
        per_bn = float(value[lead]["points_per_eur_bn"])
        sentences.append(
            _(
                "It costs {cost} in present value to {horizon}, {per_bn} points of deterrence "
                "per EUR bn {mark}."
            ).format(
                cost=money(*spread(o[lead], "npv"), lang=lang),
                horizon=horizon,
                per_bn=number(per_bn, 2, lang),
                mark=mark,
            )
        )
    first, last = NEAR_WINDOW
    years = f.by_year
    near = {str(r["option"]): r for r in years[years["year"] == last].to_dict("records")}
    if lead in near and sq in near:
        base = float(near[sq]["holds_mean"])
        gap = float(near[lead]["holds_mean"]) - base
        futures = int(near[sq]["futures"])
        sentence = (
            ngettext(
                "In the near window, {first}–{last}, the options barely differ yet: by {last} "
                "it changes the status quo's {base} by {gap} points (mean of {n} future of the "
                "run), because new commitments take years to act {mark}.",
                "In the near window, {first}–{last}, the options barely differ yet: by {last} "
                "it changes the status quo's {base} by {gap} points (mean of {n} futures of "
                "the run), because new commitments take years to act {mark}.",
                futures,
            )
            if abs(gap) < 0.01
            else ngettext(
                "By {last}, the end of the near window, it changes the status quo's {base} by "
                "{gap} points (mean of {n} future of the run) {mark}.",
                "By {last}, the end of the near window, it changes the status quo's {base} by "
                "{gap} points (mean of {n} futures of the run) {mark}.",
                futures,
            )
        )
        sentences.append(
            sentence.format(
                first=first,
                last=last,
                base=percent(base, lang=lang),
                gap=points(gap, lang=lang),
                n=number(futures, 0, lang),
                mark=mark,
            )
        )
    pivot = f.pivot
    if pivot:
        sentences.append(
            _(
                "What would change the answer: whether {leader} or {runner} comes first "
                "depends most on {assumption} (`{name}`); in the fifth of futures where it is "
                "lowest, {leader} leads in {low} of them, in the fifth where it is highest in "
                "{high} {mark}."
            ).format(
                leader=leader,
                runner=_name(f, runner, lang),
                assumption=_plain(pivot["label"]),
                name=pivot["name"],
                low=percent(pivot["lead_low"], lang=lang),
                high=percent(pivot["lead_high"], lang=lang),
                mark=mark,
            )
        )
    return sentences


def _name(f: Findings, option: str, lang: Language) -> str:
    """An option's name in the brief's language (the scenario's where none is translated)."""
    return lang.text(f.name(option))


def _rule(rule: str, lang: Language) -> str:
    """A robustness rule in words."""
    if rule not in _RULES:
        return rule
    return lang.gettext(_RULES[rule]).format(threshold=percent(SATISFICING, lang=lang))


def _plain(label: str) -> str:
    """An assumption's meaning without its gloss (after a colon or in brackets)."""
    return label.split(" (")[0].split(":")[0].strip()


def _challenger(f: Findings, lang: Language = ENGLISH) -> str:
    scenario = f.run.scenario
    return lang.country(scenario.challenger, str(scenario.world.actor(scenario.challenger).name))


def _condition(row: dict[Any, Any], lang: Language = ENGLISH) -> str:
    """A PRIM box face in words: 'x is above 0.4'."""
    label = str(row["label"]).split(" (")[0]  # the gloss in brackets reads badly mid-sentence
    low, high = float(row["low"]), float(row["high"])
    full_low, full_high = float(row["range_low"]), float(row["range_high"])
    # Units that read as words after a number (years, EUR bn); others (ratios, shares) go
    # unsaid.
    unit = str(row["unit"])
    if low > full_low and high < full_high:
        return lang.gettext("{assumption} is between {low} and {high}").format(
            assumption=label, low=number(low, lang=lang), high=quantity(high, unit, lang)
        )
    if low > full_low:
        return lang.gettext("{assumption} is above {value}").format(
            assumption=label, value=quantity(low, unit, lang)
        )
    return lang.gettext("{assumption} is below {value}").format(
        assumption=label, value=quantity(high, unit, lang)
    )
