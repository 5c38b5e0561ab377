"""One source of truth: every figure of the brief that `umbrella assess --json` also gives is
printed the same in both, for the flagship and for a variant scenario.

The brief's tables are parsed (the options table, who is protected, Ukraine, the bottom
line); each cell is compared, as printed, with the figure assess gives for the same
scenario, futures and seed, formatted the way the brief formats it. The test fails unless at
least 30 figures are matched, so that it cannot pass by finding nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from umbrella.report import write_brief
from umbrella.report.numbers import estimate, money, percent, points

ROOT = Path(__file__).resolve().parents[2]
SAMPLES, SEED = 2_000, 7


def _assess(scenario: Path | None) -> dict[str, dict[str, Any]]:
    command = [sys.executable, "-m", "umbrella", "assess", "--json"]
    command += ["--samples", str(SAMPLES), "--seed", str(SEED)]
    if scenario is not None:
        command.append(str(scenario))
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    return {str(o["name"]): o for o in json.loads(done.stdout)["options"]}


def _table(markdown: str, header_start: str) -> tuple[list[str], dict[str, list[str]]]:
    """The markdown table whose header row starts with ``header_start``: its column labels
    and its rows by first cell."""
    lines = markdown.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    labels = [c.strip() for c in lines[at].strip("|").split("|")]
    rows: dict[str, list[str]] = {}
    for line in lines[at + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells
    return labels, rows


def _spread(o: dict[str, Any], key: str) -> tuple[float, float, float]:
    return float(o[key]), float(o[f"{key}_p10"]), float(o[f"{key}_p90"])


@pytest.mark.parametrize("scenario", [None, ROOT / "scenarios" / "french-umbrella-frontline.yaml"])
def test_the_brief_prints_the_figures_assess_gives(scenario: Path | None, tmp_path: Path) -> None:
    brief = write_brief(
        scenario,
        samples=SAMPLES,
        seed=SEED,
        out=tmp_path / "brief",
        store=tmp_path / "runs",
        sobol_base=32,
        formats=["md"],
    )
    markdown = (brief.folder / "brief.md").read_text(encoding="utf-8")
    assessed = _assess(scenario)
    compared = 0

    def same(printed: str, expected: str, what: str) -> None:
        nonlocal compared
        assert printed == expected, f"{what}: the brief prints {printed!r}, assess {expected!r}"
        compared += 1

    # The options table: deterrence, change, cost, non-proliferation, Ukraine support.
    labels, rows = _table(markdown, "| Option | Cost to")

    def column(start: str) -> int:
        return next(i for i, label in enumerate(labels) if label.startswith(start))

    status_quo = next(iter(assessed))
    assert set(rows) == set(assessed)
    for name, o in assessed.items():
        cells = rows[name]
        same(
            cells[column("Deterrence holds")],
            estimate(*_spread(o, "holds_europe"), "percent"),
            name,
        )
        same(cells[column("Cost to")], estimate(*_spread(o, "npv_eur_bn"), "money"), name)
        same(
            cells[column("Non-proliferation risk")],
            estimate(*_spread(o, "proliferation"), "index"),
            name,
        )
        same(
            cells[column("Ukraine support")],
            estimate(*_spread(o, "ukraine_support_eur_bn"), "number"),
            name,
        )
        if name != status_quo:
            same(
                cells[column("Change")],
                estimate(*_spread(o, "change_vs_status_quo"), "points"),
                name,
            )
    # Who is protected: Europe by population, each state once, by exposure.
    if "| Option | Europe, by population" in markdown:
        labels, rows = _table(markdown, "| Option | Europe, by population")
        keys = {
            "Europe, by population": "holds_europe",
            "Europe, each state once": "holds_in_europe_equal",
            "Europe, by exposure": "holds_in_europe_exposure",
        }
        for name, o in assessed.items():
            for label, key in keys.items():
                if label in labels:
                    same(rows[name][labels.index(label)], percent(float(o[key])), f"{name} {label}")
    # Ukraine: deterrence of a new offensive fails, per crisis, in the horizon year.
    labels, rows = _table(markdown, "| Option | Support in")
    at = next(i for i, label in enumerate(labels) if label.startswith("Deterrence of a new"))
    for name, o in assessed.items():
        same(rows[name][at], estimate(*_spread(o, "fails_ukraine"), "percent"), name)
    # Value for money: the same change and cost as the options table, without ranges.
    labels, rows = _table(markdown, "| Option | Change, points")
    for name, o in assessed.items():
        if name == status_quo:
            continue
        same(rows[name][1], points(float(o["change_vs_status_quo"])), f"{name} value change")
        same(rows[name][2], money(float(o["npv_eur_bn"])), f"{name} value cost")
    # The bottom line quotes the leading option and the status quo as the table does.
    bottom = markdown.split("## Bottom line", 1)[1].split("\n## ", 1)[0]
    leading = next(name for name in assessed if f"**{name}**" in bottom)
    for name in (leading, status_quo):
        expected = estimate(*_spread(assessed[name], "holds_europe"), "percent")
        assert expected in bottom, f"bottom line: {name} {expected}"
        compared += 1
    expected = estimate(*_spread(assessed[leading], "change_vs_status_quo"), "points")
    assert expected in bottom, f"bottom line: change {expected}"
    compared += 1
    assert compared >= 30, f"only {compared} figures compared"
