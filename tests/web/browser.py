"""What the browser tests share: ``umbrella serve`` started for real on a free loopback port,
Chromium through Playwright (skipped where either is missing, unless
``UMBRELLA_REQUIRE_BROWSER=1``), axe-core, and the watch over every request and console error.
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

AXE = Path(__file__).parents[1] / "report" / "assets" / "axe.min.js"
"""axe-core, shipped with the tests (MPL-2.0, its licences beside it)."""
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
"""Where the browser tests leave their screenshots."""

#: Runs axe-core over the page and returns its violations, each with a few of its elements.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
}"""

#: The hosts a page may ask: loopback only.
LOOPBACK = {"127.0.0.1", "localhost"}

#: Chromium's switches for a headless run in a container.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def post_json(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@dataclass
class Served:
    """A running ``umbrella serve``: its address, and what it printed once stopped."""

    url: str
    port: int
    output: str = ""


@contextmanager
def serve(store: Path) -> Iterator[Served]:
    """``umbrella serve`` over ``store`` on a free port, once it answers; stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "UMBRELLA_TOKEN"}
    process = subprocess.Popen(
        [sys.executable, "-m", "umbrella", "serve", "--port", str(port), "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    served = Served(url=f"http://127.0.0.1:{port}/", port=port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_json(served.url + "api/scenarios")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield served
    finally:
        process.terminate()
        served.output, _ = process.communicate(timeout=20)


def chromium() -> str:
    """Chromium's executable, where it and the playwright package are installed."""
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


@contextmanager
def browser() -> Iterator[Any]:
    """Headless Chromium (a Playwright ``Browser``); skips the test where there is none."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watch:
    """Every host asked and every console error of the pages (or contexts) watched."""

    hosts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    # Console errors a test expects (the text each contains): a response the test provokes,
    # such as a 503 from a server that sheds a request the page then asks again.
    expected: tuple[str, ...] = ()

    def requests(self, target: Any) -> None:
        """Records the host of every request of a page or a browser context."""
        target.on("request", lambda request: self.hosts.add(urlsplit(request.url).hostname or ""))

    def console(self, page: Any) -> None:
        """Records a page's console errors and uncaught exceptions."""
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def page(self, page: Any) -> None:
        """Both, for one page."""
        self.requests(page)
        self.console(page)

    def assert_clean(self) -> None:
        """Only loopback asked, and no console error but those expected."""
        assert self.hosts <= LOOPBACK, self.hosts
        unexpected = [e for e in self.errors if not any(x in e for x in self.expected)]
        assert not unexpected, unexpected


def assert_accessible(page: Any, width: int) -> None:
    """No serious or critical axe-core violation on the page as it is now (at ``width`` px)."""
    violations = page.evaluate(AXE_RUN)
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not blocking, f"axe-core at {width} px: {blocking}"


def new_page(browser: Any, url: str, watch: Watch, width: int = 360) -> Any:
    """A page of ``browser`` at ``width`` px, watched, with axe-core, opened at ``url``."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    # axe-core as a script of every document the page opens: the page's own
    # Content-Security-Policy (scripts from this server only) stays in force.
    page.add_init_script(path=str(AXE))
    watch.page(page)
    page.goto(url)
    return page
