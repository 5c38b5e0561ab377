"""``umbrella explore RUN --voi``: the value-of-information table of a stored run."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.explore.run import open_run, run
from umbrella.explore.voi import evpi, net_benefit
from umbrella.model import load_scenario
from umbrella.store import RunStore

runner = CliRunner()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A stored flagship run of 2,000 futures: (run id, store folder)."""
    folder = tmp_path_factory.mktemp("voi-runs")
    done = run(load_scenario(None), 2000, 5, store=RunStore(folder))
    assert done.run_id is not None
    return done.run_id, str(folder)


def explore(stored: tuple[str, str], *args: str) -> tuple[int, str]:
    run_id, store = stored
    result = runner.invoke(app, ["explore", run_id, "--store", store, "--quiet", *args])
    return result.exit_code, result.output


def test_the_table_starts_with_evpi_and_names_the_unit(stored: tuple[str, str]) -> None:
    code, output = explore(stored, "--voi")
    assert code == 0, output
    assert "robustness on holds_europe" in output  # the usual table comes first
    table = output[output.index("value of information") :]
    lines = [line.strip() for line in table.splitlines() if line.strip()]
    rule = next(number for number, line in enumerate(lines) if line.startswith("─"))
    body = lines[rule + 1 :]
    assert body[0].startswith("all (EVPI)")
    assert any(line.startswith("option delivery") for line in body)
    assert "percentage points of the probability that deterrence holds" in " ".join(lines)
    assert "deterrence only" in table


def test_csv_is_one_row_per_group_evpi_first(stored: tuple[str, str]) -> None:
    code, output = explore(stored, "--voi", "--format", "csv")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert rows[0]["group"] == "all (EVPI)"
    assert {"US reliability", "Russian resolve", "crisis frequency"} <= {r["group"] for r in rows}
    total = float(rows[0]["evppi"])
    for row in rows[1:]:
        assert 0.0 <= float(row["evppi"]) <= total
        assert 0.0 <= float(row["changed"]) <= 1.0
    # Every uncertainty of the run in exactly one group, and the counts add up.
    names = [name for row in rows[1:] for name in row["assumptions"].split()]
    assert len(names) == len(set(names)) == int(rows[0]["n_assumptions"])
    assert sum(int(row["n_assumptions"]) for row in rows[1:]) == len(names)


def test_json_agrees_with_the_run(stored: tuple[str, str]) -> None:
    code, output = explore(stored, "--voi", "--json")
    assert code == 0, output
    payload = json.loads(output)
    voi = payload["voi"]
    futures, outcomes = open_run(*stored).data()
    table, options = net_benefit(outcomes, 0.0, futures["future"].to_numpy())
    assert voi["evpi"] == pytest.approx(evpi(table))
    assert voi["best_option"] == options[int(table.mean(axis=0).argmax())]
    assert voi["unit"].startswith("percentage points")
    assert voi["ungrouped"] == []
    assert voi["groups"][0]["evppi"] == voi["evpi"]
    assert payload["robustness"]  # the rest of explore's payload is still there


def test_a_cost_weight_changes_the_value(stored: tuple[str, str]) -> None:
    plain = json.loads(explore(stored, "--voi", "--json")[1])["voi"]
    code, output = explore(stored, "--voi", "--cost-weight", "0.1", "--json")
    assert code == 0, output
    costed = json.loads(output)["voi"]
    assert costed["cost_weight"] == 0.1
    assert costed["evpi"] != pytest.approx(plain["evpi"])


def test_explore_without_voi_is_unchanged(stored: tuple[str, str]) -> None:
    code, output = explore(stored, "--json")
    assert code == 0, output
    assert "voi" not in json.loads(output)
    code, output = explore(stored)
    assert "value of information" not in output


@pytest.mark.parametrize(
    "args",
    [
        ("--cost-weight", "0.1"),
        ("--voi", "--cost-weight", "-1"),
        ("--voi", "--cost-weight", "nan"),
        ("--voi", "--sobol", "--format", "csv"),
    ],
)
def test_misuse_is_one_line_and_exit_2(stored: tuple[str, str], args: tuple[str, ...]) -> None:
    code, output = explore(stored, *args)
    assert code == 2, output
    assert "error" in output.lower()
