"""What to do now, what to watch: the leading option (an option, a portfolio or a pathway)
and its parts, its signposts on today's evidence, and the value of information.

:func:`watch_context` turns :attr:`umbrella.report.findings.Findings.watch` into the rows and
sentences the template ``watch.md.j2`` prints, in the brief's language; :func:`watch_tables`
into the tables written beside the brief (``data/signposts.csv``,
``data/value-of-information.csv``). No figure is computed here that the findings do not
hold: the signposts are :func:`umbrella.explore.signposts.signposts`'s, the value of
information :func:`umbrella.explore.voi.run_voi`'s.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from umbrella.errors import UmbrellaError
from umbrella.explore.signposts import CRISIS_GROUPS, Observation
from umbrella.report.findings import WATCH_GROUPS, Findings
from umbrella.report.locale import ENGLISH, Language
from umbrella.report.numbers import number, percent, points

__all__ = [
    "PORTFOLIO_SCENARIO",
    "pathway_names",
    "pathway_table",
    "watch_context",
    "watch_tables",
]

PORTFOLIO_SCENARIO = "europe-2026-portfolios"
"""The shipped scenario whose options include portfolios and pathways."""

_EVENTS_SHOWN = 2  # events listed per signpost: those that moved it most toward its trigger


def watch_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    """The section's sentences and tables: ``now`` (what to do now, with ``parts``),
    ``signposts`` (definition, ``rows``, what they say), ``voi`` (definitions, EVPI,
    ``rows``, scale)."""
    return {
        "now": _now(found, lang),
        "signposts": _signposts(found, lang),
        "voi": _voi(found, lang),
    }


def _now(found: Findings, lang: Language) -> dict[str, Any]:
    _ = lang.gettext
    w = found.watch
    scenario = found.run.scenario
    mark = found.run_mark
    row = found.rows[w.option]
    name = lang.text(found.name(w.option))
    first = _first_year(found, w.option)
    known = {
        "option": name,
        "horizon": scenario.horizon,
        "holds": percent(float(row["deterrence_mean"]), lang=lang),
        "first": first,
        "mark": mark,
    }
    if w.kind == "pathway":
        lead = _(
            "**What to do now:** {option}, the option that leads, with deterrence holding "
            "through {horizon} at {holds}. It is a pathway: it takes its first steps now and "
            "adds the others only where a signpost fires, and first acts in {first} {mark}:"
        ).format(**known)
    elif w.kind == "portfolio":
        lead = lang.ngettext(
            "**What to do now:** {option}, the option that leads, with deterrence holding "
            "through {horizon} at {holds}. It is a portfolio of {count} measure taken "
            "together, and first acts in {first} {mark}:",
            "**What to do now:** {option}, the option that leads, with deterrence holding "
            "through {horizon} at {holds}. It is a portfolio of {count} measures taken "
            "together, and first acts in {first} {mark}:",
            len(w.parts),
        ).format(count=len(w.parts), **known)
    else:
        lead = _(
            "**What to do now:** {option}, the option that leads, with deterrence holding "
            "through {horizon} at {holds}. It is a single measure and first acts in "
            "{first} {mark}."
        ).format(**known)
    parts = [_part(found, part, lang) for part in w.parts]
    after = ""
    if not w.staged:
        after = _(
            "This scenario has no portfolio or pathway. Options combined, or staged so that a "
            "step waits for a signpost, are assessed in the scenario that has them: {command} "
            "{mark}."
        ).format(command=f"`umbrella brief {PORTFOLIO_SCENARIO}`", mark=mark)
    elif w.kind == "option":
        after = _(
            "None of the scenario's portfolios or pathways leads: this single measure does "
            "more for deterrence, on average over the futures, than any combination assessed "
            "{mark}."
        ).format(mark=mark)
    return {"lead": lead, "parts": parts, "after": after}


def pathway_table(found: Findings) -> pd.DataFrame:
    """The table behind the pathway map (:func:`umbrella.report.charts.pathway_chart`): a row
    per part of each of the scenario's pathways, named as the options table names them, the
    signpost's condition in English (empty for a part that waits for none); empty where the
    scenario has no pathway."""
    table = found.watch.pathways
    columns = ["pathway", "part", "start", "end", "condition", "read_by", "fired", "holds"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        {
            "pathway": [found.name(str(p)) for p in table["pathway"]],
            "part": [found.name(str(p)) for p in table["part"]],
            "start": table["start"].astype(int),
            "end": table["end"].astype(int),
            "condition": [_condition(found, r, ENGLISH) for r in table.to_dict("records")],
            "read_by": table["read_by"].astype(int),
            "fired": table["fired"].astype(float),
            "holds": table["holds"].astype(float),
        }
    )[columns]


def pathway_names(found: Findings, lang: Language = ENGLISH) -> dict[str, str]:
    """The words of :func:`pathway_table` (the pathways', the parts' names and the
    conditions, in English) as ``lang`` words them."""
    table = found.watch.pathways
    words: dict[str, str] = {}
    for r in table.to_dict("records"):
        for option in (str(r["pathway"]), str(r["part"])):
            words[found.name(option)] = lang.text(found.name(option))
        words[_condition(found, r, ENGLISH)] = _condition(found, r, lang)
    return words


def _condition(found: Findings, r: Mapping[Any, Any], lang: Language) -> str:
    """A pathway step's signpost in words: ``'{assumption} is below {value}'``; empty for
    a part that waits for none."""
    if not r["assumption"]:
        return ""
    _ = lang.gettext
    assumption = _plain(found.run.scenario.registry[str(r["assumption"])].meaning)
    return (
        _("{assumption} is below {value}") if r["below"] else _("{assumption} is above {value}")
    ).format(assumption=assumption, value=number(float(r["threshold"]), lang=lang))


def _first_year(found: Findings, option: str) -> int:
    """The year an option first acts, at the assumptions' defaults (rounded down)."""
    scenario = found.run.scenario
    try:
        start = float(scenario.option_field(option, "start_year"))
        lead = float(scenario.option_field(option, "years_to_first_effect"))
    except (KeyError, UmbrellaError):  # without these fields it acts from the start
        return int(scenario.start_year)
    return math.floor(start + lead)


