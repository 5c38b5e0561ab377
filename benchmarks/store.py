"""The cost of keeping a run: the same ensemble with and without a run store.

Run: ``python benchmarks/store.py [--samples 100000] [--repeat 3]``.

Each measurement is a fresh process (``python -m umbrella run``-like: the flagship, all
options, one process), alternating in-memory and stored runs so that both see the same
machine state; the best time of each is reported, and their ratio (stored / in memory).
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
    start = time.perf_counter()
    run_ensemble(scenario, n, seed=1, store=store)
    print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def measure(n: int, store: Path | None) -> float:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), "" if store is None else str(store)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="Where to put the stores.")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.samples:,} futures")
    memory: list[float] = []
    stored: list[float] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for index in range(args.repeat):
            memory.append(measure(args.samples, None))
            stored.append(measure(args.samples, Path(folder) / f"store-{index}"))
            print(f"  try {index + 1}: in memory {memory[-1]:6.2f} s, stored {stored[-1]:6.2f} s")
    best_memory, best_stored = min(memory), min(stored)
    print(
        f"best: in memory {best_memory:.2f} s, stored {best_stored:.2f} s, "
        f"ratio {best_stored / best_memory:.3f}"
    )


if __name__ == "__main__":
    main()
