"""``umbrella runs`` from the command line, mounted on a small app (as cli/app.py will)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.store.chunks import make_chunk, new_run, write_all
from umbrella.cli import runs
from umbrella.store import RunStore

runner = CliRunner()
app = typer.Typer()
app.add_typer(runs.app, name="runs")


@app.callback()
def _root() -> None:
    """A stand-in for the umbrella root command."""


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunStore, str, str, str]:
    """A store (read only by the tests) with three runs, oldest first: a and b complete
    (b with another seed and outcomes shifted by 0.25), c failed after one chunk."""
    store = RunStore(tmp_path_factory.mktemp("cli") / "umbrella-runs")
    a = new_run(store)
    write_all(store, a)
    b = new_run(store, seed=8)
    write_all(store, b, shift=0.25)
    c = new_run(store, scenario_name="other")
    store.write_chunk(c, 0, *make_chunk(0))
    store.fail_run(c, "stopped: ValueError: [bad] input")
    return store, a, b, c


def _invoke(store: RunStore, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["runs", *args, "--store", str(store.path)])
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_every_run(stored: tuple[RunStore, str, str, str]) -> None:
    store, a, b, c = stored
    code, out, _ = _invoke(store, "list")
    assert code == 0, out
    for text in (a, b, c, "complete", "failed", "130 / 130", "50 / 130", "other"):
        assert text in out
    assert out.index(c) < out.index(b) < out.index(a)


def test_list_json(stored: tuple[RunStore, str, str, str]) -> None:
    store, a, b, c = stored
    code, out, _ = _invoke(store, "list", "--json")
    assert code == 0, out
    records = json.loads(out)
    assert [r["run_id"] for r in records] == [c, b, a]
    assert records[1]["seed"] == 8
    assert records[1]["options"] == ["status_quo", "french_umbrella"]
    assert records[1]["finished_at"].endswith("+00:00")
    assert records[1]["reason"] is None
    assert records[0]["reason"] == "stopped: ValueError: [bad] input"


def test_list_of_an_empty_store(tmp_path: Path) -> None:
    code, out, _ = _invoke(RunStore(tmp_path / "nothing"), "list")
    assert code == 0
    assert "no runs in" in out
    code, out, _ = _invoke(RunStore(tmp_path / "nothing"), "list", "--json")
    assert json.loads(out) == []


def test_show_one_run(stored: tuple[RunStore, str, str, str]) -> None:
    store, a, _, _ = stored
    code, out, _ = _invoke(store, "show", a)
    assert code == 0, out
    for text in (a, "complete", "scenario_hash", "0123456789abcdef", "chunks_done"):
        assert text in out
    code, out, _ = _invoke(store, "show", a, "--json")
    record = json.loads(out)
    assert (record["status"], record["n_chunks"], record["futures_done"]) == ("complete", 3, 130)


def test_show_a_failed_run_with_its_reason(stored: tuple[RunStore, str, str, str]) -> None:
    store, _, _, c = stored
    code, out, _ = _invoke(store, "show", c)
    assert code == 0, out
    assert "failed" in out
    assert "stopped: ValueError: [bad] input" in out  # brackets are text, not markup


@pytest.mark.parametrize(
    "args",
    [["show", "unknown-id"], ["diff", "unknown-id", "other-id"], ["show", "2025"]],
)
def test_unknown_run_is_one_line_and_exit_2(
    stored: tuple[RunStore, str, str, str], args: list[str]
) -> None:
    store = stored[0]
    code, out, err = _invoke(store, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"error: no run '{args[1]}' in {store.path}")
    assert "see `umbrella runs list`" in err
    assert "Traceback" not in out + err


def test_diff_table(stored: tuple[RunStore, str, str, str]) -> None:
    store, a, b, _ = stored
    code, out, _ = _invoke(store, "diff", a, b)
    assert code == 0, out
    for text in ("seed", "7", "8", "french_umbrella", "deterrence_prob", "+0.25"):
        assert text in out
    code, out, _ = _invoke(store, "diff", a, a)
    assert "same metadata" in out
    assert "+0.25" not in out


def test_diff_json(stored: tuple[RunStore, str, str, str]) -> None:
    store, a, b, _ = stored
    code, out, _ = _invoke(store, "diff", a, b, "--json")
    assert code == 0, out
    diff = json.loads(out)
    assert diff["metadata"] == {"seed": {"a": 7, "b": 8}}
    assert len(diff["outcomes"]) == 4
    assert all(abs(c["difference"] - 0.25) < 1e-12 for c in diff["outcomes"])


def test_diff_of_an_unfinished_run_is_refused(stored: tuple[RunStore, str, str, str]) -> None:
    store, a, _, c = stored
    code, _, err = _invoke(store, "diff", a, c)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "only complete runs can be compared" in err
