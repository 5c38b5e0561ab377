"""``POST /api/assess`` gives the numbers of ``umbrella assess --json``, exactly, for the
same scenario, assumptions, stress, futures and seed."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from umbrella.model.layout import Layout, layout
from umbrella.model.scenario import flagship_path, parse_scenario
from umbrella.web.engine import SLIDERS, scenario_names, shipped, what_if

SAMPLES, SEED = 200, 7
OVERRIDES = {"crisis.rate_nato": 0.08, "challenger.resolve_nato": 0.3}
STRESS = ("us-exit", 2031)


def test_assess_equals_the_command_line(client: TestClient, tmp_path: Path) -> None:
    # The scenario file a user would write for the same what-if: each assumption fixed.
    raw = yaml.safe_load(flagship_path().read_text(encoding="utf-8"))
    raw["assumptions"] = dict(raw.get("assumptions") or {}) | {
        name: {"default": v, "low": v, "high": v} for name, v in OVERRIDES.items()
    }
    scenario = tmp_path / "what-if.yaml"
    scenario.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "umbrella",
        "assess",
        str(scenario),
        "--samples",
        str(SAMPLES),
        "--seed",
        str(SEED),
        "--stress",
        f"{STRESS[0]}:{STRESS[1]}",
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)

    response = client.post(
        "/api/assess",
        json={
            "samples": SAMPLES,
            "seed": SEED,
            "overrides": OVERRIDES,
            "stress": {STRESS[0]: STRESS[1]},
        },
    )
    assert response.status_code == 200, response.text
    api = response.json()
    assert api["options"] == cli["options"]  # every figure, bit for bit
    assert api["definitions"] == cli["definitions"]
    for key in ("scenario", "samples", "seed", "first_year", "last_year"):
        assert api[key] == cli[key]


def _same_layout(a: Layout, b: Layout) -> None:
    for field in fields(Layout):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, dict):
            assert x.keys() == y.keys(), field.name
            for key in x:
                np.testing.assert_array_equal(x[key], y[key], err_msg=field.name)
        else:
            np.testing.assert_array_equal(x, y, err_msg=field.name)


@pytest.mark.parametrize("name", scenario_names())
def test_a_what_if_is_exactly_the_scenario_its_text_says(name: str) -> None:
    """The what-if reuses its shipped scenario's layout and is read once: the scenario, its
    layout and its uncertainties are those of its own text read afresh by the loader, for
    every stress of the scenario and overrides of every slider."""
    from umbrella.explore.ensemble import prepare
    from umbrella.explore.sampling import uncertainties

    base = shipped(name)
    overrides = {
        key: (base.registry[key].low + base.registry[key].high) / 3
        for key in SLIDERS
        if key in base.registry
    }
    stress = {s.id: base.start_year + 2 for s in base.stresses}
    none: dict[str, int] = {}
    for fixed, years in ((none, none), (overrides, none), (none, stress), (overrides, stress)):
        kept = what_if(name, fixed, years)
        assert kept.text is not None
        assert kept.path == base.path
        fresh = parse_scenario(kept.text, str(base.path))
        assert fresh.registry == kept.registry
        grid = prepare(kept)
        _same_layout(grid, layout(fresh))
        assert [a.name for a in uncertainties(fresh.registry.values())] == [
            a.name for a in uncertainties(kept.registry.values())
        ]


def test_an_abandoned_assessment_stops_at_its_next_chunk() -> None:
    """A what-if the page no longer wants (its client gone) stops between two chunks of
    its ensemble, and the watcher of a request sets the flag once the client has gone."""
    import asyncio
    import threading

    from umbrella.web.engine import AbandonedError, compute
    from umbrella.web.routes.model import _watch

    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(AbandonedError, match="after 2,048 of 10,000 futures"):
        compute("europe-2026", {}, {}, 10_000, 1, cancelled=cancelled)
    assert compute("europe-2026", {}, {}, 100, 1, cancelled=threading.Event())["options"]

    class Gone:
        def __init__(self) -> None:
            self.asked = 0

        async def is_disconnected(self) -> bool:
            self.asked += 1
            return self.asked >= 3  # gone at the third look

    async def watched() -> tuple[bool, int]:
        flag = threading.Event()
        client = Gone()
        work = asyncio.get_running_loop().create_future()
        await _watch(client, flag, work)  # type: ignore[arg-type]
        return flag.is_set(), client.asked

    assert asyncio.run(watched()) == (True, 3)
