"""``POST /api/assess`` gives the numbers of ``umbrella assess --json``, exactly, for the
same scenario, assumptions, stress, futures and seed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from umbrella.model.scenario import flagship_path

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