def _part(found: Findings, part: dict[str, Any], lang: Language) -> str:
    _ = lang.gettext
    name = lang.text(found.name(str(part["option"])))
    delay = float(part["delay"])
    when = part["when"]
    if when is not None:
        registry = found.run.scenario.registry
        assumption = _plain(registry[str(when["assumption"])].meaning)
        condition = (
            _("{assumption} is below {value}")
            if when["below"]
            else _("{assumption} is above {value}")
        ).format(assumption=assumption, value=number(float(when["value"]), lang=lang))
        text = _(
            "{option}, from {year}, only in the futures where by {read_by} {condition}"
        ).format(
            option=name,
            year=_year(int(when["read_by"]) + delay),
            read_by=int(when["read_by"]),
            condition=condition,
        )
        text += "; " + _step_now(found, str(part["option"]), lang)
    elif delay > 0:
        text = lang.ngettext(
            "{option}, {delay} year after its own start",
            "{option}, {delay} years after its own start",
            max(1, round(delay)),
        ).format(option=name, delay=number(delay, 0 if delay == round(delay) else 1, lang))
    else:
        text = _("{option}, from its own start").format(option=name)
    if float(part["scale"]) < 1.0:
        text += " " + _("(at {share} of its full size)").format(
            share=percent(float(part["scale"]), lang=lang)
        )
    return f"{text} {found.run_mark}"


def _step_now(found: Findings, option: str, lang: Language) -> str:
    """Where a pathway step's signpost stands on today's evidence."""
    _ = lang.gettext
    steps = found.watch.steps
    rows = steps[steps["option"] == option]
    if rows.empty:
        return _("today's evidence cannot show it: the dataset records no estimate of it")
    r = {str(k): v for k, v in rows.iloc[0].items()}
    seen = found.watch.signposts.observations[str(r["assumption"])]
    return _("today's evidence: {value} ({window}), {status}").format(
        value=_today(found, seen, lang), window=_window(seen.window, lang), status=_status(r, lang)
    )


