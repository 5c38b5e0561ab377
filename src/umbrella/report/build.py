"""Write a brief: run (or open) a run, gather its findings, render Markdown, HTML and charts.

The folder written holds ``brief.html`` (self-contained: styles, plotly.js and every chart
embedded, no network needed), ``brief.md`` with ``charts/*.png`` beside it, and ``data/``
with the table behind every chart and table as CSV. It is first written to a temporary
folder next to the target and moved into place only when complete, so an interrupted brief
never leaves a half-written one behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt

from umbrella.data.cite import format_source
from umbrella.errors import UsageError
from umbrella.explore.run import Run, open_run
from umbrella.explore.run import run as run_ensemble
from umbrella.explore.sampling import uncertainties
from umbrella.explore.tradeoffs import OBJECTIVES, Objective
from umbrella.model.scenario import Scenario, load_scenario
from umbrella.report import DEFAULT_SAMPLES, DEFAULT_SEED, FORMATS, reader
from umbrella.report import charts as ch
from umbrella.report.findings import NEAR_WINDOW, Findings, findings, spread
from umbrella.report.implementation import implementation_context, implementation_table
from umbrella.report.locale import ENGLISH, FINDINGS_TEXTS, N_, Language, language
from umbrella.report.narrative import bottom_line, conclusion
from umbrella.report.numbers import dollars, estimate, money, number, percent, points
from umbrella.report.watch import pathway_names, pathway_table, watch_context, watch_tables
from umbrella.settings import LEAN_CHUNK_SIZE, MAX_KEPT
from umbrella.types import PathLike

__all__ = [
    "PHASES",
    "SECTIONS",
    "Brief",
    "Charted",
    "chart_drawers",
    "scenario_texts",
    "write_brief",
]

PHASES = (
    "evaluating the futures",
    "robustness and scenario discovery",
    "detail futures by year and country",
    "sensitivity (Sobol)",
    "stress tests",
    "writing the brief",
)
"""The phases of a brief, in order, as :func:`write_brief` announces them (a brief of a
stored run opens it instead of evaluating the futures)."""

SECTIONS = (
    ("bottom-line", N_("Bottom line")),
    ("definitions", N_("What the numbers mean")),
    ("about", N_("What it is about")),
    ("center", N_("Who is at the center")),
    ("why-now", N_("Why now")),
    ("partners", N_("What partners are saying")),
    ("ukraine", N_("Implications for Ukraine")),
    ("options", N_("What is realistically possible")),
    ("stresses", N_("What no option controls")),
    ("drivers", N_("What drives the answer")),
    ("watch", N_("What to do now, what to watch")),
    ("limits", N_("What the model cannot tell")),
    ("conclusion", N_("Conclusion")),
    ("method", N_("Method, assumptions and sources")),
)
"""The sections of a brief, in order: id and title (in English; each brief prints the title
in its language)."""


@dataclass(frozen=True)
class Brief:
    """A written brief: where its files are and what it found."""

    folder: Path
    files: dict[str, Path]
    run_id: str
    leading: str
    conclusion: list[str]
    seconds: float
    lang: str = "en"


def write_brief(
    scenario: Scenario | PathLike | None = None,
    *,
    run_id: str | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    out: PathLike = "brief",
    formats: Sequence[str] = ("html", "md"),
    store: PathLike | None = "umbrella-runs",
    sobol_base: int = 256,
    progress: Callable[[int, int], None] | None = None,
    phase: Callable[[str], None] | None = None,
    lang: str = "en",
) -> Brief:
    """Write the brief of ``scenario`` (a new run) or of the stored run ``run_id``, in the
    language ``lang`` (:data:`umbrella.report.locale.LANGUAGES`).

    ``progress`` is called with (futures done, futures in all) while the run evaluates;
    ``phase`` with the name of each phase as it starts (:data:`PHASES`)."""
    announce = phase or (lambda name: None)
    started = time.perf_counter()
    tongue = language(lang)  # an unknown language fails before the run, not after it
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise UsageError(
            f"--format: unknown format {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(FORMATS)}"
        )
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {target}: exists and is not a folder")
    if "pdf" in formats:
        _chromium()  # fail before the run, not after it
    announce(PHASES[0] if run_id is None else "opening the stored run")
    run = _run(scenario, run_id, samples, seed, store, progress)
    found = findings(run, sobol_base=sobol_base, phase=announce)
    announce(PHASES[-1])
    words = conclusion(found, tongue)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the brief is for readers
    try:
        files = _write(found, words, staging, formats, tongue)
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Brief(
        folder=target,
        files={kind: target / path.relative_to(staging) for kind, path in files.items()},
        run_id=found.run_id,
        leading=found.leading,
        conclusion=words,
        seconds=time.perf_counter() - started,
        lang=tongue.code,
    )


def _run(
    scenario: Scenario | PathLike | None,
    run_id: str | None,
    samples: int,
    seed: int,
    store: PathLike | None,
    progress: Callable[[int, int], None] | None,
) -> Run:
    if run_id is not None:
        if scenario is not None:
            raise UsageError("give a scenario or --run, not both")
        if store is None:
            raise UsageError("--run needs the run store the run was kept in (--store)")
        return open_run(run_id, store)
    if not 1_000 <= samples <= MAX_KEPT:
        raise UsageError(
            f"--samples {samples}: use 1,000 to {MAX_KEPT:,} futures for a brief (it reads "
            "every future into memory)"
        )
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    # Small chunks: the model's working memory would otherwise be the brief's largest need.
    return run_ensemble(
        scenario, samples, seed, store=store, chunk_size=LEAN_CHUNK_SIZE, progress=progress
    )


def _write(
    found: Findings,
    words: list[str],
    folder: Path,
    formats: Sequence[str],
    lang: Language = ENGLISH,
) -> dict[str, Path]:
    (folder / "data").mkdir()
    charts = {key: draw(lang) for key, draw in _charts(found).items()}
    sections = _sections(found, words, charts, lang)
    files: dict[str, Path] = {}
    for chart in charts.values():
        chart.write_csv(folder / "data" / f"{chart.id}.csv")
    for name, table in _tables(found).items():
        table.to_csv(folder / "data" / f"{name}.csv", index=False)
    bibliography = _bibliography(found)
    page = {
        "title": lang.text(found.run.scenario.title),
        "subtitle": _subtitle(found, lang),
        "sections": sections,
        "bibliography": bibliography,
        "run_id": found.run_id,
        "version": version("umbrella"),
        "lang": lang.code,
    }
    env = _environment(lang.code)
    if "md" in formats:  # the PDF prints the HTML page, with its interactive charts
        (folder / "charts").mkdir()
        for chart in charts.values():
            chart.write_png(folder / "charts" / f"{chart.id}.png")
    if "md" in formats:
        files["md"] = folder / "brief.md"
        files["md"].write_text(env.get_template("brief.md.j2").render(**page), encoding="utf-8")
    if "html" in formats or "pdf" in formats:
        from plotly.offline import get_plotlyjs

        html = env.get_template("brief.html.j2").render(**page, plotly_js=get_plotlyjs())
        files["html"] = folder / "brief.html"
        files["html"].write_text(html, encoding="utf-8")
    if "pdf" in formats:
        files["pdf"] = _pdf(files["html"], folder / "brief.pdf")
        if "html" not in formats:
            files.pop("html").unlink()
    return files


class Charted(Protocol):
    """The tables the charts of :func:`chart_drawers` read: a brief's :class:`Findings`, or
    a what-if's :class:`~umbrella.report.findings.WhatIfFindings`."""

    @property
    def options(self) -> pd.DataFrame: ...
    @property
    def leading(self) -> str: ...
    @property
    def forces(self) -> pd.DataFrame: ...
    @property
    def trust(self) -> pd.DataFrame: ...
    @property
    def events(self) -> pd.DataFrame: ...
    @property
    def ukraine(self) -> pd.DataFrame: ...
    @property
    def tiles(self) -> pd.DataFrame: ...
    @property
    def by_year(self) -> pd.DataFrame: ...
    @property
    def value(self) -> pd.DataFrame: ...
    def name(self, option: str) -> str: ...


