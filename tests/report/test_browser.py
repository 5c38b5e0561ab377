"""The HTML brief in a real browser, at a phone's, a laptop's and a desktop's width.

At each width every section and chart renders, the console is clean, nothing is requested
beyond the file, the page never scrolls sideways, the charts' text is neither cut off nor
drawn over other text, and axe-core finds no serious or critical accessibility violation.
axe-core ships with the tests (``tests/report/assets/axe.min.js``, MPL-2.0), so that the
check needs no network.

Needs Chromium (Debian: ``apt-get install chromium``) and the ``playwright`` package; where
either is missing the tests are skipped, unless ``UMBRELLA_REQUIRE_BROWSER=1`` (set by CI),
which turns the skip into a failure. A screenshot of the whole page at each width is kept in
``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import umbrella
from umbrella.report import write_brief
from umbrella.report.build import SECTIONS

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
AXE = Path(__file__).parent / "assets" / "axe.min.js"
CHARTS = (
    "forces",
    "trust",
    "ukraine",
    "options",
    "map",
    "holds-by-year",
    "value-per-eur",
    "tradeoffs",
    "drivers",
)
#: (width, height) of the viewports: a small phone, a laptop, a desktop.
SCREENS = ((360, 800), (1280, 800), (1920, 1080))
BLOCKING = ("serious", "critical")

#: Every text of a chart's figure that lies outside the figure's box: cut off on the page.
OUTSIDE = """(id) => {
  const figure = document.getElementById(id).getBoundingClientRect();
  return Array.from(document.querySelectorAll(`#${id} .main-svg text`))
    .filter((t) => t.textContent.trim() !== "")
    .map((t) => [t.textContent, t.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.left < figure.left - 1 || r.right > figure.right + 1
      || r.top < figure.top - 1 || r.bottom > figure.bottom + 1))
    .map(([text, r]) => `${text} at ${Math.round(r.left)}-${Math.round(r.right)} x `
      + `${Math.round(r.top)}-${Math.round(r.bottom)}, figure ${Math.round(figure.left)}-`
      + `${Math.round(figure.right)} x ${Math.round(figure.top)}-${Math.round(figure.bottom)}`);
}"""

#: Pairs of things in a chart that must not overlap: labels, legend and axis titles with each
#: other; labels with bars; the legend with the plotting area and with the chart's title.
OVERLAPS = """(id) => {
  const root = document.getElementById(id);
  const figure = root.closest("figure");
  const boxes = (selector) => Array.from(root.querySelectorAll(selector))
    .filter((e) => selector.includes("path") || e.textContent.trim() !== "")
    .map((e) => [selector.split(" ").pop() + " '" + (e.textContent || "").trim().slice(0, 40)
      + "'", e.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0);
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const texts = boxes(".annotation-text, .legendtext, .xtitle, .ytitle, .xtick text, "
    + ".ytick text, .colorbar text");
  const found = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (meet(texts[i][1], texts[j][1])) found.push(`${texts[i][0]} over ${texts[j][0]}`);
    }
  }
  const labels = boxes(".annotation-text");
  const bars = boxes(".barlayer .point path");
  for (const [name, box] of labels) {
    for (const [bar, area] of bars) if (meet(box, area)) found.push(`${name} over ${bar}`);
  }
  const legend = boxes(".legend .bg");
  const plots = boxes(".draglayer .nsewdrag");
  const title = figure.querySelector(".chart-title").getBoundingClientRect();
  for (const [name, box] of legend) {
    for (const [plot, area] of plots) if (meet(box, area)) found.push(`${name} over ${plot}`);
    if (meet(box, title)) found.push(`${name} over the chart's title`);
  }
  return found;
}"""

#: Runs axe-core and returns its violations, each with the first few elements it names.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
}"""


