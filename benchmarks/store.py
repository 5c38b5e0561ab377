"""The cost of keeping a run: the same ensemble with and without a run store.

Run: ``python benchmarks/store.py [--samples 100000] [--repeat 3]``.

Each measurement is a fresh process (``python -m umbrella run``-like: the flagship, all
options, one process), alternating in-memory and stored runs so that both see the same
machine state; the best time of each is reported, and their ratio (stored / in memory),
with the CPU time of each (the store encodes, hashes and writes chunks on a second thread
while the model computes the next: the wall-time ratio is near 1 only where a core is free,
so the load average is printed too).
Stored runs go to a new store folder each time, in a temporary folder (``--dir`` to choose
the disk).

With ``--steps``, first the store's own costs for one chunk of the flagship (its futures and
outcomes as the ensemble hands them over), step by step as the writer thread takes them:
conversion to Arrow, the value checks, Parquet encoding, SHA-256, writing and ``fsync`` of
each file, the folder sync and the chunk record; CPU time (the best of ``--step-repeat``)
and wall time (``fsync`` waits for the disk without using the CPU), and bytes per future.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

CHILD = """
import json, sys, time
from umbrella.explore.ensemble import run_ensemble
from umbrella.model import load_scenario
from umbrella.store import RunStore
if __name__ == "__main__":
    n, folder = int(sys.argv[1]), sys.argv[2]
    scenario = load_scenario()
    store = RunStore(folder) if folder else None
    start, cpu = time.perf_counter(), time.process_time()
    run_ensemble(scenario, n, seed=1, store=store)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu}))
"""


def measure(n: int, store: Path | None) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), "" if store is None else str(store)],
        capture_output=True,
        text=True,
        check=True,
    )
    row = json.loads(done.stdout.strip().splitlines()[-1])
    return float(row["seconds"]), float(row["cpu"])


def steps(folder: Path, repeat: int) -> None:
    """Print the store's CPU and wall time per step for one chunk of the flagship."""
    from umbrella.explore.ensemble import evaluate_chunk, scenario_text
    from umbrella.model import load_scenario
    from umbrella.settings import CHUNK_SIZE
    from umbrella.store import files
    from umbrella.store.checks import futures_problem, outcomes_problem

    scenario = load_scenario()
    frames = evaluate_chunk(scenario_text(scenario), str(scenario.path), 0, CHUNK_SIZE, 1, "lhs")
    n = len(frames[0])
    print(
        f"one chunk: {n:,} futures x {len(frames[1]) // n} options; futures "
        f"{frames[0].shape[1]} columns, outcomes {frames[1].shape[1]} columns"
    )
    rows: list[tuple[str, float, float]] = []

    def step(label: str, call: Callable[[], Any]) -> Any:
        cpus, walls, result = [], [], None
        for _ in range(repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            result = call()
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        rows.append((label, min(cpus), min(walls)))
        return result

    size = 0
    kinds: tuple[tuple[files.Kind, Callable[..., Any]], ...] = (
        ("futures", futures_problem),
        ("outcomes", outcomes_problem),
    )
    for (kind, check), frame in zip(kinds, frames, strict=True):
        path = folder / files.chunk_name(kind, 0)
        table = step(f"{kind}: to Arrow", partial(files.to_table, frame, kind))
        step(f"{kind}: checks", partial(check, table, 0, n))
        data = step(f"{kind}: Parquet", partial(files.encode_frame, table, kind))
        step(f"{kind}: SHA-256", partial(files.sha256, data))
        step(f"{kind}: write, fsync", partial(files.write_bytes, data, path, sync_folder=False))
        size += len(data)
    step("folder sync", partial(files.sync_folder_of, folder / "chunk"))
    step("chunk record", partial(files.write_text, "{}" * 200, folder / "chunk-00000.json"))
    for label, cpu, wall in rows:
        print(f"  {label:22s} CPU {cpu * 1e3:7.2f} ms   wall {wall * 1e3:7.2f} ms")
    cpu, wall = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(
        f"  {'per chunk':22s} CPU {cpu * 1e3:7.2f} ms   wall {wall * 1e3:7.2f} ms: "
        f"{cpu / n * 1e6:.1f} us CPU and {size / n:,.0f} bytes per future"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="Where to put the stores.")
    parser.add_argument("--steps", action="store_true", help="First, the costs of one chunk.")
    parser.add_argument("--step-repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.samples:,} futures")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.steps:
        with tempfile.TemporaryDirectory(dir=args.dir) as folder:
            steps(Path(folder), args.step_repeat)
    memory: list[tuple[float, float]] = []
    stored: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for index in range(args.repeat):
            memory.append(measure(args.samples, None))
            stored.append(measure(args.samples, Path(folder) / f"store-{index}"))
            print(
                f"  try {index + 1}: in memory {memory[-1][0]:6.2f} s "
                f"(CPU {memory[-1][1]:6.2f} s), stored {stored[-1][0]:6.2f} s "
                f"(CPU {stored[-1][1]:6.2f} s)"
            )
    best_memory, best_stored = min(memory), min(stored)
    print(
        f"best: in memory {best_memory[0]:.2f} s, stored {best_stored[0]:.2f} s, "
        f"ratio {best_stored[0] / best_memory[0]:.3f} (CPU time ratio "
        f"{best_stored[1] / best_memory[1]:.3f}: writing runs beside the model on a free core)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