def _charts(found: Findings) -> dict[str, Callable[[Language], ch.Chart]]:
    """The brief's charts by id, each as the function that draws it in a language: the
    tables behind them are gathered here, the same in every language."""
    sobol = found.sobol[["uncertainty", "label", "S1", "S1_conf", "ST", "ST_conf"]]
    charts = chart_drawers(found)
    value = {k: charts.pop(k) for k in ("value-per-eur",) if k in charts}
    charts["drivers"] = lambda lang: ch.sobol_chart(sobol, lang=lang)
    charts |= value  # in the order the brief has always listed them
    # The pathway map, only where the scenario has a pathway (a part that waits for a
    # signpost): the flagship's brief has none.
    # The trade-off chart, from the table the findings computed once.
    if not found.tradeoffs.empty:
        objectives = _objectives(found)
        trade = _tradeoff_chart_table(found, objectives)
        charts["tradeoffs"] = lambda lang: ch.tradeoffs_chart(trade, objectives, lang=lang)
    pathways = pathway_table(found)
    if not pathways.empty:
        charts["pathways"] = lambda lang: ch.pathway_chart(
            pathways, lang=lang, names=pathway_names(found, lang)
        )
    return charts


def _objectives(found: Findings) -> list[Objective]:
    """The objectives of the findings' trade-off table, in its order."""
    known = found.tradeoffs.attrs.get("objectives") or OBJECTIVES
    return [o for o in known.values() if f"{o.name}_mean" in found.tradeoffs.columns]


def _tradeoff_chart_table(found: Findings, objectives: Sequence[Objective]) -> pd.DataFrame:
    """What the trade-off chart draws: per option (by name), the share of futures in which it
    is efficient and its mean on each objective, as the trade-off table has them."""
    table = found.tradeoffs
    return pd.DataFrame(
        {
            "option": [found.name(str(option)) for option in table.index],
            "share_efficient": table["share_efficient"].to_numpy(dtype=float),
            **{f"{o.name}_mean": table[f"{o.name}_mean"].to_numpy(dtype=float) for o in objectives},
        }
    )