def _signposts(found: Findings, lang: Language) -> dict[str, Any]:
    _ = lang.gettext
    w = found.watch
    report = w.signposts
    mark = found.run_mark
    name = lang.text(found.name(w.option))
    horizon = found.run.scenario.horizon
    threshold = percent(report.fail_below, lang=lang)
    definition = _(
        "**What to watch.** A signpost is a bound on one assumption, taken from the box of "
        "futures in which {option} fails (deterrence holds through {horizon} below "
        "{threshold}, as scenario discovery finds it), that a quantity the dataset records "
        "can be compared with. It has fired when today's value lies inside the bound; it is "
        "near when it lies outside by at most {margin} of the assumption's sampled range; it "
        "must be read by the year the option first acts, while a change of course can still "
        "be decided {mark}."
    ).format(
        option=name,
        horizon=horizon,
        threshold=threshold,
        margin=percent(report.margin, lang=lang),
        mark=mark,
    )
    facts = report.boxes.get(w.option, {})
    table = report.table
    rows = [
        _signpost_row(found, {str(k): v for k, v in r.items()}, lang)
        for r in table.to_dict("records")
    ]
    fired = int((table["status"] == "fired").sum()) if len(table) else 0
    near = int((table["status"] == "near").sum()) if len(table) else 0
    says = []
    if "error" in facts:
        says.append(
            _(
                "Scenario discovery finds no box that separates the futures in which {option} "
                "falls below {threshold} from the others, so there is no signpost of its "
                "failure to watch {mark}."
            ).format(option=name, threshold=threshold, mark=mark)
        )
    elif not rows:
        says.append(
            _(
                "The box of futures in which {option} fails bounds no assumption the dataset "
                "records: none of its bounds can be watched, only judged {mark}."
            ).format(option=name, mark=mark)
        )
    elif fired:
        says.append(
            lang.ngettext(
                "{count} signpost has fired. The box is a conjunction: {option} fails where "
                "all its bounds hold together, so a fired signpost says the world has moved "
                "onto one face of the box, not that the option fails {mark}.",
                "{count} signposts have fired. The box is a conjunction: {option} fails where "
                "all its bounds hold together, so a fired signpost says the world has moved "
                "onto one face of the box, not that the option fails {mark}.",
                fired,
            ).format(count=fired, option=name, mark=mark)
        )
    else:
        says.append(
            _(
                "No signpost has fired: on every assumption the record can show, today's "
                "evidence lies outside the box in which {option} fails {mark}."
            ).format(option=name, mark=mark)
        )
    if rows and near:
        says.append(
            lang.ngettext(
                "{count} signpost is near: the evidence need not move far to fire it {mark}.",
                "{count} signposts are near: the evidence need not move far to fire them {mark}.",
                near,
            ).format(count=near, mark=mark)
        )
    unobserved = report.unobserved
    if "error" not in facts and len(unobserved):
        registry = found.run.scenario.registry
        labels = [
            _plain(registry[str(a)].meaning) if str(a) in registry else str(a)
            for a in dict.fromkeys(unobserved["assumption"])
        ]
        says.append(
            _(
                "The box also bounds assumptions no dataset records ({assumptions}): they can "
                "only be judged, not watched {mark}."
            ).format(assumptions="; ".join(labels), mark=mark)
        )
    return {"definition": definition, "rows": rows, "says": says}


