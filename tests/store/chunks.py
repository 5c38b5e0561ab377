"""Chunks of a small fake ensemble, the same in the test process and in a child process."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from umbrella.store import RunStore

N_SAMPLES = 130  # three chunks, the last one short
CHUNK_SIZE = 50
OPTIONS = ("status_quo", "french_umbrella")
UNCERTAINTIES = ("resolve", "cost_share")
SCENARIO = "name: fake\noptions: [status_quo, french_umbrella]\n"

SETTINGS: dict[str, Any] = {
    "scenario_name": "fake",
    "scenario_hash": "0123456789abcdef",
    "scenario_text": SCENARIO,
    "data_version": "fedcba9876543210",
    "seed": 7,
    "n_samples": N_SAMPLES,
    "chunk_size": CHUNK_SIZE,
    "sampler": "lhs",
    "package_version": "0.1.0",
    "options": list(OPTIONS),
    "uncertainties": list(UNCERTAINTIES),
}


def new_run(store: RunStore, **changes: Any) -> str:
    """A new run with the fake settings (some changed)."""
    return store.create_run(**{**SETTINGS, **changes})


def make_chunk(
    chunk: int, *, chunk_size: int = CHUNK_SIZE, n_samples: int = N_SAMPLES, shift: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Futures and outcomes of one chunk, determined by its index (outcomes + ``shift``)."""
    start, stop = chunk * chunk_size, min((chunk + 1) * chunk_size, n_samples)
    rng = np.random.default_rng(chunk)
    futures = pd.DataFrame({"future": np.arange(start, stop, dtype=np.int64)})
    for name in UNCERTAINTIES:
        futures[name] = rng.random(stop - start)
    outcomes = pd.DataFrame(
        {
            "future": np.repeat(futures["future"].to_numpy(), len(OPTIONS)),
            "option": list(OPTIONS) * (stop - start),
        }
    )
    outcomes["deterrence_prob"] = rng.random(len(outcomes)) + shift
    outcomes["cost_eur_bn"] = rng.random(len(outcomes)) * 10.0 + shift
    return futures, outcomes


def expected(chunks: list[int], **kwargs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``load`` returns for these chunks: concatenated, sorted by future (and option)."""
    made = [make_chunk(chunk, **kwargs) for chunk in chunks]
    futures = pd.concat([f for f, _ in made], ignore_index=True)
    outcomes = pd.concat([o for _, o in made], ignore_index=True)
    return (
        futures.sort_values("future", kind="stable", ignore_index=True),
        outcomes.sort_values(["future", "option"], kind="stable", ignore_index=True),
    )


def write_all(store: RunStore, run_id: str, *, shift: float = 0.0) -> None:
    """Write every chunk of a run and finish it."""
    for chunk in range(-(-N_SAMPLES // CHUNK_SIZE)):
        store.write_chunk(run_id, chunk, *make_chunk(chunk, shift=shift))
    store.finish_run(run_id)
