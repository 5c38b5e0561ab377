"""``umbrella game`` from the command line, and its agreement with Gambit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.games import FAMILIES, Family

runner = CliRunner()
RUDIMENTARY = [
    "--set",
    "a_cf=-2",
    "--set",
    "a_sq=0",
    "--set",
    "a_cw=1",
    "--set",
    "b_cf_soft=1",
    "--set",
    "b_cw=2",
    "--set",
    "b_cf_hard=3",
    "--set",
    "b_sq=4",
]


def _sets(family: Family) -> list[str]:
    return [f"--set={k}={v}" for k, v in family.examples[0].parameters.items()]


def test_list_and_show() -> None:
    listed = runner.invoke(app, ["game", "list"])
    assert listed.exit_code == 0
    for name in FAMILIES:
        assert name in listed.stdout
    shown = runner.invoke(app, ["game", "show", "rudimentary"])
    assert "a_cf < a_sq < a_cw" in shown.stdout
    assert "Zagare" in shown.stdout


def test_solve_prints_the_default_and_every_equilibrium() -> None:
    result = runner.invoke(
        app, ["game", "solve", "rudimentary", *RUDIMENTARY, "--set", "p_hard=1/5", "--json"]
    )
    assert result.exit_code == 0, result.output
    solved = json.loads(result.stdout)
    assert solved["default"]["class"] == "challenge"
    assert solved["default"]["outcome"]["CF"] == pytest.approx(0.2)
    assert solved["thresholds"]["credibility"] == pytest.approx(1 / 3)
    text = runner.invoke(app, ["game", "solve", "rudimentary", *RUDIMENTARY, "--set", "p_hard=1/5"])
    assert "default equilibrium 'challenge'" in text.stdout


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"a_sq": "5"}, "ordering a_cf < a_sq < a_cw does not hold"),
        ({"p_hard": "1.5"}, "ordering 0 < p_hard < 1 does not hold"),
        ({"p_hard": "lots"}, "'lots' is not a number"),
        ({"colour": "1"}, "unknown parameter(s) colour"),
        ({"p_hard": None}, "missing parameter(s) p_hard"),
    ],
)
def test_bad_parameters_get_one_line(changes: dict[str, str | None], message: str) -> None:
    values: dict[str, str | None] = {
        "a_cf": "-2",
        "a_sq": "0",
        "a_cw": "1",
        "b_cf_soft": "1",
        "b_cw": "2",
        "b_cf_hard": "3",
        "b_sq": "4",
        "p_hard": "0.2",
    }
    values |= changes
    args = [f"--set={k}={v}" for k, v in values.items() if v is not None]
    result = runner.invoke(app, ["game", "solve", "rudimentary", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_a_setting_without_value_gets_one_line() -> None:
    result = runner.invoke(app, ["game", "solve", "rudimentary", "--set", "p_hard"])
    assert result.exit_code == 2
    assert "write NAME=VALUE" in result.stderr


def test_unknown_family_and_missing_file(tmp_path: Path) -> None:
    for args in (
        ["game", "solve", "chicken"],
        ["game", "show", "chicken"],
        ["game", "solve", "--efg", str(tmp_path / "none.efg")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_efg_gets_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.efg"
    broken.write_text('EFG 2 R "x" { "A" \n p "" 1 1', encoding="utf-8")
    result = runner.invoke(app, ["game", "solve", "--efg", str(broken)])
    assert result.exit_code == 2
    assert "not a valid Gambit game file" in result.stderr


@pytest.mark.parametrize("family", FAMILIES.values(), ids=list(FAMILIES))
def test_solve_agrees_with_gambit_on_the_exported_file(family: Family, tmp_path: Path) -> None:
    target = tmp_path / f"{family.name}.efg"
    exported = runner.invoke(
        app, ["game", "export", family.name, *_sets(family), "-o", str(target)]
    )
    assert exported.exit_code == 0, exported.output
    assert target.read_text(encoding="utf-8").startswith("EFG 2 R")

    ours = json.loads(
        runner.invoke(app, ["game", "solve", family.name, *_sets(family), "--json"]).stdout
    )
    gambit = json.loads(
        runner.invoke(app, ["game", "solve", "--efg", str(target), "--json"]).stdout
    )

    equilibria = [eq["outcome"] for eq in ours["equilibria"]]
    for row in gambit["equilibria"]:
        found = row["outcome"]
        assert any(
            all(found.get(k, 0.0) == pytest.approx(eq.get(k, 0.0), abs=1e-9) for k in eq)
            for eq in equilibria
        ), (found, equilibria)
