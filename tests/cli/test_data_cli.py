"""``umbrella data`` from the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"umbrella {umbrella.__version__}"


def test_check_passes_on_shipped_data() -> None:
    result = runner.invoke(app, ["data", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_show_json_with_filters() -> None:
    result = runner.invoke(
        app,
        [
            "data",
            "show",
            "events",
            "--json",
            "--filter",
            "kind=withholding",
            "--filter",
            "date>=2025-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows
    assert all(r["kind"] == "withholding" and r["date"] >= "2025-01-01" for r in rows)


def test_show_filters_lists_and_numbers() -> None:
    result = runner.invoke(
        app, ["data", "show", "actors", "--json", "-f", "defence_pct_gdp>=3", "-f", "region=europe"]
    )
    rows = json.loads(result.stdout)
    assert rows
    assert all(r["defence_pct_gdp"]["value"] >= 3 for r in rows)
    hosts = runner.invoke(app, ["data", "show", "deployments", "--json", "-f", "hosts=DEU"])
    assert all("DEU" in r["hosts"] for r in json.loads(hosts.stdout))


def test_show_table_renders() -> None:
    result = runner.invoke(app, ["data", "show", "forces"])
    assert result.exit_code == 0
    assert "FRA-2025" in result.stdout


def _csv(args: list[str]) -> dict[str, dict[str, str]]:
    result = runner.invoke(app, ["data", "show", *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


def test_show_agreements_and_elections_as_columns() -> None:
    for _ in range(2):  # read and checked, then from the cache
        options = runner.invoke(app, ["data", "show", "options", "--format", "csv"])
        assert options.exit_code == 0, options.output
        assert "governments=[" not in options.stdout
        row = _csv(["options"])["uk-france-coordination"]
        assert row["agreement_governments"] == "GBR;FRA"
        assert "agreement" not in row
        actors = runner.invoke(app, ["data", "show", "actors", "--format", "csv"])
        assert "office=" not in actors.stdout
        france = _csv(["actors"])["FRA"]
        assert (france["elections_next"], france["elections_every_years"]) == ("2027", "5")
        assert _csv(["actors"])["AUT"]["elections_next"] == ""
    table = runner.invoke(
        app,
        ["data", "show", "options", "--columns", "agreement_governments"],
        env={"COLUMNS": "200"},
    )
    assert table.exit_code == 0, table.output
    assert "GBR, FRA" in table.stdout
    assert "governments=[" not in table.stdout
    chosen = _csv(["actors", "--columns", "elections_next", "-f", "elections_next=2027"])
    assert "FRA" in chosen
    assert all(row["elections_next"] == "2027" for row in chosen.values())


def test_show_bad_requests_get_one_line() -> None:
    for args in (
        ["data", "show", "nukes"],
        ["data", "show", "actors", "-f", "colour=red"],
        ["data", "show", "actors", "-f", "nonsense"],
        ["data", "show", "actors", "--columns", "name,colour"],
        ["data", "cite", "no-such-record"],
        ["data", "check", "--data", "/no/such/folder"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.output


def test_cite_a_source_and_an_event(world: umbrella.World) -> None:
    event_id = world.events.index[0]
    result = runner.invoke(app, ["data", "cite", event_id])
    assert result.exit_code == 0
    assert "Sources:" in result.stdout
    source_id = world.sources.index[0]
    assert runner.invoke(app, ["data", "cite", source_id]).stdout.startswith(f"[{source_id}]")


def test_console_script_reports_errors_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "events.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "umbrella", "data", "check", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith(f"{tmp_path / 'events.yaml'}:-:-: YAML syntax error")
