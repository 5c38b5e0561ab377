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
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt

from umbrella.data.cite import format_source
from umbrella.errors import UsageError
from umbrella.explore.run import Run, open_run
from umbrella.explore.run import run as run_ensemble
from umbrella.explore.sampling import uncertainties
from umbrella.model.scenario import Scenario, load_scenario
from umbrella.report import DEFAULT_SAMPLES, DEFAULT_SEED, FORMATS
from umbrella.report import charts as ch
from umbrella.report.findings import Findings, findings, spread
from umbrella.report.narrative import conclusion
from umbrella.report.numbers import estimate, money, number, percent, points
from umbrella.settings import LEAN_CHUNK_SIZE, MAX_KEPT
from umbrella.types import PathLike

__all__ = ["Brief", "write_brief"]

SECTIONS = (
    ("about", "What it is about"),
    ("center", "Who is at the center"),
    ("why-now", "Why now"),
    ("partners", "What partners are saying"),
    ("ukraine", "Implications for Ukraine"),
    ("options", "What is realistically possible"),
    ("drivers", "What drives the answer"),
    ("conclusion", "Conclusion"),
    ("method", "Method, assumptions and sources"),
)


@dataclass(frozen=True)
class Brief:
    """A written brief: where its files are and what it found."""

    folder: Path
    files: dict[str, Path]
    run_id: str
    leading: str
    conclusion: list[str]
    seconds: float


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
) -> Brief:
    """Write the brief of ``scenario`` (a new run) or of the stored run ``run_id``."""
    started = time.perf_counter()
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
    run = _run(scenario, run_id, samples, seed, store, progress)
    found = findings(run, sobol_base=sobol_base)
    words = conclusion(found)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the brief is for readers
    try:
        files = _write(found, words, staging, formats)
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
    found: Findings, words: list[str], folder: Path, formats: Sequence[str]
) -> dict[str, Path]:
    (folder / "data").mkdir()
    charts = _charts(found)
    sections = _sections(found, words, charts)
    files: dict[str, Path] = {}
    for chart in charts.values():
        chart.write_csv(folder / "data" / f"{chart.id}.csv")
    for name, table in _tables(found).items():
        table.to_csv(folder / "data" / f"{name}.csv", index=False)
    bibliography = _bibliography(found)
    page = {
        "title": found.run.scenario.title,
        "subtitle": _subtitle(found),
        "sections": sections,
        "bibliography": bibliography,
        "run_id": found.run_id,
        "version": version("umbrella"),
    }
    env = _environment()
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


def _charts(found: Findings) -> dict[str, Any]:
    o = found.options
    forces = found.forces.rename(columns={"stockpile_low": "low", "stockpile_high": "high"})
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
    return {
        "forces": ch.forces_chart(forces[["state", "stockpile", "low", "high"]]),
        "trust": ch.trust_chart(
            found.trust[["month", "guarantor", "view", "mean", "low", "high"]],
            found.events[["date", "label", "major"]],
        ),
        "ukraine": ch.ukraine_chart(ukraine),
        "options": ch.options_chart(options),
        "map": ch.map_chart(found.tiles[["iso3", "name", "panel", "value"]]),
        "drivers": ch.sobol_chart(
            found.sobol[["uncertainty", "label", "S1", "S1_conf", "ST", "ST_conf"]]
        ),
    }


def _protected(found: Findings, table: pd.DataFrame | None = None) -> dict[str, Any]:
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
        ("holds_europe", "Europe, by population"),
        ("holds_in_europe_equal", "Europe, each state once"),
        ("holds_in_europe_exposure", "Europe, by exposure"),
        *((f"holds_in_{g}", _label(g)) for g in groups),
    ]
    present = [(k, label) for k, label in columns if k in table.columns]
    rows = [
        {"name": found.name(str(option)), "cells": [percent(float(row[k])) for k, _ in present]}
        for option, row in table.iterrows()
    ]
    return {"labels": [label for _, label in present], "rows": rows}