def _signpost_row(found: Findings, r: dict[str, Any], lang: Language) -> dict[str, str]:
    seen = found.watch.signposts.observations[str(r["assumption"])]
    events = [e for e in r["events"] if e["toward"]][:_EVENTS_SHOWN]
    records = found.run.scenario.world.records.get("events", {})
    moved = "; ".join(
        f"{lang.short_date(dt.date.fromisoformat(str(e['date'])))}: {_short(str(e['title']))}"
        for e in events
    )
    sources = [
        str(getattr(records[e["id"]], "sources", [""])[0])
        for e in events
        if e["id"] in records and getattr(records[e["id"]], "sources", None)
    ]
    cite = " ".join([found.run_mark, *([found.cite(*sources)] if sources else [])])
    return {
        "observable": _observable(found, seen, lang),
        "trigger": _trigger(found, r, seen, lang),
        "today": f"{_today(found, seen, lang)} ({_window(seen.window, lang)})",
        "status": _status(r, lang),
        "read_by": str(int(r["read_by"])),
        "moved": moved or "—",
        "cite": cite,
    }


def _observable(found: Findings, seen: Observation, lang: Language) -> str:
    """The quantity a signpost reads, in the brief's language."""
    _ = lang.gettext
    name = seen.assumption
    scenario = found.run.scenario
    if name.startswith("trust.future_evidence"):
        world = scenario.world
        who = [g for g, flow in scenario.future_evidence.items() if flow == name]
        states = ", ".join(lang.country(g, world.actor(g).name) for g in who)
        return _("net evidence a year about {guarantors}").format(guarantors=states)
    group = CRISIS_GROUPS.get(name)
    if group == "nato":
        return _("Russian challenges a year per NATO member")
    if group == "other":
        return _("Russian challenges a year per European state outside NATO")
    return lang.text(seen.observable)


def _unit(seen: Observation, lang: Language) -> str:
    _ = lang.gettext
    if seen.assumption.startswith("trust.future_evidence"):
        return _("observations a year")
    if seen.assumption in CRISIS_GROUPS:
        return _("challenges per state and year")
    return lang.text(seen.unit)


def _trigger(found: Findings, r: dict[str, Any], seen: Observation, lang: Language) -> str:
    _ = lang.gettext
    low, high, unit = float(r["low"]), float(r["high"]), _unit(seen, lang)
    if math.isinf(high):
        return _("at least {value} {unit}").format(value=_figure(low, lang), unit=unit)
    if math.isinf(low):
        return _("at most {value} {unit}").format(value=_figure(high, lang), unit=unit)
    return _("between {low} and {high} {unit}").format(
        low=_figure(low, lang), high=_figure(high, lang), unit=unit
    )


def _today(found: Findings, seen: Observation, lang: Language) -> str:
    value = _figure(seen.value, lang)
    if seen.reading == "lower bound":
        return lang.gettext("{value}, a lower bound").format(value=value)
    return value


def _status(r: dict[str, Any], lang: Language) -> str:
    _ = lang.gettext
    status = str(r["status"])
    if status == "fired":
        return _("fired")
    gap = _figure(float(r["gap"]), lang)
    if status == "near":
        return _("near (short by {gap})").format(gap=gap)
    return _("not near (short by {gap})").format(gap=gap)


