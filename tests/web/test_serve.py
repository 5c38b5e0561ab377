"""``umbrella serve`` for real: the command starts a server that answers on loopback, and the
page in Chromium follows a slider with the numbers of ``POST /api/assess``, all on loopback.

At 360 and 1280 px the page has no serious or critical axe-core violation (screenshots in
``test-artifacts/``). The browser part needs Chromium (Debian: ``apt-get install chromium``)
and the ``playwright`` package; where either is missing it is skipped, unless
``UMBRELLA_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

AXE = Path(__file__).parents[1] / "report" / "assets" / "axe.min.js"
"""axe-core, shipped with the tests (MPL-2.0, its licences beside it)."""
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"

#: Runs axe-core over the page and returns its violations, each with a few of its elements.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
}"""

#: The page has answered and drawn: a headline cell, and no request in flight.
_SETTLED = (
    "() => !document.body.classList.contains('busy') && "
    "document.querySelector('td[data-field=\"holds_europe\"]') !== null"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    store = tmp_path_factory.mktemp("serve") / "runs"
    env = {k: v for k, v in os.environ.items() if k != "UMBRELLA_TOKEN"}
    process = subprocess.Popen(
        [sys.executable, "-m", "umbrella", "serve", "--port", str(port), "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(url + "api/scenarios")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
        assert f"http://localhost:{port}/" in out  # the address to open, printed


def test_the_command_serves_on_loopback(server: str) -> None:
    names = [s["name"] for s in _get(server + "api/scenarios")]
    assert names == ["europe-2026"]


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


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("UMBRELLA_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and playwright are required here (UMBRELLA_REQUIRE_BROWSER=1)")
        pytest.skip("needs Chromium and the playwright package")
    return found


def test_the_page_follows_a_slider(server: str) -> None:
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)

    hosts: set[str] = set()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800})
            # axe-core as a script of every document the page opens: the page's own
            # Content-Security-Policy (scripts from this server only) stays in force.
            page.add_init_script(path=str(AXE))
            page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server)
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
            # The page has no horizontal scroll at a phone's width.
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            for width in (360, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                page.wait_for_function(_SETTLED, timeout=30_000)
                page.screenshot(path=str(ARTIFACTS / f"web-{width}.png"), full_page=True)
                violations = page.evaluate(AXE_RUN)
                blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
                assert not blocking, f"axe-core at {width} px: {blocking}"
        finally:
            browser.close()
    expected = _post(
        server + "api/assess", {"overrides": {"crisis.rate_nato": value}, "samples": 500}
    )
    assert after == expected["options"][0]["holds_europe"]
    assert after != float(before or "nan")
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
    assert not errors, errors


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
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    hosts: set[str] = set()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:

            def new_page(url: str) -> Any:
                page = browser.new_page(viewport={"width": 360, "height": 800})
                page.add_init_script(path=str(AXE))
                page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(url)
                page.wait_for_function(_SETTLED, timeout=60_000)
                page.wait_for_function(_FIGURES_DRAWN, timeout=60_000)
                return page

            page = new_page(server)
            assert page.get_by_role("link", name="Stored runs").get_attribute("href") == "runs"
            titles = page.locator("#figure-list h3").all_text_contents()
            assert "What each option buys per EUR bn" in titles
            described = page.locator("#figure-map").get_attribute("aria-describedby")
            assert page.locator(f"#{described}").text_content()
            drawn = page.evaluate(_MAP_VALUES)
            # The figures follow a slider.
            _move(page, "crisis.rate_nato", 10)
            page.wait_for_function(
                f"(before) => ({_MAP_VALUES})() !== before && ({_FIGURES_DRAWN})()",
                arg=drawn,
                timeout=60_000,
            )
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
            for width in (360, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                page.wait_for_function(_SETTLED, timeout=30_000)
                # plotly redraws each chart to its new width after a resize: let it finish.
                page.wait_for_timeout(1_000)
                page.wait_for_function(_PLOTS_SHOWN, timeout=30_000)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(ARTIFACTS / f"web-compare-{width}.png"), full_page=True)
                violations = page.evaluate(AXE_RUN)
                blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
                assert not blocking, f"axe-core at {width} px: {blocking}"
            # The shared address reopens the same comparison, with the same numbers.
            again = new_page(shared)
            again.wait_for_function(
                "() => !document.getElementById('side-a').hidden", timeout=60_000
            )
            assert again.evaluate(_TABLE_VALUES, "headline-a") == a_values
            assert again.evaluate(_TABLE_VALUES, "headline") == b_values
            # Clearing the comparison leaves B alone, and the address without A.
            again.get_by_role("button", name="Clear comparison").click()
            assert again.locator("#side-a").is_hidden()
            assert "a=" not in again.url
        finally:
            browser.close()
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
    assert not errors, errors
