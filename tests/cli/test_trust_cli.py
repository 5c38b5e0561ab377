"""``umbrella trust`` from the command line, mounted on a small app (as cli/app.py will)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from umbrella.cli import trust

runner = CliRunner()
mounted = typer.Typer()
mounted.add_typer(trust.app, name="trust")
registered = typer.Typer()
registered.command("trust")(trust.trust_command)


@mounted.callback()
def _root() -> None:
    """A stand-in for the umbrella root command."""


@registered.callback()
def _other_root() -> None:
    """A stand-in for the umbrella root command."""


@pytest.mark.parametrize("app", [mounted, registered])
def test_table_of_general_trust_and_directly_concerned_pairs(app: typer.Typer) -> None:
    result = runner.invoke(
        app,
        [
            "trust",
            "--guarantor",
            "usa",
            "--from",
            "2024-12",
            "--to",
            "2025-04",
            "--every",
            "month",
            "--hand",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2025-03 │ 0.46 (0.31-0.61)" in result.stdout
    assert "USA->UKR" in result.stdout
    assert "0.40 (2025-03)" in result.stdout  # Ukraine's lowest point
    assert "GBR" not in result.stdout


def test_default_table_has_every_guarantor_by_quarter() -> None:
    result = runner.invoke(mounted, ["trust", "--from", "2025-01", "--to", "2025-12"])
    assert result.exit_code == 0, result.output
    for text in ("USA", "GBR", "FRA", "2025-03", "2025-06", "2025-12", "FRA->POL"):
        assert text in result.stdout
    assert "│ 2025-05 │" not in result.stdout  # quarterly rows only


def test_json_records() -> None:
    result = runner.invoke(
        mounted, ["trust", "-g", "USA", "--from", "2025-02", "--to", "2025-03", "--json"]
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    by_key = {(r["view"], r["month"]): r for r in records}
    assert by_key["others", "2025-03"]["mean"] < by_key["others", "2025-02"]["mean"]
    march = by_key["UKR", "2025-03"]
    assert march["low"] < march["mean"] < march["high"]
    assert march["mean"] == pytest.approx(march["alpha"] / (march["alpha"] + march["beta"]))
    assert {r["guarantor"] for r in records} == {"USA"}


def test_set_changes_an_assumption() -> None:
    args = ["trust", "-g", "USA", "--from", "2025-03", "--to", "2025-03", "--json"]
    default = json.loads(runner.invoke(mounted, args).stdout)
    prior = json.loads(runner.invoke(mounted, [*args, "--set", "trust.prior_mean_usa=0.25"]).stdout)
    assert prior[0]["mean"] < default[0]["mean"]


def test_plot_writes_a_png(tmp_path: Path) -> None:
    target = tmp_path / "trust.png"
    result = runner.invoke(mounted, ["trust", "--from", "2024-06", "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--guarantor", "DEU"], "--guarantor 'DEU': unknown guarantor"),
        (["--from", "2025-13"], "--from '2025-13': expected a month as YYYY-MM"),
        (["--to", "March"], "--to 'March': expected a month as YYYY-MM"),
        (["--from", "2025-05", "--to", "2025-01"], "--from 2025-05 is after --to 2025-01"),
        (["--json", "--plot", "x.png"], "give --json or --plot, not both"),
        (["--plot", "trust.txt"], "--plot trust.txt: the file must end in"),
        (["--every", "week"], "--every 'week'"),
        (["--set", "trust.unknown=1"], "unknown assumption(s) trust.unknown"),
        (["--set", "trust.spillover=2"], "trust.spillover: must lie in [0, 1]"),
        (["--set", "trust.spillover"], "write NAME=VALUE"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(mounted, ["trust", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
