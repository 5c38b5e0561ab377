"""The stored-runs page in Chromium, served by ``umbrella serve``: it lists the store's runs,
shows a run's headline with the numbers of the API, its trade-offs (table and chart), compares
two runs, builds the run's brief and its link opens the brief, computes the value of
information, every request on loopback and the console clean.

At 360 and 1280 px the page has no serious or critical axe-core violation and no sideways
scroll (screenshots in ``test-artifacts/``). Skipped without Chromium and the ``playwright``
package, unless ``UMBRELLA_REQUIRE_BROWSER=1``, as every browser test is
(``tests/web/browser.py``).
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Iterator

import pytest

from tests.web.browser import (
    ARTIFACTS,
    AXE,
    Watch,
    assert_accessible,
    browser,
    get_json,
    post_json,
    serve,
)

#: The page has drawn a run: a headline cell, and no request in flight.
_SETTLED = (
    "() => !document.body.classList.contains('busy') && "
    "document.querySelector('#headline td[data-field=\"holds_europe\"]') !== null"
)


def _complete(url: str, samples: int, seed: int) -> str:
    """A run of the server's, started over HTTP and waited for."""
    deadline = time.monotonic() + 60
    while True:
        try:
            started = post_json(url + "api/runs", {"samples": samples, "seed": seed})
            break
        except urllib.error.HTTPError as error:
            # The run before reads complete a moment before its worker thread is free.
            if error.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    run_id: str = started["run_id"]
    while get_json(url + f"api/runs/{run_id}/progress")["status"] == "running":
        assert time.monotonic() < deadline, f"run {run_id} did not finish"
        time.sleep(0.2)
    return run_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The server's address and its two complete runs, the newer first."""
    with serve(tmp_path_factory.mktemp("runs-page") / "runs") as served:
        url = served.url
        older = _complete(url, 1_000, 5)
        newer = _complete(url, 1_000, 6)
        yield url, [newer, older]


def test_the_runs_page_opens_a_run_and_its_brief(server: tuple[str, list[str]]) -> None:
    url, (newer, older) = server
    watch = Watch()

    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 360, "height": 800})
        # Requests and errors of every tab, the brief's included.
        watch.requests(context)
        context.on("page", watch.console)
        page = context.new_page()
        # axe-core as a script of every document the page opens: the page's own
        # Content-Security-Policy (scripts from this server only) stays in force.
        page.add_init_script(path=str(AXE))
        page.goto(url + "runs")
        rows = page.locator("#runs tbody tr")
        rows.first.wait_for(timeout=60_000)
        assert [r.get_attribute("data-run") for r in rows.all()] == [newer, older]

        # Opened from the keyboard.
        page.locator(f'button.run-open[data-run="{older}"]').focus()
        page.keyboard.press("Enter")
        page.wait_for_function(_SETTLED, timeout=60_000)
        cell = page.locator('#headline td[data-option="status-quo"][data-field="holds_europe"]')
        shown = float(cell.get_attribute("data-value") or "nan")
        assert page.locator('#robustness td[data-field="mean"]').count() >= 2
        assert f"run={older}" in page.url

        # The trade-offs: the table with the API's numbers, the chart and its description.
        share = page.locator(
            '#tradeoffs td[data-option="status-quo"][data-field="share_efficient"]'
        )
        share.wait_for(timeout=60_000)
        page.locator("#tradeoffs-chart .main-svg").first.wait_for(timeout=30_000)
        alt = page.locator("#tradeoffs-alt").text_content() or ""
        assert alt.startswith("Parallel-coordinates chart of")
        assert page.locator("#tradeoffs-chart").get_attribute("aria-describedby") == "tradeoffs-alt"
        traded = get_json(url + f"api/runs/{older}/tradeoffs")
        row = next(r for r in traded["options"] if r["option"] == "status-quo")
        assert float(share.get_attribute("data-value") or "nan") == row["share_efficient"]
        assert page.locator("#tradeoffs tbody tr").count() == len(traded["options"])
        # Drawn with SVG lines, one per option (a WebGL parcoords would need eval, which the
        # page's policy refuses).
        lines = page.locator("#tradeoffs-chart .scatterlayer .trace")
        assert lines.count() == len(traded["options"])
        assert "WebGL" not in (page.locator("#tradeoffs-chart").text_content() or "")

        # Two runs ticked: their comparison.
        for run_id in (older, newer):
            page.locator(f'input[data-compare="{run_id}"]').focus()
            page.keyboard.press("Space")
        difference = page.locator('#diff td[data-option="status-quo"][data-field="difference"]')
        difference.wait_for(timeout=60_000)

        # The brief, at the quickest sensitivity detail, built and linked.
        page.select_option("#brief-base", "16")
        page.locator("#brief-build").focus()
        page.keyboard.press("Enter")
        page.locator("#brief-files").wait_for(state="visible", timeout=120_000)
        link = page.locator("#brief-html")
        assert link.get_attribute("target") == "_blank"

        # The value of information, computed from the keyboard: EVPI first, then the groups.
        page.locator("#voi-build").focus()
        page.keyboard.press("Enter")
        page.locator("#voi-wrap").wait_for(state="visible", timeout=120_000)
        groups = page.locator("#voi tbody tr")
        assert groups.first.get_attribute("data-group") == "all (EVPI)"
        voi = get_json(url + f"api/runs/{older}/voi?cost_weight=0")
        assert groups.count() == len(voi["groups"])
        evpi = page.locator('#voi td[data-group="all (EVPI)"][data-field="evppi"]')
        assert float(evpi.get_attribute("data-value") or "nan") == voi["evpi"]
        assert "percentage points" in (page.locator("#voi-caption").text_content() or "")

        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_function(_SETTLED, timeout=30_000)
            # No sideways scroll at a phone's width: wide tables scroll in their own box.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"web-runs-{width}.png"), full_page=True)
            assert_accessible(page, width)

        with context.expect_page() as opened:
            link.click()
        brief = opened.value
        brief.wait_for_load_state("load")
        # Its charts are drawn: the brief's own inline scripts run under its policy.
        brief.locator(".main-svg").first.wait_for(timeout=30_000)
        assert older in (brief.content() or "")
        assert f"api/runs/{older}/brief?format=html" in brief.url
    results = get_json(url + f"api/runs/{older}/results")
    expected = next(r for r in results["rows"] if r["option"] == "status-quo")["holds_europe"]
    assert shown == expected
    watch.assert_clean()
