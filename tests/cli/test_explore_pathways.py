"""``umbrella explore RUN --pathways``: the steps of a stored run's pathways, the same figures
in every format as :func:`umbrella.explore.pathways.pathways`, and one line where the
scenario has none."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.cli.explore import pathway_payload, pathway_records
from umbrella.explore.pathways import FIELDS, pathways
from umbrella.explore.run import open_run, run
from umbrella.model import load_scenario
from umbrella.store import RunStore

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pathway-runs")


@pytest.fixture(scope="module")
def staged(store: Path) -> str:
    """A stored run of the scenario with pathways, 600 futures: its id."""
    done = run(load_scenario("europe-2026-portfolios"), 600, 5, store=RunStore(store))
    assert done.run_id is not None
    return done.run_id


@pytest.fixture(scope="module")
def flagship(store: Path) -> str:
    """A stored run of the flagship, which has no pathways: its id."""
    done = run(load_scenario(None), 200, 5, store=RunStore(store))
    assert done.run_id is not None
    return done.run_id


def explore(store: Path, run_id: str, *args: str, columns: int = 200) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["explore", run_id, "--store", str(store), "--quiet", *args],
        env={"COLUMNS": str(columns)},
    )
    return result.exit_code, result.output


def test_the_table_shows_every_pathway_and_step(store: Path, staged: str) -> None:
    expected = pathways(open_run(staged, store))
    code, output = explore(store, staged, "--pathways")
    assert code == 0, output
    shown = output[output.index(f"Run {staged}: pathway steps over 600 futures") :]
    for pathway in dict.fromkeys(expected["pathway"]):
        assert pathway in shown
    for row in expected.to_dict("records"):
        assert row["option"] in shown
        if row["assumption"]:
            assert f"{row['assumption']}" in shown
            assert f"by {row['read_by']}" in shown
        assert f"{row['fired']:.0%}" in shown
    assert "pathways on holds_europe" in shown
    assert "regret" in " ".join(shown.split())
    assert f"least mean regret is {expected.attrs['best_single']}" in " ".join(shown.split())


def test_a_narrow_terminal_still_fits(store: Path, staged: str) -> None:
    code, output = explore(store, staged, "--pathways", columns=60)
    assert code == 0, output
    assert max(len(line) for line in output.splitlines()) <= 60


def test_a_scenario_without_pathways_says_so_in_one_line(store: Path, flagship: str) -> None:
    code, output = explore(store, flagship, "--pathways")
    assert code == 0, output
    said = [line for line in output.splitlines() if "has no pathways" in line]
    assert said == [
        f"Run {flagship}: the scenario europe-2026 has no pathways (options with a step that "
        'waits for a signpost; docs/options.md, "Pathways").'
    ]
    assert "pathway steps" not in output
    code, output = explore(store, flagship, "--pathways", "--format", "csv")
    assert code == 0, output
    assert output.splitlines() == [",".join(FIELDS)]
    code, output = explore(store, flagship, "--pathways", "--json")
    assert code == 0, output
    payload = json.loads(output)["pathways"]
    assert payload["steps"] == []
    assert payload["best_single"] is None
    assert payload["scenario"] == "europe-2026"


def test_csv_and_json_give_the_module_s_figures(store: Path, staged: str) -> None:
    expected = pathways(open_run(staged, store))
    code, output = explore(store, staged, "--pathways", "--format", "csv")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert list(rows[0]) == list(FIELDS)
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected.to_dict("records"), strict=True):
        assert row["pathway"] == want["pathway"]
        assert int(row["step"]) == want["step"]
        assert float(row["fired"]) == pytest.approx(want["fired"], abs=1e-9)
        assert float(row["mean_regret"]) == pytest.approx(want["mean_regret"], abs=1e-9)
        assert row["beats_singles"] == ("true" if want["beats_singles"] else "false")
        assert row["read_by"] == ("" if not want["assumption"] else str(want["read_by"]))
    code, output = explore(store, staged, "--pathways", "--json")
    assert code == 0, output
    payload = json.loads(output)["pathways"]
    assert payload == json.loads(json.dumps(pathway_payload(expected)))
    assert payload["steps"] == pathway_records(expected)
    assert payload["n_futures"] == 600
    assert list(payload["columns"]) == list(FIELDS)
    for column in payload["columns"].values():
        assert column["unit"]
        assert column["definition"]


def test_csv_gives_one_table(store: Path, staged: str) -> None:
    code, output = explore(store, staged, "--pathways", "--pareto", "--format", "csv")
    assert code == 2
    assert "--pathways" in output
