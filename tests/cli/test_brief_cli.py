"""``umbrella brief`` says where it kept its run, or keeps nothing with ``--no-store``."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app
from umbrella.report.build import PHASES

runner = CliRunner()
SMALL = ["--samples", "1000", "--sobol-base", "32", "--format", "md"]


@pytest.fixture(autouse=True)
def _plain_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress as plain lines, whatever the environment says about colour."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "FORCE_TERMINAL"):
        monkeypatch.delenv(name, raising=False)


def test_no_store_leaves_no_run_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["brief", *SMALL, "--no-store"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief"]
    assert "the run was not stored: --no-store" in result.stdout
    assert "--run" not in result.stdout
    assert "**" not in result.stdout
    # Without a terminal, the progress is one line per phase on stderr, and nothing else.
    lines = result.stderr.splitlines()
    assert [re.sub(r" \(\d+\.\d s\)$", "", line) for line in lines] == [
        f"brief: {name}" for name in PHASES
    ]


def test_a_stored_brief_names_its_run_and_how_to_reopen_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["brief", *SMALL, "--store", "my runs", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    found = re.search(r"Brief of run (\S+) written", result.stdout)
    assert found is not None
    run_id = found.group(1)
    again = f"umbrella brief --run {run_id} --store 'my runs'"
    assert f"Run {run_id} is stored in my runs; to write its brief again: {again}" in (
        result.stdout
    )
    assert (tmp_path / "my runs").is_dir()
    assert "**" not in result.stdout
    reopened = runner.invoke(app, [*shlex.split(again)[1:], "--format", "md", "--quiet"])
    assert reopened.exit_code == 0, reopened.output
    assert f"Brief of run {run_id} written" in reopened.stdout


def test_no_store_with_a_stored_run_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["brief", "--run", "some-run", "--no-store"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --no-store: --run reads a stored run; give its --store instead"
    ]