def chart_drawers(found: Charted) -> dict[str, Callable[[Language], ch.Chart]]:
    """The charts of the brief that need no sensitivity analysis, by id, each as the
    function that draws it in a language, from the tables of a brief or of a what-if (the
    web page draws the same charts with the same code)."""
    o = found.options
    forces = found.forces.rename(columns={"stockpile_low": "low", "stockpile_high": "high"})
    forces = forces[["state", "stockpile", "low", "high"]]
    trust = found.trust[["month", "guarantor", "view", "mean", "low", "high"]]
    events = found.events[["date", "label", "major"]]
    options = pd.DataFrame(
        {
            "option": o["name"],
            "change": 100.0 * o["change_mean"],
            "low": 100.0 * o["change_low"],
            "high": 100.0 * o["change_high"],
        }
    ).iloc[1:]
    ukraine = found.ukraine.assign(option=found.ukraine["name"])[
        ["year", "option", "total", "low", "high"]
    ]
    tiles = found.tiles.assign(option=found.tiles["option_name"])
    tiles = tiles[["iso3", "name", "option", "year", "value"]]
    v = found.value
    value = pd.DataFrame(
        {
            "option": v["name"],
            "change_points": v["change_points"],
            "cost_eur_bn": v["cost_eur_bn"],
            "points_per_eur_bn": v["points_per_eur_bn"],
            "low": v["points_per_eur_bn_low"],
            "high": v["points_per_eur_bn_high"],
        }
    )
    by_year = found.by_year.assign(option=found.by_year["name"])[
        ["year", "option", "holds_mean", "holds_low", "holds_high"]
    ]
    leading = found.name(found.leading)

    def states(lang: Language) -> dict[str, str]:
        """The states by the names the tables hold, as ``lang`` names them."""
        return {
            str(name): lang.country(str(code), str(name))
            for table, column in ((found.forces, "state"), (found.trust, "guarantor"))
            for code, name in zip(table["iso3"], table[column], strict=True)
        }

    charts: dict[str, Callable[[Language], ch.Chart]] = {
        "forces": lambda lang: ch.forces_chart(forces, lang=lang, names=states(lang)),
        "trust": lambda lang: ch.trust_chart(trust, events, lang=lang, names=states(lang)),
        "ukraine": lambda lang: ch.ukraine_chart(ukraine, lang=lang),
        "options": lambda lang: ch.options_chart(options, lang=lang),
        "holds-by-year": lambda lang: ch.holds_chart(by_year, near=NEAR_WINDOW, lang=lang),
        "map": lambda lang: ch.map_chart(tiles, focus=leading, lang=lang),
    }
    # An option that costs no more than the status quo has no ratio: where none has one,
    # there is nothing to draw.
    if not value.dropna().empty:
        charts["value-per-eur"] = lambda lang: ch.value_chart(value, lang=lang)
    return charts


def _protected(
    found: Findings, table: pd.DataFrame | None = None, lang: Language = ENGLISH
) -> dict[str, Any]:
    """Who is protected: per option, the chance that deterrence holds through the horizon
    for Europe (by population, state by state, by exposure) and for each exposure group,
    from the headline table (or from ``table``, a stress test's)."""
    table = found.headline if table is None else table
    groups = [
        c.removeprefix("holds_in_")
        for c in table.columns
        if c.startswith("holds_in_")
        and not c.startswith("holds_in_europe")
        and not c.endswith(("_p10", "_p90", "_equal"))
    ]
    columns = [
        ("holds_europe", lang.gettext("Europe, by population")),
        ("holds_in_europe_equal", lang.gettext("Europe, each state once")),
        ("holds_in_europe_exposure", lang.gettext("Europe, by exposure")),
        *((f"holds_in_{g}", lang.text(_label(g))) for g in groups),
    ]
    present = [(k, label) for k, label in columns if k in table.columns]
    rows = [
        {
            "name": lang.text(found.name(str(option))),
            "cells": [percent(float(row[k]), lang=lang) for k, _ in present],
        }
        for option, row in table.iterrows()
    ]
    return {"labels": [label for _, label in present], "rows": rows}


