"""``umbrella data export`` and ``umbrella data cite --format`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
from bibtexparser.entrypoint import parse_string
from typer.testing import CliRunner

import umbrella
from umbrella.cli.app import app

runner = CliRunner()


def test_export_datapackage(tmp_path: Path) -> None:
    out = tmp_path / "world"
    result = runner.invoke(app, ["data", "export", "--format", "datapackage", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out / "datapackage.json") in result.stdout
    assert (out / "sources.csv").is_file()
    assert frictionless.validate(out / "datapackage.json").valid
    references = (out / "actor_references.csv").read_text(encoding="utf-8")
    assert "options,uk-france-coordination,agreement.governments,GBR" in references
    options = (out / "options.csv").read_text(encoding="utf-8")
    assert "agreement_governments" in options.splitlines()[0]
    assert "governments=[" not in options


def test_export_with_an_overlay(tmp_path: Path, overlay: Path) -> None:
    out = tmp_path / "world"
    result = runner.invoke(app, ["data", "export", "--out", str(out), "--data", str(overlay)])
    assert result.exit_code == 0, result.output
    assert "test-source" in (out / "sources.csv").read_text(encoding="utf-8")


def test_cite_formats(world: umbrella.World) -> None:
    bibtex = runner.invoke(app, ["data", "cite", "GBR-2025", "--format", "bibtex"])
    assert bibtex.exit_code == 0, bibtex.output
    library = parse_string(bibtex.stdout)
    assert library.entries
    assert not library.failed_blocks
    csl = runner.invoke(app, ["data", "cite", "GBR-2025", "--format", "csl-json"])
    items = json.loads(csl.stdout)
    assert [i["id"] for i in items] == [e.key for e in library.entries]
    ris = runner.invoke(app, ["data", "cite", "GBR-2025", "--format", "ris"])
    assert ris.stdout.startswith("TY  - GEN")
    assert ris.stdout.rstrip("\n").endswith("ER  - ")
    text = runner.invoke(app, ["data", "cite", "GBR-2025", "--format", "text"])
    assert text.stdout == runner.invoke(app, ["data", "cite", "GBR-2025"]).stdout
    every = runner.invoke(app, ["data", "cite", "--format", "bibtex"])
    assert len(parse_string(every.stdout).entries) == len(world.sources)


def test_bad_requests_get_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    for args in (
        ["data", "cite", "GBR-2025", "--format", "apa"],
        ["data", "cite", "no-such-record", "--format", "bibtex"],
        ["data", "export", "--format", "xlsx", "--out", str(tmp_path / "x")],
        ["data", "export", "--out", str(taken)],
        ["data", "export", "--out", str(taken / "below")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.output


def test_help_offers_shell_completion() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout
    script = runner.invoke(app, ["--show-completion", "bash"])
    assert script.exit_code == 0
    assert "_UMBRELLA_COMPLETE" in script.stdout


def test_completion_completes_commands() -> None:
    env = {"_UMBRELLA_COMPLETE": "complete_bash", "COMP_WORDS": "umbrella data ex"}
    result = runner.invoke(app, [], env={**env, "COMP_CWORD": "2"}, prog_name="umbrella")
    assert result.exit_code == 0
    assert result.stdout.split() == ["export"]