def _voi(found: Findings, lang: Language) -> dict[str, Any]:
    _ = lang.gettext
    voi = found.watch.voi
    mark = found.run_mark
    horizon = found.run.scenario.horizon
    best = lang.text(found.name(voi.best))
    definition = lang.ngettext(
        "**What is worth learning.** The value of information is how much knowing an "
        "assumption before choosing would raise the probability that deterrence holds through "
        "{horizon} (the mean over the run's {futures} future, no weight on cost), in "
        "percentage points. The expected value of perfect information (EVPI) is the gain from "
        "knowing which future is the true one; the expected value of partial perfect "
        "information (EVPPI) of a group of assumptions is the gain from knowing that group "
        "alone, estimated by regression on the run's futures (Strong, Oakley and Brennan, "
        "2014). Either is zero where no knowledge would change the choice {mark}.",
        "**What is worth learning.** The value of information is how much knowing an "
        "assumption before choosing would raise the probability that deterrence holds through "
        "{horizon} (the mean over the run's {futures} futures, no weight on cost), in "
        "percentage points. The expected value of perfect information (EVPI) is the gain from "
        "knowing which future is the true one; the expected value of partial perfect "
        "information (EVPPI) of a group of assumptions is the gain from knowing that group "
        "alone, estimated by regression on the run's futures (Strong, Oakley and Brennan, "
        "2014). Either is zero where no knowledge would change the choice {mark}.",
        voi.n_futures,
    ).format(horizon=horizon, futures=number(voi.n_futures, 0, lang), mark=mark)
    evpi = number(voi.evpi, 2, lang)
    if voi.evpi_switches:
        other = max(voi.evpi_switches, key=voi.evpi_switches.__getitem__)
        total = _(
            "EVPI: {evpi} points. With perfect information, {best} would still be chosen in "
            "{share} of the futures; the option chosen most often instead is {other} "
            "({other_share}) {mark}."
        ).format(
            evpi=evpi,
            best=best,
            share=percent(voi.best_share, lang=lang),
            other=lang.text(found.name(other)),
            other_share=percent(voi.evpi_switches[other], lang=lang),
            mark=mark,
        )
    else:
        total = _(
            "EVPI: {evpi} points. {best} is the best option in every future: no information "
            "would change the choice {mark}."
        ).format(evpi=evpi, best=best, mark=mark)
    top = voi.table.head(WATCH_GROUPS)
    rows = []
    for r in top.to_dict("records"):
        to = r["changed_to"]
        if to is not None and float(r["changed"]) > 0:
            change = _("to {other} in {share} of the futures").format(
                other=lang.text(found.name(str(to))),
                share=percent(float(r["changed_to_share"]), lang=lang),
            )
        else:
            change = _("none: the choice stays")
        rows.append(
            {
                "group": _capital(lang.text(str(r["group"]))),
                "evppi": number(float(r["evppi"]), 2, lang),
                "change": change,
            }
        )
    scale = ""
    if rows:
        leading = found.rows[found.watch.option]
        scale = _(
            "For scale: {option} adds {change} points against the status quo. Settling "
            "{group} before deciding is worth at most {evppi} points to this decision; the "
            "other groups are worth less. A choice that would change in many futures for "
            "a small value changes where the options are close: little is lost by not "
            "knowing {mark}."
        ).format(
            option=lang.text(found.name(found.watch.option)),
            change=points(float(leading["change_mean"]), lang=lang),
            group=lang.text(str(top["group"].iloc[0])),
            evppi=rows[0]["evppi"],
            mark=mark,
        )
    return {"definition": definition, "total": total, "rows": rows, "scale": scale}


def watch_tables(found: Findings) -> dict[str, pd.DataFrame]:
    """The section's tables as written beside the brief: the signposts (the leading
    option's, ``role`` failure, and a pathway's own steps, ``role`` step; events by id) and
    the value of information (EVPI first, then every group)."""
    w = found.watch
    signposts = pd.concat(
        [w.signposts.table.assign(role="failure"), w.steps.assign(role="step")],
        ignore_index=True,
    )
    signposts["events"] = signposts["events"].map(lambda es: " ".join(str(e["id"]) for e in es))
    voi = pd.DataFrame(w.voi.records())
    voi["assumptions"] = voi["assumptions"].map(" ".join)
    return {"signposts": signposts, "value-of-information": voi}


def _figure(value: float, lang: Language) -> str:
    """A signpost's bound or reading to three significant figures (0.0605, −1.50, 12.3)."""
    if not math.isfinite(value) or value == 0:
        return number(value, 2, lang)
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return number(value, digits, lang)


def _window(window: str, lang: Language) -> str:
    """An observation's window as the brief writes dates and spans."""
    if " to " in window:
        start, end = (dt.date.fromisoformat(d) for d in window.split(" to "))
        return f"{lang.short_date(start)} – {lang.short_date(end)}"
    return window.replace("-", "–")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _year(value: float) -> int:
    return math.floor(value)


def _plain(label: str) -> str:
    """An assumption's meaning without its gloss (after a colon or in brackets)."""
    return label.split(" (")[0].split(":")[0].strip()


def _short(text: str, words: int = 9) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
