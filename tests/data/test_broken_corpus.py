"""Each deliberately broken file gets its own one-line message and exit code 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from umbrella.cli.app import app

CORPUS = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
runner = CliRunner()


def _expected(case: Path) -> str:
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{case.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ")


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem.split(".")[0] for c in CORPUS])
def test_broken_file_gets_one_clear_line(case: Path, overlay: Path) -> None:
    table = case.name.split(".")[1]
    target = overlay / f"{table}.yaml"
    shutil.copy(case, target)

    result = runner.invoke(app, ["data", "check", "--data", str(overlay)])

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{target}:"), lines[0]
    assert lines[0].removeprefix(f"{target}:").startswith(_expected(case)), lines[0]


@pytest.mark.parametrize("case", CORPUS[:3], ids=[c.stem.split(".")[0] for c in CORPUS[:3]])
def test_show_refuses_broken_data_in_one_line(case: Path, overlay: Path) -> None:
    shutil.copy(case, overlay / f"{case.name.split('.')[1]}.yaml")

    result = runner.invoke(app, ["data", "show", "actors", "--data", str(overlay)])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
