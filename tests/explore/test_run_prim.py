"""PRIM on a large run analyses a seeded subsample, the same one every time."""

from __future__ import annotations

import umbrella


def test_prim_subsamples_large_runs_reproducibly() -> None:
    run = umbrella.run(samples=3_000, seed=4, store=None)
    first = run.prim("status-quo", max_futures=1_000)
    again = run.prim("status-quo", max_futures=1_000)
    whole = run.prim("status-quo", max_futures=None)
    assert first.n_futures == 1_000
    assert whole.n_futures == 3_000
    assert first.n_failures == again.n_failures
    assert first.box.equals(again.box)
