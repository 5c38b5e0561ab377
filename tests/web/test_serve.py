"""``umbrella serve`` for real: the command starts a server that answers on loopback, and the
page in Chromium follows a slider with the numbers of ``POST /api/assess``, all on loopback.
By default the page answers with 500 futures, then with the 10,000 to quote.

At 360 and 1280 px the page has no serious or critical axe-core violation (screenshots in
``test-artifacts/``). The browser part needs Chromium (Debian: ``apt-get install chromium``)
and the ``playwright`` package; where either is missing it is skipped, unless
``UMBRELLA_REQUIRE_BROWSER=1`` (``tests/web/browser.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.browser import (
    ARTIFACTS,
    Watch,
    assert_accessible,
    browser,
    get_json,
    new_page,
    post_json,
    serve,
)

#: The page has answered and drawn: a headline cell, and no request in flight.
_SETTLED = (
    "() => !document.body.classList.contains('busy') && "
    "document.querySelector('td[data-field=\"holds_europe\"]') !== null"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("serve") / "runs") as served:
        yield served.url
    assert f"http://localhost:{served.port}/" in served.output  # the address to open, printed


def test_the_command_serves_on_loopback(server: str) -> None:
    names = [s["name"] for s in get_json(server + "api/scenarios")]
    assert names == ["europe-2026", "europe-2026-portfolios"]


def test_the_command_refuses_bad_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "umbrella", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: --port 0")


def test_the_page_follows_a_slider(server: str) -> None:
    watch = Watch()
    with browser() as chromium:
        # 500 futures and nothing more, as the address says.
        page = new_page(chromium, server + "?samples=500", watch)
        cell = page.locator('td[data-option="status-quo"][data-field="holds_europe"]')
        cell.wait_for(timeout=60_000)
        before = cell.get_attribute("data-value")
        slider = page.locator('input[data-assumption="crisis.rate_nato"]')
        slider.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(before) => { const c = document.querySelector("
            '\'td[data-option="status-quo"][data-field="holds_europe"]\');'
            " return c && c.dataset.value !== before && "
            "!document.body.classList.contains('busy'); }",
            arg=before,
            timeout=60_000,
        )
        after = float(cell.get_attribute("data-value") or "nan")
        value = float(slider.input_value())
        assert f"set.crisis.rate_nato={value:g}" in page.url  # the what-if is its address
        assert "samples=500" in page.url
        assert page.locator("#results").get_attribute("data-samples") == "500"
        # The page has no horizontal scroll at a phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_function(_SETTLED, timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / f"web-{width}.png"), full_page=True)
            assert_accessible(page, width)
    expected = post_json(
        server + "api/assess", {"overrides": {"crisis.rate_nato": value}, "samples": 500}
    )
    assert after == expected["options"][0]["holds_europe"]
    assert after != float(before or "nan")
    watch.assert_clean()


#: The brief's charts are drawn for the controls' what-if: every one, none in flight.
_FIGURES_DRAWN = (
    "() => !document.getElementById('figures').classList.contains('busy') && "
    "document.querySelectorAll('#figure-list .plot .main-svg').length >= 4 && "
    "document.getElementById('figure-list').dataset.whatIf !== undefined"
)

#: Every brief chart on the page is drawn with some height.
_PLOTS_SHOWN = (
    "() => [...document.querySelectorAll('#figure-list .plot')].every("
    "(p) => p.querySelector('.main-svg') && p.getBoundingClientRect().height > 100)"
)

#: The status quo's tiles on the map as drawn (the figure's first trace).
_MAP_VALUES = "() => JSON.stringify(document.getElementById('figure-map').data[0].z)"

#: The heading of the map's lower part: the option its selector shows.
_MAP_HEADING = "() => document.getElementById('figure-map').layout.annotations[1].text"

#: Each table's holds-through-the-horizon cells by option.
_TABLE_VALUES = """(table) => Object.fromEntries([...document.querySelectorAll(
  '#' + table + ' td[data-field="holds_europe"]')].map(
  (c) => [c.dataset.option, c.dataset.value]))"""


def _move(page: Any, assumption: str, presses: int) -> None:
    slider = page.locator(f'input[data-assumption="{assumption}"]')
    slider.focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")


def test_the_page_draws_the_briefs_charts_and_compares(server: str) -> None:
    watch = Watch()
    with browser() as chromium:

        def opened(url: str) -> Any:
            page = new_page(chromium, url, watch)
            page.wait_for_function(_SETTLED, timeout=60_000)
            page.wait_for_function(_FIGURES_DRAWN, timeout=60_000)
            return page

        page = opened(server + "?samples=500")
        assert page.get_by_role("link", name="Stored runs").get_attribute("href") == "runs"
        titles = page.locator("#figure-list h3").all_text_contents()
        assert "What each option buys per EUR bn" in titles
        described = page.locator("#figure-map").get_attribute("aria-describedby")
        assert page.locator(f"#{described}").text_content()
        drawn = page.evaluate(_MAP_VALUES)
        # The reader picks another option for the map: the lower map shows it.
        select = page.locator("#select-map")
        first = page.evaluate(_MAP_HEADING)
        index = (select.evaluate("(s) => s.selectedIndex") + 1) % select.locator("option").count()
        select.select_option(index=index)
        chosen = page.evaluate(_MAP_HEADING)
        assert chosen != first
        # The figures follow a slider, and the map keeps the reader's option.
        _move(page, "crisis.rate_nato", 10)
        page.wait_for_function(
            f"(before) => ({_MAP_VALUES})() !== before && ({_FIGURES_DRAWN})()",
            arg=drawn,
            timeout=60_000,
        )
        assert select.evaluate("(s) => s.selectedIndex") == index
        page.wait_for_function(f"(h) => ({_MAP_HEADING})() === h", arg=chosen, timeout=10_000)
        # Pin A, then make B with the controls: both tables show, and they differ.
        page.get_by_role("button", name="Pin as A").click()
        assert page.locator("#side-a").is_visible()
        a_before = page.evaluate(_TABLE_VALUES, "headline-a")
        _move(page, "challenger.resolve_nato", 15)
        page.wait_for_function(
            f"(a) => JSON.stringify(({_TABLE_VALUES})('headline')) !== JSON.stringify(a)"
            f" && ({_SETTLED})()",
            arg=a_before,
            timeout=60_000,
        )
        page.wait_for_function(_FIGURES_DRAWN, timeout=60_000)
        a_values = page.evaluate(_TABLE_VALUES, "headline-a")
        b_values = page.evaluate(_TABLE_VALUES, "headline")
        assert a_values == a_before
        assert a_values.keys() == b_values.keys()
        assert a_values != b_values
        assert page.get_by_role("button", name="Clear comparison").is_visible()
        shared = page.url
        assert "a=" in shared
        assert "set.challenger.resolve_nato" in shared
        # Each what-if with its size: B's, and A's inside it.
        assert parse_qs(urlsplit(shared).query)["samples"] == ["500"]
        assert "samples=500" in parse_qs(urlsplit(shared).query)["a"][0]
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_function(_SETTLED, timeout=30_000)
            # plotly redraws each chart to its new width after a resize: let it finish.
            page.wait_for_timeout(1_000)
            page.wait_for_function(_PLOTS_SHOWN, timeout=30_000)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"web-compare-{width}.png"), full_page=True)
            assert_accessible(page, width)
        # The shared address reopens the same comparison, with the same numbers.
        again = opened(shared)
        again.wait_for_function("() => !document.getElementById('side-a').hidden", timeout=60_000)
        assert again.evaluate(_TABLE_VALUES, "headline-a") == a_values
        assert again.evaluate(_TABLE_VALUES, "headline") == b_values
        # Clearing the comparison leaves B alone, and the address without A.
        again.get_by_role("button", name="Clear comparison").click()
        assert again.locator("#side-a").is_hidden()
        assert "a=" not in again.url
    watch.assert_clean()


#: What the results show: the futures they are of, the status line, the headline's
#: holds-through-the-horizon cells and the main chart's bars, and the figures' what-if.
_SHOWN = """() => ({
  samples: document.getElementById('results').dataset.samples,
  status: document.getElementById('status').textContent,
  table: Object.fromEntries([...document.querySelectorAll(
    '#headline td[data-field="holds_europe"]')].map((c) => [c.dataset.option, c.dataset.value])),
  chart: [...document.getElementById('chart').data[0].x],
})"""


def _futures(request: Any) -> int | None:
    """The futures a request of the page asks ``api/assess`` for (None: another request)."""
    if not request.url.endswith("/api/assess"):
        return None
    samples: int = json.loads(request.post_data or "{}")["samples"]
    return samples


def test_the_page_answers_quick_then_with_the_futures_to_quote(server: str) -> None:
    # A busy server may shed a request (503, Retry-After) that the page then asks again, as
    # the order checked below allows: Chromium logs the 503 as a console error.
    watch = Watch(expected=("the server responded with a status of 503",))
    asked: list[int] = []

    def ask(request: Any) -> None:
        if (samples := _futures(request)) is not None:
            asked.append(samples)

    with browser() as chromium:
        # Two settings for the what-if; the number of futures left at its default.
        url = server + "?set.crisis.rate_nato=0.1&stress.us-exit=2030"
        page = chromium.new_page(viewport={"width": 1280, "height": 800})
        watch.page(page)
        page.on("request", ask)
        page.goto(url)
        assert page.locator("#samples").input_value() == "auto"
        page.wait_for_function(
            f"() => document.getElementById('results').dataset.samples === '500' && ({_SETTLED})()",
            timeout=60_000,
        )
        quick = page.evaluate(_SHOWN)
        page.wait_for_function(
            "() => document.getElementById('results').dataset.samples === '10000'",
            timeout=60_000,
        )
        full = page.evaluate(_SHOWN)
        # The brief's charts are redrawn for the 10,000 too.
        page.wait_for_function(
            f"() => ({_FIGURES_DRAWN})() && document.getElementById('figure-list')"
            ".dataset.whatIf.includes('\"samples\":10000')",
            timeout=60_000,
        )
        # The address leaves the size out (auto).
        assert "samples" not in page.url
        # A control moved while the 10,000 are computed drops that request, and starts over
        # with 500 futures.
        slider = page.locator('input[data-assumption="challenger.resolve_nato"]')
        slider.focus()
        page.keyboard.press("ArrowRight")
        with page.expect_request(lambda r: _futures(r) == 10_000, timeout=30_000):
            pass
        with page.expect_event("requestfailed") as dropped:
            page.keyboard.press("ArrowRight")
        assert dropped.value.url.endswith("/api/assess")
        page.wait_for_function(
            "(v) => document.getElementById('results').dataset.samples === '10000' && "
            "document.getElementById('status').textContent.startsWith('10,000') && "
            "Number(new URLSearchParams(location.search).get('set.challenger.resolve_nato'))"
            " === Number(v)",
            arg=slider.input_value(),
            timeout=60_000,
        )
        moved = page.evaluate(_SHOWN)
        resolve = float(slider.input_value())
        # A pinned now is A at 10,000: its address says so.
        page.get_by_role("button", name="Pin as A").click()
        a_query = parse_qs(urlsplit(page.url).query)["a"][0]
        assert "samples=10000" in a_query
    what_if: dict[str, Any] = {
        "overrides": {"crisis.rate_nato": 0.1},
        "stress": {"us-exit": 2030},
    }
    again = {**what_if, "overrides": {"crisis.rate_nato": 0.1, "challenger.resolve_nato": resolve}}
    for shown, body, samples in (
        (quick, what_if, 500),
        (full, what_if, 10_000),
        (moved, again, 10_000),
    ):
        expected = post_json(server + "api/assess", {**body, "samples": samples})
        rows = expected["options"]
        table = {option: float(value) for option, value in shown["table"].items()}
        assert table == {r["option"]: r["holds_europe"] for r in rows}
        assert shown["chart"] == [r["holds_europe"] for r in rows]
    assert quick["table"] != full["table"]
    assert quick["status"].startswith("500 futures (quick)")
    assert "the 10,000 to quote are on their way" in quick["status"]
    assert full["status"].startswith("10,000 futures, the figures to quote, seed 2026")
    # In this order; a request the busy server shed (503) is asked again, at once after.
    collapsed = [size for k, size in enumerate(asked) if k == 0 or asked[k - 1] != size]
    assert collapsed == [500, 10_000, 500, 10_000, 500, 10_000]
    watch.assert_clean()
