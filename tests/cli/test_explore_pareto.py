"""``umbrella explore RUN --pareto``: the trade-offs table of a stored run, the same figures
in every format as :func:`umbrella.explore.tradeoffs.tradeoffs`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.explore.run import open_run, run
from umbrella.explore.tradeoffs import OBJECTIVES, tradeoffs
from umbrella.model import load_scenario
from umbrella.store import RunStore

runner = CliRunner()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A stored flagship run of 1,000 futures: (run id, store folder)."""
    folder = tmp_path_factory.mktemp("pareto-runs")
    done = run(load_scenario(None), 1000, 3, store=RunStore(folder))
    assert done.run_id is not None
    return done.run_id, str(folder)


def explore(stored: tuple[str, str], *args: str) -> tuple[int, str]:
    run_id, store = stored
    result = runner.invoke(
        app, ["explore", run_id, "--store", store, "--quiet", *args], env={"COLUMNS": "120"}
    )
    return result.exit_code, result.output


def test_every_format_gives_the_module_s_figures(stored: tuple[str, str]) -> None:
    run_id, store = stored
    expected = tradeoffs(open_run(run_id, store))
    code, output = explore(stored, "--pareto", "--format", "csv")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [r["option"] for r in rows] == list(expected.index)
    beaten_by = expected["dominated_on_mean_by"].to_dict()
    for row in rows:
        share = float(row["share_efficient"])
        assert share == pytest.approx(expected.loc[row["option"], "share_efficient"], abs=1e-12)
        assert row["dominated_on_mean_by"] == ";".join(beaten_by[row["option"]])
    code, output = explore(stored, "--pareto", "--json")
    assert code == 0, output
    payload = json.loads(output)["tradeoffs"]
    assert payload["n_futures"] == expected.attrs["n_futures"] == 1000
    assert set(payload["objectives"]) == set(OBJECTIVES)
    for objective in payload["objectives"].values():
        assert objective["unit"]
        assert objective["definition"]
    shares = {r["option"]: r["share_efficient"] for r in payload["options"]}
    assert shares == pytest.approx(expected["share_efficient"].to_dict(), abs=1e-12)
    assert shares["status-quo"] == 1.0  # it costs nothing and acts at once: never beaten


def test_the_table_names_units_and_says_efficient_is_not_recommended(
    stored: tuple[str, str],
) -> None:
    code, output = explore(stored, "--pareto")
    assert code == 0, output
    table = output[output.index("trade-offs over 1,000 futures") :]
    assert "EUR bn" in table
    assert "probability" in table
    assert "Efficient is not recommended" in " ".join(table.split())
    assert "status-quo" in table


def test_csv_gives_one_table(stored: tuple[str, str]) -> None:
    code, output = explore(stored, "--pareto", "--voi", "--format", "csv")
    assert code == 2
    assert "one table" in output
