"""Fixtures the report tests share: one small stored flagship run and its briefs."""

from __future__ import annotations

from pathlib import Path

import pytest

from umbrella.explore.run import run as run_ensemble
from umbrella.model.scenario import flagship_path, load_scenario
from umbrella.report import Brief, write_brief
from umbrella.settings import DEFAULT_SEED

FUTURES = 1_000


@pytest.fixture(scope="session")
def briefs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Brief]]:
    """The English and the Ukrainian brief of one small stored flagship run."""
    root = tmp_path_factory.mktemp("briefs")
    store = root / "runs"
    run = run_ensemble(load_scenario(flagship_path()), FUTURES, DEFAULT_SEED, store=store)
    assert run.run_id is not None
    written = {
        code: write_brief(run_id=run.run_id, store=store, out=root / code, lang=code, sobol_base=16)
        for code in ("en", "uk")
    }
    return store, run.run_id, written
