"""A run of a scenario with its own data folder keeps a copy: it opens, resumes and briefs
again after the folder is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import umbrella
from umbrella.explore.run import open_run

SCENARIO = """\
name: andorra
title: Andorra under the umbrella
as_of: 2026-01-01
start_year: 2026
horizon: 2030
challenger: RUS
guarantors: [USA, GBR, FRA]
proteges: [AND, POL]
data: my-data
options: [status-quo, uk-france-coordination]
"""


def test_a_run_keeps_its_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "my-data"
    data.mkdir()
    (data / "actors.yaml").write_text(
        "- id: AND\n  name: Andorra\n  region: europe\n  nuclear_status: non_nuclear\n",
        encoding="utf-8",
    )
    path = tmp_path / "andorra.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    store = tmp_path / "runs"
    first = umbrella.run(path, samples=300, seed=2, store=store)
    assert first.run_id is not None
    outcomes = first.data()[1]
    shutil.rmtree(data)  # the original folder is gone; the run's copy remains

    again = open_run(first.run_id, store)
    assert again.scenario.world.actor("AND").name == "Andorra"
    assert "AND" in again.scenario.proteges
    assert again.data()[1].equals(outcomes)
    assert again.robustness().index.tolist() == ["status-quo", "uk-france-coordination"]
