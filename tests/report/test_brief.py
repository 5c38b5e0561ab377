"""The brief: files, sections, charts, citations, and a conclusion that follows the numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.data import load_world
from umbrella.model.scenario import flagship_path
from umbrella.report import Brief, write_brief
from umbrella.report.build import SECTIONS

runner = CliRunner()
SMALL = {"samples": 2_000, "sobol_base": 32}


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    root = tmp_path_factory.mktemp("brief")
    return write_brief(out=root / "brief", store=root / "runs", **SMALL)


def test_the_brief_writes_html_markdown_charts_and_data(brief: Brief) -> None:
    folder = brief.folder
    html = (folder / "brief.html").read_text(encoding="utf-8")
    markdown = (folder / "brief.md").read_text(encoding="utf-8")
    charts = sorted(p.stem for p in (folder / "charts").glob("*.png"))
    assert charts == [
        "drivers",
        "forces",
        "holds-by-year",
        "map",
        "options",
        "tradeoffs",
        "trust",
        "ukraine",
        "value-per-eur",
    ]
    for chart in charts:
        assert (folder / "data" / f"{chart}.csv").stat().st_size > 0
        assert f"](charts/{chart}.png)" in markdown
        assert f'id="chart-{chart}"' in html
    for section_id, title in SECTIONS:
        assert f'<section id="{section_id}">' in html
        assert f"## {title}" in markdown
    # Self-contained: plotly.js is inline, nothing is fetched.
    assert not re.search(r"<script[^>]+src=", html)
    assert brief.run_id in markdown
    assert "| Option | Europe, by population | Europe, each state once |" in markdown
    assert "EU not NATO" in markdown  # who is protected, per exposure group
    assert not list(folder.parent.glob(".brief-*"))  # the staging folder is gone


def test_the_brief_shows_the_options_with_and_without_each_stress(brief: Brief) -> None:
    import pandas as pd

    markdown = (brief.folder / "brief.md").read_text(encoding="utf-8")
    assert "| Option | As assumed | US exit, 2030 | Ceasefire in Ukraine, 2027 |" in markdown
    assert "Who is protected under the stress test US exit, 2030" in markdown
    tests = pd.read_csv(brief.folder / "data" / "stress-tests.csv")
    headline = pd.read_csv(brief.folder / "data" / "headline.csv").set_index("option")
    as_assumed = tests[tests["stress"] == "none"].set_index("option")
    assert (as_assumed["holds_europe"] == headline["holds_europe"]).all()
    quo = tests[tests["option"] == "status-quo"].set_index("stress")["holds_europe"]
    assert quo["us-exit"] < quo["none"]
    # The table shows each figure as the CSV has it, to one decimal of a percentage.
    exit_quo = f"{100 * quo['us-exit']:.1f}%"
    assert (
        f"| Status quo: reliance on the US umbrella | {100 * quo['none']:.1f}% | {exit_quo} |"
        in (markdown)
    )


def test_the_bibliography_prints_the_original_publication_first(brief: Brief) -> None:
    from umbrella.data.schema import Source

    markdown = (brief.folder / "brief.md").read_text(encoding="utf-8")
    world = load_world()
    listed = re.findall(r"^- \[([a-z0-9][a-z0-9._-]*)\] (.+)$", markdown, flags=re.MULTILINE)
    assert len(listed) >= 10
    checked = 0
    for source_id, text in listed:
        source = world.source(source_id)
        assert isinstance(source, Source)
        assert text.startswith(f'{source.publisher}, "{source.title}"'), source_id
        if source.kind != "secondary":
            continue
        checked += 1
        head, _, read = text.partition(" Read in: ")
        assert source.url in read, source_id  # the re-report comes after the original
        if source.primary == "verified":
            assert source.primary_url in head, source_id
            assert f"[{source_id}]: {source.primary_url}" in markdown  # the mark links to it
        else:
            assert "no primary reference verified" in head, source_id
    assert checked >= 3
    # In the text, a figure resting on a re-report alone carries a dagger after its mark.
    body = markdown.split("**Sources.**")[0]
    for source_id in set(re.findall(r"\[([a-z0-9][a-z0-9._-]*)\]", body)) - {"run", "data"}:
        source = world.source(source_id)
        unverified = source.kind == "secondary" and source.primary != "verified"
        marked = f"[{source_id}]\u2020" in body
        assert marked == unverified, source_id


def test_every_figure_traces_to_a_source_or_the_run(brief: Brief) -> None:
    markdown = (brief.folder / "brief.md").read_text(encoding="utf-8")
    sources = set(load_world().sources.index)
    allowed = sources | {f"run {brief.run_id}"}
    blocks = [b for b in re.split(r"\n\s*\n", markdown) if b.strip()]
    unsourced = []
    previous = ""
    for block in blocks:
        lines = block.strip().splitlines()
        if lines[0].startswith("#") or (
            lines[0].startswith(("![", "[")) and not _has_figure(block)
        ):
            previous = block
            continue
        if lines[0].startswith("|"):
            rows = [row for row in lines[2:] if _has_figure(row)]
            cited_caption = _cites(previous, allowed)
            unsourced += [row for row in rows if not (_cites(row, allowed) or cited_caption)]
        elif lines[0].startswith("- "):
            unsourced += [item for item in lines if _has_figure(item) and not _cites(item, allowed)]
        elif _has_figure(block) and not _cites(block, allowed):
            unsourced.append(block)
        previous = block
    assert not unsourced, unsourced[:3]
    # The citations point at real sources, listed in the bibliography at the end.
    cited = set(re.findall(r"\[([a-z0-9][a-z0-9._-]*)\]", markdown)) - {"run"}
    assert cited <= sources | {"data"}
    for source in cited & sources:
        assert f"[{source}]: " in markdown


def _strip(text: str) -> str:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    return re.sub(r"\[[^\]]*\]", "", text)  # citation marks and link texts


def _has_figure(text: str) -> bool:
    return bool(re.search(r"\d", _strip(text)))


def _cites(text: str, allowed: set[str]) -> bool:
    return any(mark in allowed for mark in re.findall(r"\[([^\[\]]+)\]", text))


def test_the_conclusion_follows_the_numbers(tmp_path: Path) -> None:
    """Two scenarios with different leading options: different numbers and wording."""
    fast_force = tmp_path / "fast-european-force.yaml"
    flagship = flagship_path().read_text(encoding="utf-8")
    fast_force.write_text(
        flagship.replace("name: europe-2026", "name: fast-european-force").replace(
            "assumptions: {}", "assumptions:"
        )
        + "\n  option.european-arsenal.years_to_first_effect: {default: 1, low: 0, high: 2}\n"
        + "  option.european-arsenal.years_to_full_effect: {default: 3, low: 2, high: 4}\n"
        + "  option.european-arsenal.european_force: {default: 0.9, low: 0.85, high: 0.95}\n",
        encoding="utf-8",
    )
    first = write_brief(out=tmp_path / "a", store=None, formats=["html"], **SMALL)
    second = write_brief(fast_force, out=tmp_path / "b", store=None, formats=["html"], **SMALL)
    assert first.leading != second.leading
    assert second.leading == "european-arsenal"
    assert first.conclusion[0] != second.conclusion[0]
    assert "A new European nuclear force" in second.conclusion[0]
    assert "A new European nuclear force" not in first.conclusion[0]


def test_brief_command(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "brief",
            "--samples",
            "1000",
            "--out",
            str(tmp_path / "out"),
            "--store",
            str(tmp_path / "runs"),
            "--format",
            "md",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "brief.md").is_file()
    assert not (tmp_path / "out" / "brief.html").exists()
    run_id = re.search(r"Brief of run (\S+) written", result.output)
    assert run_id is not None
    again = runner.invoke(
        app,
        [
            "brief",
            "--run",
            run_id.group(1),
            "--store",
            str(tmp_path / "runs"),
            "--out",
            str(tmp_path / "again"),
            "--format",
            "md",
            "--quiet",
        ],
    )
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "brief.md").read_text(encoding="utf-8").count(run_id.group(1)) > 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "--format: unknown format docx"),
        (["--samples", "10"], "--samples 10: use 1,000 to"),
        (["missing.yaml"], "missing.yaml"),
        (["--out", "taken"], "--out taken: exists and is not a folder"),
    ],
)
def test_brief_command_refuses_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    result = runner.invoke(app, ["brief", "--out", "out", *args, "--store", "runs"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "runs").exists()  # refused before anything ran
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file"


def test_a_failed_brief_leaves_the_previous_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from umbrella.report import build

    out = tmp_path / "brief"
    write_brief(out=out, store=None, formats=["md"], **SMALL)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(found: object) -> dict[str, object]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "_charts", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_brief(out=out, store=None, formats=["md"], **SMALL)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief"]


def test_the_umask_is_read_without_being_changed() -> None:
    """Reading the umask (for the brief's folder) never sets it, not even for a moment:
    the web server writes briefs while other threads create files."""
    import os
    import sys

    from umbrella.report.build import _umask

    previous = os.umask(0o027)
    try:
        if sys.platform.startswith("linux"):
            calls: list[int] = []
            real = os.umask

            def spy(mask: int) -> int:
                calls.append(mask)
                return real(mask)

            os.umask = spy
            try:
                assert _umask() == 0o027
            finally:
                os.umask = real
            assert calls == []  # read from /proc, never set
        else:
            assert _umask() == 0o027
        assert os.umask(0o027) == 0o027  # left as it was
    finally:
        os.umask(previous)