def _stressed(found: Findings) -> dict[str, Any]:
    """Stress tests: each option Europe-wide as assumed and under each tested stress; the
    first tested stress per exposure group; one sentence per stress."""
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
    labels = ["As assumed", *(f"{stresses[t].label}, {stresses[t].test_year}" for t in tests)]

    def holds(stress: str, option: str) -> float:
        return float(cells[(stress, option)]["holds_europe"])

    def change(stress: str, option: str) -> float:
        return float(cells[(stress, option)]["change_vs_status_quo"])

    def cell(stress: str, option: str) -> str:
        level = percent(holds(stress, option), 1)
        if option == status_quo:
            return level
        return f"{level} ({points(change(stress, option))})"

    rows = [{"name": found.name(o), "cells": [cell(c, o) for c in columns]} for o in options]
    first = tests[0]
    groups = _protected(found, table[table["stress"] == first].set_index("option"))
    lines = []
    for test in tests:
        stress = stresses[test]
        best = max(options[1:], key=lambda o: change(test, o))
        line = (
            f"{stress.label} ({stress.description}, from {stress.test_year}): the status "
            f"quo goes from {percent(holds('none', status_quo), 1)} to "
            f"{percent(holds(test, status_quo), 1)}; {found.name(best)} adds "
            f"{points(change(test, best))} points to it, against "
            f"{points(change('none', best))} as assumed."
        )
        after = cells[(test, status_quo)]
        credibility = float(after.get("credibility_at_test", np.nan))
        if stress.kind == "exit" and np.isfinite(credibility):
            name = scenario.world.actor(stress.guarantor).name
            line += (
                f" Without the exit, the guarantor's credibility as assumed ({name}: the "
                f"probability a challenger gives that it fights, population-weighted over the "
                f"proteges, mean over the futures) would be {number(credibility, 2)} in "
                f"{stress.test_year} and {number(float(after['credibility_at_horizon']), 2)} "
                f"in {scenario.horizon} on the assumed flow of evidence; the exit takes that "
                "away."
            )
        lines.append(f"{line} {found.run_mark}")
    return {
        "tests": tests,
        "labels": labels,
        "rows": rows,
        "first": f"{stresses[first].label}, {stresses[first].test_year}",
        "groups": groups,
        "lines": lines,
    }


