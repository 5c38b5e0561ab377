"""The HTML brief in a real browser: every section and chart renders, the console is clean.

Needs Chromium (Debian: ``apt-get install chromium``) and the ``playwright`` package; where
either is missing the test is skipped, unless ``UMBRELLA_REQUIRE_BROWSER=1`` (set by CI),
which turns the skip into a failure. The screenshot is kept in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from umbrella.report import write_brief
from umbrella.report.build import SECTIONS

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHARTS = ("forces", "trust", "ukraine", "options", "map", "drivers")


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


def test_brief_renders_in_chromium(tmp_path: Path) -> None:
    chromium = _browser()
    from playwright.sync_api import sync_playwright

    brief = write_brief(
        out=tmp_path / "brief", store=None, samples=2_000, sobol_base=32, formats=["html"]
    )
    page_url = (brief.folder / "brief.html").resolve().as_uri()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
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
            page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

            def offline(route: Any) -> None:
                # Offline: any request leaving the file is a defect.
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                    return
                problems.append(f"network: {route.request.url}")
                route.abort()

            page.route("**/*", offline)
            page.goto(page_url, wait_until="load")
            for section_id, title in SECTIONS:
                heading = page.locator(f"section#{section_id} h2")
                assert heading.inner_text() == title
            for chart in CHARTS:
                plot = page.locator(f"#chart-{chart} .js-plotly-plot .main-svg").first
                plot.wait_for(state="attached", timeout=15_000)
                box = page.locator(f"#chart-{chart} .js-plotly-plot").bounding_box()
                assert box is not None, chart
                assert box["width"] > 300, chart
                assert box["height"] > 200, chart
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "brief.png"), full_page=True)
        finally:
            browser.close()
    assert not problems, problems
    assert (ARTIFACTS / "brief.png").stat().st_size > 50_000


def test_brief_prints_to_pdf(tmp_path: Path) -> None:
    _browser()
    brief = write_brief(
        out=tmp_path / "brief", store=None, samples=1_000, sobol_base=16, formats=["pdf"]
    )
    pdf = brief.files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 100_000
    assert not (brief.folder / "brief.html").exists()
