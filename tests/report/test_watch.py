"""What to do now, what to watch: the leading option and its parts, its signposts and the
value of information, the same figures as ``umbrella signposts`` and ``run_voi`` give for
the same run, in English and in Ukrainian."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from umbrella.explore.run import open_run
from umbrella.explore.run import run as run_ensemble
from umbrella.explore.signposts import signposts
from umbrella.explore.voi import GROUPS, OTHER, run_voi
from umbrella.model.scenario import flagship_path, load_scenario
from umbrella.report import Brief, write_brief
from umbrella.report.build import SECTIONS
from umbrella.report.locale import FINDINGS_TEXTS, language
from umbrella.report.numbers import number
from umbrella.report.watch import PORTFOLIO_SCENARIO
from umbrella.settings import DEFAULT_SEED

SMALL = {"sobol_base": 16}
FUTURES = 1_000
TITLE = "What to do now, what to watch"


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Brief]]:
    """The English and the Ukrainian brief of one stored flagship run."""
    root = tmp_path_factory.mktemp("watch")
    store = root / "runs"
    run = run_ensemble(load_scenario(flagship_path()), FUTURES, DEFAULT_SEED, store=store)
    assert run.run_id is not None
    briefs = {
        code: write_brief(run_id=run.run_id, store=store, out=root / code, lang=code, **SMALL)
        for code in ("en", "uk")
    }
    return store, run.run_id, briefs


def _section(markdown: str, title: str) -> str:
    start = markdown.index(f"## {title}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end > 0 else None]


def test_the_section_is_in_the_brief_in_both_languages(
    flagship: tuple[Path, str, dict[str, Brief]],
) -> None:
    _, _, briefs = flagship
    assert ("watch", TITLE) in SECTIONS
    ids = [section_id for section_id, _ in SECTIONS]
    assert ids.index("drivers") < ids.index("watch") < ids.index("limits")
    english = _section(briefs["en"].files["md"].read_text(encoding="utf-8"), TITLE)
    assert "**What to do now:**" in english
    assert "| Signpost |" in english or "no signpost" in english.lower()
    assert "EVPI:" in english
    assert "| Assumptions | EVPPI, points |" in english
    # The flagship has no portfolio: the section points to the scenario that has them.
    assert f"`umbrella brief {PORTFOLIO_SCENARIO}`" in english
    uk = language("uk")
    ukrainian = briefs["uk"].files["md"].read_text(encoding="utf-8")
    section = _section(ukrainian, uk.gettext(TITLE))
    assert "**Що робити зараз:**" in section
    assert "**За чим стежити.**" in section  # noqa: RUF001 - Ukrainian
    assert "EVPI:" in section
    assert "в. п." in section
    assert "What to do now" not in section
    assert "What to watch" not in section
    html = briefs["uk"].files["html"].read_text(encoding="utf-8")
    assert f'<section id="watch">\n<h2>{uk.gettext(TITLE)}</h2>' in html


def test_its_figures_are_those_of_run_voi_and_signposts(
    flagship: tuple[Path, str, dict[str, Brief]],
) -> None:
    store, run_id, briefs = flagship
    brief = briefs["en"]
    run = open_run(run_id, store)
    voi = run_voi(run)
    table = pd.read_csv(brief.folder / "data" / "value-of-information.csv")
    assert table["group"].iloc[0] == "all (EVPI)"
    assert table["evppi"].iloc[0] == pytest.approx(voi.evpi, rel=1e-12, abs=1e-12)
    groups = table.iloc[1:].set_index("group")["evppi"]
    expected = voi.table.set_index("group")["evppi"]
    assert list(groups.index) == list(expected.index)
    assert groups.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9, abs=1e-12)
    section = _section(brief.files["md"].read_text(encoding="utf-8"), TITLE)
    assert f"EVPI: {number(voi.evpi, 2)} points." in section
    for group, value in list(expected.items())[:3]:
        assert f"| {str(group)[:1].upper()}{str(group)[1:]} | {number(value, 2)} |" in section
    # The signposts are those of `umbrella signposts` for the leading option, same run.
    report = signposts(run, options=[brief.leading])
    shown = pd.read_csv(brief.folder / "data" / "signposts.csv")
    failure = shown[shown["role"] == "failure"].reset_index(drop=True)
    mine = report.table
    assert len(failure) == len(mine)
    for column in ("option", "assumption", "status", "read_by"):
        assert list(failure[column]) == list(mine[column]), column
    for column in ("value", "low", "high", "gap"):
        assert failure[column].to_numpy() == pytest.approx(mine[column].to_numpy()), column
    rows = [line for line in section.splitlines() if line.startswith("| ") and run_id in line]
    assert len(rows) == len(mine) + min(3, len(voi.table))
    fired = int((mine["status"] == "fired").sum())
    if fired == 0:
        assert "No signpost has fired" in section
    for year in mine["read_by"]:
        assert f"| {int(year)} |" in section


def test_the_leading_portfolio_or_pathway_is_named_with_its_parts(tmp_path: Path) -> None:
    scenario = load_scenario(PORTFOLIO_SCENARIO)
    brief = write_brief(scenario, samples=FUTURES, out=tmp_path / "brief", store=None, **SMALL)
    spec = next(o for o in scenario.options if o.id == brief.leading)
    names = {o.id: o.name for o in scenario.options}
    section = _section(brief.files["md"].read_text(encoding="utf-8"), TITLE)
    assert f"**What to do now:** {names[brief.leading]}, the option that leads" in section
    # On this scenario a portfolio or a pathway leads; its parts are listed, a pathway's
    # steps with the signpost each waits for, read on today's evidence.
    assert spec.components
    waiting = [p for p in spec.components if p.trigger is not None]
    kind = "It is a pathway" if waiting else "It is a portfolio"
    assert kind in section
    items = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(items) == len(spec.components)
    for part, item in zip(spec.components, items, strict=True):
        assert item.startswith(f"- {names[part.option]}, ")
        if part.trigger is not None:
            assert f"only in the futures where by {part.trigger.read_by}" in item
            assert "today's evidence" in item
    assert f"`umbrella brief {PORTFOLIO_SCENARIO}`" not in section
    steps = pd.read_csv(brief.folder / "data" / "signposts.csv")
    assert len(steps[steps["role"] == "step"]) <= len(waiting)


def test_every_group_of_the_value_of_information_is_translated() -> None:
    uk = language("uk")
    for group in [*(name for name, _ in GROUPS), OTHER]:
        assert group in FINDINGS_TEXTS, group
        assert uk.text(group) != group, group


def test_the_flagship_brief_has_no_pathway_map(
    flagship: tuple[Path, str, dict[str, Brief]],
) -> None:
    _, _, briefs = flagship
    for brief in briefs.values():
        assert not (brief.folder / "data" / "pathways.csv").exists()
        assert not (brief.folder / "charts" / "pathways.png").exists()
        assert "plot-pathways" not in brief.files["html"].read_text(encoding="utf-8")