def _label(group: str) -> str:
    """A group's name for readers: 'eu_not_nato' -> 'EU not NATO'."""
    words = [w.upper() if w in {"eu", "nato", "us", "uk"} else w for w in group.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _captions(found: Findings) -> dict[str, str]:
    run = found.run_mark
    forces = found.cite(*[s for sources in found.forces["sources"] for s in sources][:4])
    return {
        "forces": f"Estimated warhead stockpiles, with the range where sources differ {forces}.",
        "trust": "Perceived reliability of each guarantor, month by month, seen from European "
        "capitals (solid, with its 90% credible band) and from Kyiv (dashed), at the central "
        f"assumptions; vertical lines mark the events of the timeline {run}.",
        "ukraine": "Support to Ukraine under each option, EUR bn a year: mean and 10th–90th "
        f"percentile over the detailed futures {run}.",
        "options": "Change in the probability that deterrence holds Europe-wide from the "
        "first year through the horizon, against the status quo, percentage points, mean and "
        f"10th–90th percentile {run}.",
        "map": "Probability that deterrence holds for each state: through the first year "
        f"under the status quo, and through the horizon under the leading option {run}.",
        "drivers": "Sobol indices of the probability that deterrence holds Europe-wide "
        "through the horizon under the leading option: first order "
        f"(alone) and total (with interactions), with 95% confidence half-widths {run}.",
    }


_CHARTS_OF = {
    "center": ("forces",),
    "why-now": ("trust",),
    "ukraine": ("ukraine",),
    "options": ("options", "map"),
    "drivers": ("drivers",),
}


def _sections(found: Findings, words: list[str], charts: dict[str, Any]) -> list[dict[str, Any]]:
    env = _environment()
    context = _context(found, words)
    captions = _captions(found)
    sections: list[dict[str, Any]] = []
    for section_id, title in SECTIONS:
        markdown = env.get_template(f"{section_id}.md.j2").render(**context)
        sections.append(
            {
                "id": section_id,
                "title": title,
                "markdown": markdown,
                "charts": [
                    {
                        "id": charts[c].id,
                        "title": charts[c].title,
                        "caption": captions[c],
                        "html": charts[c].html(),
                    }
                    for c in _CHARTS_OF.get(section_id, ())
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


def _context(found: Findings, words: list[str]) -> dict[str, Any]:
    scenario, o = found.run.scenario, found.rows
    world = scenario.world
    status_quo = next(iter(o))
    recorded = _records(world.events.reset_index())
    recorded = [e for e in recorded if pd.Timestamp(e["date"]) <= pd.Timestamp(scenario.as_of)]
    latest = max(recorded, key=lambda e: pd.Timestamp(e["date"]))
    horizon = found.ukraine[found.ukraine["year"] == scenario.horizon]
    support = {str(r["option"]): r for r in _records(horizon)}
    base_support = float(support[status_quo]["total"])
    context: dict[str, Any] = {
        "f": found,
        "scenario": scenario,
        "challenger": world.actor(scenario.challenger).name,
        "n_proteges": len(scenario.proteges),
        "n_uncertainties": len(uncertainties(scenario.registry.values())),
        "latest_event": pd.Timestamp(latest["date"]),
        "latest_event_cite": found.cite(*latest["sources"][:1]),
        "leading_name": found.name(found.leading),
        "conclusion": words,
    }
    context |= _center_context(found)
    context |= _trust_context(found)
    context["quotes"] = [
        {
            "text": str(q["text"]).strip().replace("\n", " "),
            "speaker": q["speaker"],
            "date": pd.Timestamp(q["date"]).strftime("%-d %B %Y"),
            "cite": found.cite(str(q["source"])),
        }
        for q in _records(found.quotes)
    ]
    context["ukraine_rows"] = [
        {
            "name": found.name(option),
            "total": estimate(r["total"], r["low"], r["high"], "money"),
            "positive": money(r["positive"]),
            "negative": money(r["negative"]),
            "change": number(r["total"] - base_support, 1) if option != status_quo else "—",
            "deterrence": estimate(*spread(o[option], "ukraine_fails"), "percent"),
        }
        for option, r in support.items()
    ]
    context["option_rows"] = [
        {
            "name": r["name"],
            "cost": money(*spread(r, "npv")),
            "years": f"{number(r['years_to_first_effect'], 0)} / "
            f"{number(r['years_to_full_effect'], 0)}",
            "deterrence": estimate(*spread(r, "deterrence"), "percent"),
            "change": "—" if option == status_quo else estimate(*spread(r, "change"), "points"),
            "proliferation": estimate(*spread(r, "proliferation"), "index"),
            "ukraine": estimate(*spread(r, "ukraine_support"), "number"),
            "rank": r["rank_minimax_regret"],
        }
        for option, r in o.items()
    ]
    context["protected"] = _protected(found)
    context["stressed"] = _stressed(found)
    mapped = set(ch.TILE_POSITIONS)
    unmapped = sorted({str(t) for t in found.tiles["iso3"] if t not in mapped})
    context["unmapped"] = ", ".join(world.actor(t).name for t in unmapped)
    context |= _drivers_context(found)
    context["assumption_rows"] = [
        {
            "name": r["name"],
            "meaning": r["meaning"],
            "default": number(r["default"]),
            "range": f"{number(r['low'])} – {number(r['high'])}"
            if r["high"] > r["low"]
            else "fixed",
            "unit": r["unit"],
        }
        for r in _records(found.assumptions)
    ]
    context["bibliography"] = _bibliography(found)
    return context


def _center_context(found: Findings) -> dict[str, Any]:
    forces = {str(r["iso3"]): r for r in _records(found.forces)}
    rows = []
    for r in forces.values():
        ranged = r["stockpile_high"] > r["stockpile_low"]
        rows.append(
            {
                "state": r["state"],
                "role": r["role"],
                "stockpile": estimate(r["stockpile"], r["stockpile_low"], r["stockpile_high"])
                if ranged
                else number(r["stockpile"]),
                "deployed": number(r["deployed"]),
                "ssbns": number(r["ssbns"], 0),
                "spending": f"{number(r['spending_usd_bn'])} ({int(r['spending_year'])})",
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
        "uk_fr_spending": f"USD {number(uk_fr)} bn",
        "uk_fr_cite": found.cite(*pair_sources) if pair_sources else found.run_mark,
        "us_spending": f"USD {number(float(usa['spending_usd_bn']))} bn" if usa else "n/a",
        "us_cite": found.cite(*usa_sources) if usa_sources else found.run_mark,
    }


def _trust_context(found: Findings) -> dict[str, Any]:
    scenario = found.run.scenario
    trust = found.trust
    usa = trust[trust["iso3"] == "USA"]

    def at(view: str, month: str) -> str:
        cut = usa[(usa["view"] == view) & (usa["month"] <= pd.Timestamp(month))]
        return percent(float(cut["mean"].to_numpy()[-1])) if len(cut) else "n/a"

    europe = usa[usa["view"] == "Europe"]
    change = pd.Series(europe["mean"].to_numpy(), index=europe["month"].to_numpy()).diff()
    falls = sorted(pd.Timestamp(m) for m in change.nsmallest(4).index)
    listed = []
    for event in _records(found.events):
        month = pd.Timestamp(event["date"]).to_period("M").to_timestamp()
        if "USA" in event["negative_for"] and month in falls:
            listed.append(
                {
                    "date": pd.Timestamp(event["date"]).strftime("%-d %B %Y"),
                    "summary": event["summary"],
                    "cite": found.cite(*event["sources"][:2]),
                }
            )
    half_life = scenario.registry["trust.half_life_months"].default
    return {
        "n_events": len(found.events),
        "half_life": number(half_life, 0),
        "usa_before": at("Europe", "2025-01-31"),
        "usa_now": at("Europe", scenario.as_of.isoformat()),
        "usa_ukraine": at("Ukraine", scenario.as_of.isoformat()),
        "run_trust_cite": found.run_mark,
        "drops": listed,
    }


def _drivers_context(found: Findings) -> dict[str, Any]:
    prim = found.prim
    rows = []
    for r in _records(prim["box"].head(6)):
        low = number(r["low"]) if r["low"] > r["range_low"] else number(r["range_low"])
        high = number(r["high"]) if r["high"] < r["range_high"] else number(r["range_high"])
        rows.append(
            {
                "label": r["label"],
                "box": f"{low} – {high}",
                "full": f"{number(r['range_low'])} – {number(r['range_high'])}",
            }
        )
    return {
        "sobol_rows": [
            {"label": r["label"], "s1": number(r["S1"], 2), "st": number(r["ST"], 2)}
            for r in _records(found.sobol.head(8))
        ],
        "prim": prim,
        "prim_threshold": f"below {percent(prim['threshold'])}",
        "prim_share": percent(prim["share"]),
        "prim_rows": rows,
        "prim_n": len(prim["box"]),
        "prim_coverage": percent(prim["coverage"]),
        "prim_density": percent(prim["density"]),
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
    }


def _subtitle(found: Findings) -> str:
    scenario = found.run.scenario
    return (
        f"A brief from run {found.run_id}: {found.run.n_samples:,} futures, evidence to "
        f"{scenario.as_of.strftime('%-d %B %Y')}, options assessed {scenario.start_year}–"
        f"{scenario.horizon} [run {found.run_id}]."
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("umbrella.report", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown out; the HTML page escapes through markdown-it
    )


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
    current = os.umask(0)
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