def _stressed(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    """Stress tests: each option Europe-wide as assumed and under each tested stress; the
    first tested stress per exposure group; one sentence per stress."""
    _ = lang.gettext
    table = found.stresses
    tests = [str(s) for s in dict.fromkeys(table["stress"])][1:]
    if not tests:
        return {"tests": []}
    scenario = found.run.scenario
    stresses = {s.id: s for s in scenario.stresses}
    cells: dict[tuple[str, str], dict[str, Any]] = {
        (str(r["stress"]), str(r["option"])): r for r in _records(table)
    }
    options = [str(o) for o in found.headline.index]
    status_quo = options[0]
    columns = ["none", *tests]

    def heading(test: str) -> str:
        return f"{lang.text(stresses[test].label)}, {stresses[test].test_year}"

    labels = [_("As assumed"), *(heading(t) for t in tests)]

    def holds(stress: str, option: str) -> float:
        return float(cells[(stress, option)]["holds_europe"])

    def change(stress: str, option: str) -> float:
        return float(cells[(stress, option)]["change_vs_status_quo"])

    def cell(stress: str, option: str) -> str:
        level = percent(holds(stress, option), 1, lang)
        if option == status_quo:
            return level
        return f"{level} ({points(change(stress, option), lang=lang)})"

    rows = [
        {"name": lang.text(found.name(o)), "cells": [cell(c, o) for c in columns]} for o in options
    ]
    first = tests[0]
    groups = _protected(found, table[table["stress"] == first].set_index("option"), lang)
    lines = []
    for test in tests:
        stress = stresses[test]
        best = max(options[1:], key=lambda o: change(test, o))
        line = _(
            "{stress} ({description}, from {year}): the status quo goes from {before} to "
            "{after}; {option} adds {points} points to it, against {as_assumed} as assumed."
        ).format(
            stress=lang.text(stress.label),
            description=lang.text(stress.description),
            year=stress.test_year,
            before=percent(holds("none", status_quo), 1, lang),
            after=percent(holds(test, status_quo), 1, lang),
            option=lang.text(found.name(best)),
            points=points(change(test, best), lang=lang),
            as_assumed=points(change("none", best), lang=lang),
        )
        after = cells[(test, status_quo)]
        credibility = float(after.get("credibility_at_test", np.nan))
        if stress.kind == "exit" and np.isfinite(credibility):
            guarantor = str(stress.guarantor)
            line += " " + _(
                "Without the exit, the guarantor's credibility as assumed ({guarantor}: the "
                "probability a challenger gives that it fights, population-weighted over the "
                "proteges, mean over the futures) would be {at_test} in {year} and "
                "{at_horizon} in {horizon} on the assumed flow of evidence; the exit takes "
                "that away."
            ).format(
                guarantor=lang.country(guarantor, scenario.world.actor(guarantor).name),
                at_test=number(credibility, 2, lang),
                year=stress.test_year,
                at_horizon=number(float(after["credibility_at_horizon"]), 2, lang),
                horizon=scenario.horizon,
            )
        lines.append(f"{line} {found.run_mark}")
    return {
        "tests": tests,
        "labels": labels,
        "rows": rows,
        "first": heading(first),
        "groups": groups,
        "lines": lines,
    }


def _label(group: str) -> str:
    """A group's name for readers: 'eu_not_nato' -> 'EU not NATO'."""
    words = [w.upper() if w in {"eu", "nato", "us", "uk"} else w for w in group.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _captions(found: Findings, lang: Language = ENGLISH) -> dict[str, str]:
    _ = lang.gettext
    run = found.run_mark
    forces = found.cite(*[s for sources in found.forces["sources"] for s in sources][:4])
    scenario = found.run.scenario
    start, horizon = scenario.start_year, scenario.horizon
    leading = lang.text(found.name(found.leading))
    futures = int(found.by_year["futures"].iloc[0]) if len(found.by_year) else 0
    # The levels are placeholders, not in the messages: gettext would read "90% c" as a
    # C format.
    return {
        "forces": _(
            "Estimated warhead stockpiles on a linear scale from zero, so that bars compare as "
            "the stockpiles do, with the range where sources differ {cite}."
        ).format(cite=forces),
        # Translators: {level} is "90%", the level of the credible band.
        "trust": _(
            "Perceived reliability of each guarantor, month by month, seen from European "
            "capitals (solid, with its {level} credible band) and from Kyiv (dashed), at the "
            "central assumptions; vertical lines mark the events of the timeline {mark}."
        ).format(level=percent(0.9, lang=lang), mark=run),
        "ukraine": _(
            "Support to Ukraine under each option, EUR bn a year: mean and 10th–90th "
            "percentile over the detailed futures {mark}."
        ).format(mark=run),
        "options": _(
            "Change in the probability that deterrence holds Europe-wide from the first year "
            "through the horizon, against the status quo, percentage points, mean and "
            "10th–90th percentile {mark}."
        ).format(mark=run),
        "holds-by-year": lang.ngettext(
            "Probability that deterrence holds Europe-wide, by population, in every crisis from "
            "{start} through each year, under each option: mean over {n} future of the run, on "
            "which the full model is evaluated year by year. The shaded years {first}–{last} "
            "are the near window, where decisions taken now can act {mark}.",
            "Probability that deterrence holds Europe-wide, by population, in every crisis from "
            "{start} through each year, under each option: mean over {n} futures of the run, on "
            "which the full model is evaluated year by year. The shaded years {first}–{last} "
            "are the near window, where decisions taken now can act {mark}.",
            futures,
        ).format(
            start=start,
            n=number(futures, 0, lang),
            first=NEAR_WINDOW[0],
            last=NEAR_WINDOW[1],
            mark=run,
        ),
        "value-per-eur": _(
            "What each option buys for its cost: the change in the probability that deterrence "
            "holds through {horizon} against the status quo, in percentage points, per EUR bn "
            "of present-value cost over the status quo, as the ratio of the means over the "
            "futures; the whiskers span the 10th–90th percentile of the same ratio future by "
            "future {mark}."
        ).format(horizon=horizon, mark=run),
        "map": _(
            "Probability that deterrence holds for each state from {start} through {horizon}, "
            "mean over the detailed futures: under the status quo, and the change from it "
            "under {option} in the same year, in percentage points (blue a gain, red a loss, "
            "white none); on the web page the list above the map shows any option {mark}."
        ).format(start=start, horizon=horizon, option=leading, mark=run),
        "pathways": _(
            "The scenario's pathways as an adaptation-pathway map (Haasnoot et al., 2013): "
            "each pathway is a line across the years through the options it uses, starting "
            "with its first step; a circle marks the year a signpost is read, and a branch "
            "leads to the step it starts, labelled with the share of the run's futures in "
            "which the signpost fired (the step starts only in those). At the end of each "
            "pathway, the probability that deterrence holds Europe-wide through {horizon}, "
            "mean over the futures {mark}."
        ).format(horizon=horizon, mark=run),
        "tradeoffs": _tradeoff_caption(found, lang),
        # Translators: {level} is "95%", the confidence level.
        "drivers": _(
            "Sobol indices of the probability that deterrence holds Europe-wide through the "
            "horizon under the leading option: first order (alone) and total (with "
            "interactions), with {level} confidence intervals. An index is a share of "
            "variance, from 0 to 1: an estimate below 0 is sampling noise around 0, drawn at 0 "
            "with its interval cut there (the data file keeps the estimate) {mark}."
        ).format(level=percent(0.95, lang=lang), mark=run),
    }


_CHARTS_OF = {
    "center": ("forces",),
    "why-now": ("trust",),
    "ukraine": ("ukraine",),
    "options": ("options", "map", "holds-by-year", "value-per-eur", "tradeoffs"),
    "drivers": ("drivers",),
    "watch": ("pathways",),
}


def _sections(
    found: Findings, words: list[str], charts: dict[str, Any], lang: Language = ENGLISH
) -> list[dict[str, Any]]:
    env = _environment(lang.code)
    context = _context(found, words, lang)
    captions = _captions(found, lang)
    sections: list[dict[str, Any]] = []
    for section_id, title in SECTIONS:
        markdown = env.get_template(f"{section_id}.md.j2").render(**context)
        sections.append(
            {
                "id": section_id,
                "title": lang.gettext(title),
                "markdown": markdown,
                "charts": [
                    {
                        "id": charts[c].id,
                        "title": charts[c].title,
                        "alt": charts[c].alt,
                        "caption": captions[c],
                        "html": charts[c].html(),
                    }
                    for c in _CHARTS_OF.get(section_id, ())
                    if c in charts
                ],
            }
        )
    # Rendered last: the sections above decide which sources the bibliography lists.
    references = _references(found)
    renderer = MarkdownIt("commonmark", {"html": True}).enable("table")
    for section in sections:
        section["html"] = renderer.render(section["markdown"] + "\n\n" + references)
        for chart in section["charts"]:
            # A whole document, so that the reference definitions resolve; then unwrap <p>.
            caption = renderer.render(chart["caption"] + "\n\n" + references).strip()
            chart["caption_html"] = caption.removeprefix("<p>").removesuffix("</p>")
    return sections


def _references(found: Findings) -> str:
    lines = [f"[{s['id']}]: {s['url']}" for s in _bibliography(found)]
    lines.append(f"[run {found.run_id}]: #provenance")
    return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _context(found: Findings, words: list[str], lang: Language = ENGLISH) -> dict[str, Any]:
    scenario, o = found.run.scenario, found.rows
    world = scenario.world
    status_quo = next(iter(o))
    recorded = _records(world.events.reset_index())
    recorded = [e for e in recorded if pd.Timestamp(e["date"]) <= pd.Timestamp(scenario.as_of)]
    latest = max(recorded, key=lambda e: pd.Timestamp(e["date"]))
    horizon = found.ukraine[found.ukraine["year"] == scenario.horizon]
    support = {str(r["option"]): r for r in _records(horizon)}
    base_support = float(support[status_quo]["total"])
    n_samples = found.run.n_samples
    context: dict[str, Any] = {
        "f": found,
        "scenario": scenario,
        "lang": lang.code,
        "description": lang.text(scenario.description.strip()),
        "challenger": lang.country(scenario.challenger, world.actor(scenario.challenger).name),
        "n_proteges": len(scenario.proteges),
        "n_uncertainties": len(uncertainties(scenario.registry.values())),
        "n_samples": n_samples,
        "futures": number(n_samples, 0, lang),  # the count of futures as printed
        "as_of": lang.date(scenario.as_of),
        "as_of_month": lang.month(scenario.as_of),
        "latest_event": lang.date(pd.Timestamp(latest["date"]).date()),
        "latest_event_cite": found.cite(*latest["sources"][:1]),
        "leading_name": lang.text(found.name(found.leading)),
        "conclusion": words,
        "section_titles": {section_id: lang.gettext(title) for section_id, title in SECTIONS},
    }
    context |= _center_context(found, lang)
    context |= _trust_context(found, lang)
    context["quotes"] = [
        {
            "text": str(q["text"]).strip().replace("\n", " "),
            "speaker": q["speaker"],
            "date": lang.date(pd.Timestamp(q["date"]).date()),
            "cite": found.cite(str(q["source"])),
        }
        for q in _records(found.quotes)
    ]
    context["ukraine_rows"] = [
        {
            "name": lang.text(found.name(option)),
            "total": estimate(r["total"], r["low"], r["high"], "money", lang),
            "positive": money(r["positive"], lang=lang),
            "negative": money(r["negative"], lang=lang),
            "change": number(r["total"] - base_support, 1, lang) if option != status_quo else "—",
            "deterrence": estimate(*spread(o[option], "ukraine_fails"), "percent", lang),
        }
        for option, r in support.items()
    ]
    context["option_rows"] = [
        {
            "name": lang.text(str(r["name"])),
            "cost": money(*spread(r, "npv"), lang=lang),
            "years": f"{number(r['years_to_first_effect'], 0, lang)} / "
            f"{number(r['years_to_full_effect'], 0, lang)}",
            "deterrence": estimate(*spread(r, "deterrence"), "percent", lang),
            "change": "—"
            if option == status_quo
            else estimate(*spread(r, "change"), "points", lang),
            "proliferation": estimate(*spread(r, "proliferation"), "index", lang),
            "ukraine": estimate(*spread(r, "ukraine_support"), "number", lang),
            "rank": r["rank_minimax_regret"],
        }
        for option, r in o.items()
    ]
    context["protected"] = _protected(found, lang=lang)
    context["stressed"] = _stressed(found, lang)
    context["bottom_line"] = bottom_line(found, lang)
    context["definitions"] = reader.definitions(found, lang)
    context["by_year"] = reader.by_year_context(found, lang)
    context["value_rows"] = reader.value_context(found, lang)
    context["tradeoffs"] = _tradeoffs_text(found, lang)
    context["implementation"] = implementation_context(found, lang)
    context["timeline"] = reader.timeline_context(found, lang=lang)
    context["limits"] = reader.limits(found, lang)
    context |= reader.sharing_context(found, lang)
    context |= reader.seed_context(found, lang)
    mapped = set(ch.TILE_POSITIONS)
    unmapped = sorted({str(t) for t in found.tiles["iso3"] if t not in mapped})
    context["unmapped"] = ", ".join(lang.country(t, world.actor(t).name) for t in unmapped)
    context |= _drivers_context(found, lang)
    context["watch"] = watch_context(found, lang)
    context["provenance"] = [
        # The count of futures as the brief prints counts; every other item as recorded.
        (lang.text(key), number(n_samples, 0, lang) if key == "futures" else value)
        for key, value in found.provenance.items()
    ]
    context["assumption_rows"] = [
        {
            "name": r["name"],
            "meaning": r["meaning"],
            "default": _value(r["default"], str(r["unit"]), lang),
            "range": f"{_value(r['low'], str(r['unit']), lang)} – "
            f"{_value(r['high'], str(r['unit']), lang)}"
            if r["high"] > r["low"]
            else lang.gettext("fixed"),
            "unit": lang.text(str(r["unit"])),
        }
        for r in _records(found.assumptions)
    ]
    context["bibliography"] = _bibliography(found)
    return context


def _and(items: Sequence[str], lang: Language = ENGLISH) -> str:
    """``'A, B and C'`` in ``lang``."""
    if len(items) < 2:
        return "".join(items)
    return lang.gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _tradeoff_caption(found: Findings, lang: Language = ENGLISH) -> str:
    """The trade-off chart's caption: what its axes and lines are, which axes put the lowest
    value at the top."""
    _ = lang.gettext
    objectives = _objectives(found) if not found.tradeoffs.empty else []
    lowest = [ch.objective_words(o, lang)[0] for o in objectives if not o.maximise]
    caption = _(
        "Each option's mean over the futures on each objective of the trade-off, as parallel "
        "coordinates: an axis per objective, from the worst option's mean at the bottom to the "
        "best's at the top, so that better is up on every axis, each labelled with its unit "
        "and both values; the legend gives the share of futures in which each option is "
        "Pareto-efficient."
    )
    if lowest:
        caption += " " + lang.ngettext(
            "On the axis of {objectives} the lowest value is at the top.",
            "On the axes of {objectives} the lowest value is at the top.",
            len(lowest),
        ).format(objectives=_and(lowest, lang))
    return f"{caption} {found.run_mark}"


def _tradeoffs_text(found: Findings, lang: Language = ENGLISH) -> str:
    """The paragraph beside the trade-off chart: which options are Pareto-efficient in most
    futures, and the main trade-off: the option that does most for deterrence in Europe
    against the cheapest, what each achieves and costs. Empty without a trade-off table."""
    table = found.tradeoffs
    if table.empty or not {"deterrence_mean", "cost_mean"} <= set(table.columns):
        return ""
    _ = lang.gettext

    def name(option: object) -> str:
        return lang.text(found.name(str(option)))

    share = table["share_efficient"].astype(float)
    ranked = share.sort_values(ascending=False, kind="stable")
    most = ranked[ranked > 0.5]
    futures = int(table.attrs.get("n_futures", found.run.n_samples))
    sentences = [
        lang.ngettext(
            "Trade-offs: an option is Pareto-efficient in a future when no other option is at "
            "least as good on each of the {k} objective of the chart below and better on one; "
            "the shares are of the {n} futures of the run.",
            "Trade-offs: an option is Pareto-efficient in a future when no other option is at "
            "least as good on each of the {k} objectives of the chart below and better on one; "
            "the shares are of the {n} futures of the run.",
            len(_objectives(found)),
        ).format(k=number(len(_objectives(found)), 0, lang), n=number(futures, 0, lang))
    ]
    if len(most):
        shown = [
            # Translators: an option and the share of futures in which it is efficient.
            _("{option} ({share})").format(option=name(o), share=percent(float(v), lang=lang))
            for o, v in most.items()
        ]
        sentences.append(
            _("Efficient in most futures: {options}.").format(options="; ".join(shown))
        )
    else:
        sentences.append(
            _(
                "No option is efficient in most futures; the most often efficient is {option}, "
                "in {share} of them."
            ).format(option=name(ranked.index[0]), share=percent(float(ranked.iloc[0]), lang=lang))
        )
    last = ranked.index[-1]
    if last not in most.index and float(ranked.iloc[-1]) < float(ranked.iloc[0]):
        sentences.append(
            _("Least often efficient: {option}, in {share} of futures.").format(
                option=name(last), share=percent(float(ranked.iloc[-1]), lang=lang)
            )
        )
    deterrence = table["deterrence_mean"].astype(float)
    cost = table["cost_mean"].astype(float)
    best, cheapest = str(deterrence.idxmax()), str(cost.idxmin())
    if best == cheapest:
        sentences.append(
            _(
                "{option} does most for deterrence in Europe ({level} on average) and is also "
                "the cheapest ({cost} in present value): on these two objectives it gives "
                "nothing up."
            ).format(
                option=name(best),
                level=percent(float(deterrence[best]), 1, lang),
                cost=money(float(cost[best]), lang=lang),
            )
        )
    else:
        sentences.append(
            _(
                "The main trade-off is between deterrence and cost: {best}, the option that "
                "does most for deterrence in Europe ({best_level} on average, {gain} "
                "percentage points more than the {cheapest_level} of {cheapest}, the "
                "cheapest), costs {best_cost} in present value against {cheapest_cost}."
            ).format(
                best=name(best),
                best_level=percent(float(deterrence[best]), 1, lang),
                gain=number(100.0 * float(deterrence[best] - deterrence[cheapest]), 1, lang),
                cheapest=name(cheapest),
                cheapest_level=percent(float(deterrence[cheapest]), 1, lang),
                best_cost=money(float(cost[best]), lang=lang),
                cheapest_cost=money(float(cost[cheapest]), lang=lang),
            )
        )
        if "proliferation_mean" in table.columns:
            risk = table["proliferation_mean"].astype(float)
            sentences.append(
                _("Its proliferation risk index is {best} against {cheapest}.").format(
                    best=number(float(risk[best]), 2, lang),
                    cheapest=number(float(risk[cheapest]), 2, lang),
                )
            )
    return " ".join(sentences) + f" {found.run_mark}"


def _value(value: float, unit: str, lang: Language) -> str:
    """An assumption's value as printed: a year as a year (2031, never 2,031)."""
    return str(round(value)) if unit == "year" else number(value, lang=lang)


def _center_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    forces = {str(r["iso3"]): r for r in _records(found.forces)}
    rows = []
    for code, r in forces.items():
        ranged = r["stockpile_high"] > r["stockpile_low"]
        rows.append(
            {
                "state": lang.country(code, str(r["state"])),
                "role": lang.text(str(r["role"])),
                "stockpile": estimate(
                    r["stockpile"], r["stockpile_low"], r["stockpile_high"], lang=lang
                )
                if ranged
                else number(r["stockpile"], lang=lang),
                "deployed": number(r["deployed"], lang=lang),
                "ssbns": number(r["ssbns"], 0, lang),
                "spending": f"{number(r['spending_usd_bn'], lang=lang)} "
                f"({int(r['spending_year'])})",
                "cite": found.cite(*r["sources"]),
            }
        )
    coordinating = found.run.scenario.coordination or ()
    pair = [forces[s] for s in coordinating if s in forces]
    uk_fr = sum(float(r["spending_usd_bn"]) for r in pair) if pair else float("nan")
    pair_sources = [s for r in pair for s in r["sources"] if "ican" in s]
    usa = forces.get("USA")
    usa_sources = [s for s in usa["sources"] if "ican" in s] if usa else []
    return {
        "forces": rows,
        "uk_fr_spending": dollars(uk_fr, lang=lang),
        "uk_fr_cite": found.cite(*pair_sources) if pair_sources else found.run_mark,
        "us_spending": dollars(float(usa["spending_usd_bn"]), lang=lang)
        if usa
        else lang.gettext("n/a"),
        "us_cite": found.cite(*usa_sources) if usa_sources else found.run_mark,
    }


def _trust_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    scenario = found.run.scenario
    trust = found.trust
    usa = trust[trust["iso3"] == "USA"]

    def at(view: str, month: str) -> str:
        cut = usa[(usa["view"] == view) & (usa["month"] <= pd.Timestamp(month))]
        return (
            percent(float(cut["mean"].to_numpy()[-1]), lang=lang)
            if len(cut)
            else lang.gettext("n/a")
        )

    europe = usa[usa["view"] == "Europe"]
    change = pd.Series(europe["mean"].to_numpy(), index=europe["month"].to_numpy()).diff()
    falls = sorted(pd.Timestamp(m) for m in change.nsmallest(4).index)
    listed = []
    for event in _records(found.events):
        month = pd.Timestamp(event["date"]).to_period("M").to_timestamp()
        if "USA" in event["negative_for"] and month in falls:
            listed.append(
                {
                    "date": lang.date(pd.Timestamp(event["date"]).date()),
                    "summary": event["summary"],
                    "cite": found.cite(*event["sources"][:2]),
                }
            )
    half_life = scenario.registry["trust.half_life_months"].default
    return {
        "n_events": len(found.events),
        "half_life": number(half_life, 0, lang),
        "half_life_months": round(half_life),
        "usa_before": at("Europe", "2025-01-31"),
        "usa_now": at("Europe", scenario.as_of.isoformat()),
        "usa_ukraine": at("Ukraine", scenario.as_of.isoformat()),
        "run_trust_cite": found.run_mark,
        "drops": listed,
    }


def _drivers_context(found: Findings, lang: Language = ENGLISH) -> dict[str, Any]:
    prim = found.prim
    rows = []
    for r in _records(prim["box"].head(6)):
        low = r["low"] if r["low"] > r["range_low"] else r["range_low"]
        high = r["high"] if r["high"] < r["range_high"] else r["range_high"]
        rows.append(
            {
                "label": r["label"],
                "box": f"{number(low, lang=lang)} – {number(high, lang=lang)}",
                "full": f"{number(r['range_low'], lang=lang)} – "
                f"{number(r['range_high'], lang=lang)}",
            }
        )
    return {
        "sobol_rows": [
            {
                "label": r["label"],
                # A first-order estimate below zero is sampling noise around zero.
                "s1": number(max(float(r["S1"]), 0.0), 2, lang),
                "st": number(r["ST"], 2, lang),
            }
            for r in _records(found.sobol.head(8))
        ],
        "prim": prim,
        "prim_rule": lang.text(str(prim["rule"])),
        # Translators: the threshold below which an option is taken to fail.
        "prim_threshold": lang.gettext("below {threshold}").format(
            threshold=percent(prim["threshold"], lang=lang)
        ),
        "prim_share": percent(prim["share"], lang=lang),
        "prim_rows": rows,
        "prim_n": len(prim["box"]),
        "prim_coverage": percent(prim["coverage"], lang=lang),
        "prim_density": percent(prim["density"], lang=lang),
    }


def _bibliography(found: Findings) -> list[dict[str, str]]:
    """The cited sources, each as its full reference (the original publication first) and
    the address a citation mark links to: the original's own where it was verified."""
    world = found.run.scenario.world
    entries = []
    for source_id in found.cited:
        source = world.source(source_id)
        link = source.primary_url if source.primary == "verified" else source.url
        entries.append({"id": source_id, "text": format_source(source), "url": link or ""})
    return entries


def _tables(found: Findings) -> dict[str, pd.DataFrame]:
    forces = found.forces.assign(sources=found.forces["sources"].map(" ".join))
    events = found.events.assign(
        sources=found.events["sources"].map(" ".join),
        guarantors=found.events["guarantors"].map(" ".join),
        negative_for=found.events["negative_for"].map(" ".join),
    )
    return {
        "headline": found.headline.reset_index(),
        "options-table": found.options.reset_index(drop=True),
        "robustness": found.robustness.reset_index(),
        "forces-table": forces,
        "events": events,
        "quotes": found.quotes,
        "ukraine-table": found.ukraine,
        "prim-box": found.prim["box"],
        "stress-tests": found.stresses,
        "assumptions": found.assumptions,
        "provenance": pd.DataFrame(list(found.provenance.items()), columns=["item", "value"]),
        "by-year": found.by_year,
        "value-for-money": found.value,
        "tradeoffs-table": found.tradeoffs.reset_index().assign(
            dominated_on_mean_by=lambda t: t["dominated_on_mean_by"].map(" ".join)
        )
        if not found.tradeoffs.empty
        else pd.DataFrame(),
        "sharing": found.sharing.assign(
            hosts=found.sharing["hosts"].map(" ".join),
            sources=found.sharing["sources"].map(" ".join),
            weapons_sources=found.sharing["weapons_sources"].map(" ".join),
        ),
        "implementation": implementation_table(found),
    } | watch_tables(found)


def _subtitle(found: Findings, lang: Language = ENGLISH) -> str:
    scenario = found.run.scenario
    n = found.run.n_samples
    return lang.ngettext(
        "A brief from run {run_id}: {n} future, evidence to {as_of}, options assessed "
        "{start}–{horizon} {mark}.",
        "A brief from run {run_id}: {n} futures, evidence to {as_of}, options assessed "
        "{start}–{horizon} {mark}.",
        n,
    ).format(
        run_id=found.run_id,
        n=number(n, 0, lang),
        as_of=lang.date(scenario.as_of),
        start=scenario.start_year,
        horizon=scenario.horizon,
        mark=found.run_mark,
    )


@cache
def _environment(lang: str = "en") -> Environment:
    """The templates' environment for one language, its catalogue installed: one per
    language and never changed after, so that briefs in different languages can be written
    side by side."""
    env = Environment(
        loader=PackageLoader("umbrella.report", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown out; the HTML page escapes through markdown-it
        extensions=["jinja2.ext.i18n"],
    )
    # A method the i18n extension adds to the environment, unknown to the type stubs.
    env.install_gettext_translations(  # type: ignore[attr-defined]
        language(lang).translations, newstyle=True
    )
    return env


def scenario_texts(scenario: Scenario) -> list[str]:
    """The texts of ``scenario`` and its world dataset that a brief prints and translates
    (its title and description, the options' names, the stress tests' labels and
    descriptions, the exposure groups' names, the assumptions' units, the states of nuclear
    sharing), and the findings' own words: what the catalogue needs beside the code's and
    the templates' messages (``extract_scenario`` in :mod:`umbrella.report.locale`)."""
    texts = [scenario.title, scenario.description.strip()]
    texts += [str(option.name) for option in scenario.options]
    for stress in scenario.stresses:
        texts += [stress.label, stress.description]
    texts += [_label(group.name.replace("-", "_")) for group in scenario.exposure_groups]
    texts += [str(a.unit) for a in scenario.registry.values()]
    deployments = scenario.world.records.get("deployments", {})
    texts += [str(getattr(record, "status", "")) for record in deployments.values()]
    texts += FINDINGS_TEXTS
    return [text for text in dict.fromkeys(texts) if text]


def _replace(staging: Path, target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {target}: exists and is not a folder")
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{time.time_ns()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux):
    setting it to 0 even for a moment would give a file another thread creates meanwhile
    (the web server writes briefs beside its requests) wider permissions."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o077)  # elsewhere: for a moment, the most private setting
    os.umask(current)
    return current


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UsageError(
        "--format pdf needs Chromium (Debian: apt-get install chromium); html and md need "
        "nothing more"
    )


def _pdf(html: Path, pdf: Path) -> Path:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-pdf-header-footer",
        "--virtual-time-budget=20000",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0 or not pdf.is_file():
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise UsageError(f"--format pdf: Chromium could not print the brief ({tail[0]})")
    return pdf
