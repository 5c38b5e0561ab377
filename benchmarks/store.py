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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="Where to put the stores.")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.samples:,} futures")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