def _browser() -> str:
    chromium = next(
        (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))),
        None,
    )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        chromium = None
    if chromium is None:
        if os.environ.get("UMBRELLA_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and playwright are required here (UMBRELLA_REQUIRE_BROWSER=1)")
        pytest.skip("needs Chromium and the playwright package")
    return chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = _browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def brief_url(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One brief for every width: writing it takes most of the time."""
    brief = write_brief(
        out=tmp_path_factory.mktemp("browser") / "brief",
        store=None,
        samples=2_000,
        sobol_base=32,
        formats=["html"],
    )
    url: str = (brief.folder / "brief.html").resolve().as_uri()
    return url


class Visit:
    """The brief open in a fresh page of ``width`` x ``height``, offline, with every console
    error or warning, page error and request beyond the file recorded in ``problems``."""

    def __init__(self, browser: Any, url: str, width: int, height: int) -> None:
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page: Any = self.context.new_page()
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.route("**/*", self._offline)
        self.page.goto(url, wait_until="load")
        for chart in CHARTS:
            self.page.locator(f"#chart-{chart} .js-plotly-plot .main-svg").first.wait_for(
                state="attached", timeout=15_000
            )

    def _offline(self, route: Any) -> None:
        # Offline: any request leaving the file is a defect, and is not let through.
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
            return
        self.problems.append(f"network: {route.request.url}")
        route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module", params=SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def visit(request: pytest.FixtureRequest, browser: Any, brief_url: str) -> Iterator[Visit]:
    """The brief at one of :data:`SCREENS`, loaded once for the checks at that size."""
    width, height = request.param
    opened = Visit(browser, brief_url, width, height)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def laptop(browser: Any, brief_url: str) -> Iterator[Visit]:
    """The brief at 1280 x 800, left where it opened (checks that scroll or click open
    their own)."""
    opened = Visit(browser, brief_url, 1280, 800)
    try:
        yield opened
    finally:
        opened.close()


def test_brief_renders_at_each_width(visit: Visit) -> None:
    page = visit.page
    width = page.viewport_size["width"]
    height = page.viewport_size["height"]
    for section_id, title in SECTIONS:
        assert page.locator(f"section#{section_id} h2").inner_text() == title
    for chart in CHARTS:
        box = page.locator(f"#chart-{chart} .js-plotly-plot").bounding_box()
        assert box is not None, chart
        assert box["width"] > min(300, width - 60), chart
        assert box["height"] > 200, chart
        assert box["x"] >= 0, chart
        assert box["x"] + box["width"] <= width + 1, chart
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"brief-{width}x{height}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner + 1, f"the page scrolls sideways at {width} px: {scroll} px wide"
    assert not visit.problems, visit.problems


def test_charts_text_fits_and_does_not_overlap(visit: Visit) -> None:
    width = visit.page.viewport_size["width"]
    cut = {c: visit.page.evaluate(OUTSIDE, f"plot-{c}") for c in CHARTS}
    assert not any(cut.values()), f"at {width} px, text cut off: {cut}"
    over = {c: visit.page.evaluate(OVERLAPS, f"plot-{c}") for c in CHARTS}
    assert not any(over.values()), f"at {width} px, overlapping: {over}"


def test_no_serious_accessibility_violation(visit: Visit) -> None:
    visit.page.add_script_tag(path=str(AXE))
    violations = visit.page.evaluate(AXE_RUN)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    width = visit.page.viewport_size["width"]
    assert not blocking, f"axe-core at {width} px: {blocking}"
    assert not visit.problems, visit.problems


def test_charts_are_described(visit: Visit) -> None:
    for chart in CHARTS:
        plot = visit.page.locator(f"#chart-{chart} .plot")
        described = plot.get_attribute("aria-describedby")
        assert described == f"alt-{chart}"
        text = visit.page.locator(f"#{described}").inner_text()
        assert len(text) > 60, chart


def test_map_selector_switches_option(browser: Any, brief_url: str) -> None:
    opened = Visit(browser, brief_url, 1280, 800)
    try:
        _switch_map(opened)
    finally:
        opened.close()


def _switch_map(opened: Visit) -> None:
    page = opened.page
    select = page.locator("#select-map")
    choices = select.locator("option").all_inner_texts()
    assert len(choices) >= 2
    other = next(i for i, _ in enumerate(choices) if i != int(select.input_value()))
    before = page.evaluate("document.getElementById('plot-map').data[1].z")
    select.select_option(str(other))
    page.wait_for_function(
        "(title) => document.getElementById('plot-map').layout.annotations[1].text"
        ".replace(/<br>/g, ' ').startsWith(title)",
        arg=choices[other],
    )
    after = page.evaluate("document.getElementById('plot-map').data[1].z")
    assert after != before
    assert not opened.problems, opened.problems


def test_first_screen_leads_to_the_answer(laptop: Visit) -> None:
    """At 1280 x 800, before any scrolling, the bottom line shows and so does a link to the
    definitions of the numbers."""
    page = laptop.page
    bottom = page.locator("#bottom-line")
    assert bottom.count() == 1, "no element with id bottom-line"
    box = bottom.bounding_box()
    assert box is not None
    assert box["y"] < 800, f"#bottom-line starts {box['y']:.0f} px down, below the first screen"
    assert box["y"] + box["height"] > 0, box
    link = page.locator('a[href="#definitions"]').first
    assert link.count() == 1, "no link to #definitions"
    assert link.is_visible()
    where = link.bounding_box()
    assert where is not None
    assert 0 <= where["y"] < 800 - where["height"], f"the link is not in the first screen: {where}"


def test_hover_prints_years_as_years(laptop: Visit) -> None:
    """Hovering a point of the Ukraine chart names its year "2026", not "2,026"."""
    text = laptop.page.evaluate(
        """() => {
          const div = document.getElementById("plot-ukraine");
          const line = div.data.findIndex((t) => t.mode === "lines+markers");
          Plotly.Fx.hover(div, [{curveNumber: line, pointNumber: 0}]);
          return div.querySelector(".hoverlayer").textContent;
        }"""
    )
    assert re.search(r"20\d\d: EUR", text), text
    assert not re.search(r"2,0\d\d", text), text


def test_provenance_names_no_local_path(laptop: Visit) -> None:
    text = laptop.page.locator("main").inner_text()
    assert "site-packages" not in text
    assert str(Path(umbrella.__file__).parent) not in text
    assert str(Path.home()) + "/" not in text


def test_brief_prints_to_pdf(tmp_path: Path) -> None:
    _browser()
    brief = write_brief(
        out=tmp_path / "brief", store=None, samples=1_000, sobol_base=16, formats=["pdf"]
    )
    pdf = brief.files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 100_000
    assert not (brief.folder / "brief.html").exists()
