"""Value of information: EVPPI of every assumption group on a stored run of 10^5 futures.

Run: ``python benchmarks/voi.py [--store DIR] [--run RUN_ID] [--samples 100000]
[--draws 200] [--cost-weight 0]``.

Without ``--run`` it makes a flagship run of ``--samples`` futures (seed 2026) in
``--store`` (default: a temporary folder, removed afterwards) with ``umbrella run``; with
``--run`` it reuses that stored run. It then reads the run's tables once (timed apart) and
times :func:`umbrella.explore.voi.evppi` for every reader group, ``--draws`` posterior draws
each, printing seconds per group, the total, and the EVPI and EVPPI in percentage points.
The target is under 60 s for all groups on two cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np


def make_run(store: Path, samples: int) -> str:
    """A flagship run of ``samples`` futures in ``store``: its id."""
    import json

    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "umbrella",
            "run",
            "--samples",
            str(samples),
            "--store",
            str(store),
            "--quiet",
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    print(f"umbrella run --samples {samples:,}: {time.perf_counter() - start:.1f} s")
    return str(json.loads(done.stdout)["run_id"])


def bench(store: Path, run_id: str, draws: int, cost_weight: float) -> None:
    from umbrella.explore.run import open_run
    from umbrella.explore.voi import assumption_groups, evpi, evppi, net_benefit

    stored = open_run(run_id, store)
    start = time.perf_counter()
    futures, outcomes = stored.data()
    print(
        f"read {len(futures):,} futures x {outcomes['option'].nunique()} options: "
        f"{time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    table, options = net_benefit(outcomes, cost_weight, futures["future"].to_numpy())
    total = evpi(table)
    print(
        f"net benefit and EVPI: {time.perf_counter() - start:.2f} s; EVPI {total:.4f} "
        f"percentage points; best now: {options[int(table.mean(axis=0).argmax())]}"
    )
    groups = assumption_groups([str(c) for c in futures.columns if c != "future"])
    print(f"{'group':<24} {'n':>3} {'seconds':>8} {'EVPPI':>8} {'95% interval':>17} {'changed':>8}")
    overall = time.perf_counter()
    for group, members in groups.items():
        phi = futures[members].to_numpy(dtype=float)
        seed = np.random.SeedSequence(stored.seed, spawn_key=(zlib.crc32(group.encode()),))
        start = time.perf_counter()
        result = evppi(table, phi, draws=draws, seed=seed)
        seconds = time.perf_counter() - start
        print(
            f"{group:<24} {len(members):>3} {seconds:>8.2f} {result.value:>8.4f} "
            f"{result.low:>8.4f}-{result.high:<8.4f} {result.changed:>8.1%}"
        )
    print(f"all {len(groups)} groups: {time.perf_counter() - overall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--run", default=None)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--cost-weight", type=float, default=0.0)
    args = parser.parse_args()
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"OMP_NUM_THREADS={threads}, Python {platform.python_version()}"
    )
    if args.run is not None:
        if args.store is None:
            parser.error("--run needs --store")
        bench(args.store, args.run, args.draws, args.cost_weight)
        return
    with tempfile.TemporaryDirectory(prefix="umbrella-voi-") as scratch:
        store = args.store if args.store is not None else Path(scratch)
        run_id = make_run(store, args.samples)
        bench(store, run_id, args.draws, args.cost_weight)


if __name__ == "__main__":
    main()
