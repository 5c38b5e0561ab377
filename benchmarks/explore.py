"""Ensembles: umbrella against EMA Workbench, scaling, memory, and Dask workers.

Run: ``python benchmarks/explore.py [--ema 10000] [--sizes 100000 1000000] [--workers]``.

1. The same model and the same futures through umbrella's ensemble and through
   ``ema_workbench.perform_experiments`` with the ``SequentialEvaluator`` (umbrella's model
   wrapped by ``umbrella.ema.as_model``, one future per call as EMA evaluates): outcomes
   must agree, and the ratio of futures per second is reported. Both sides start from a
   loaded scenario in a warm process; umbrella's time includes drawing the futures, EMA's
   does not (it is handed umbrella's). Each side is the best of several runs (seven for
   umbrella, two for EMA).
2. umbrella alone on the flagship (all options) at each size, each in a fresh process:
   futures per second and peak memory (maximum resident set size).
3. With ``--workers``: 1 against 2 Dask worker processes on the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np

CHILD = """
import json, resource, sys, time
from umbrella.explore.ensemble import run_ensemble
if __name__ == "__main__":
    n, workers = int(sys.argv[1]), (int(sys.argv[2]) or None)
    start = time.perf_counter()
    run_ensemble(None, n, seed=1, workers=workers)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "seconds": seconds, "peak_mib": peak}))
"""


def compare_with_ema(n: int) -> None:
    from ema_workbench import Scenario as EmaScenario
    from ema_workbench import SequentialEvaluator, perform_experiments

    from umbrella.ema import as_model, to_ema
    from umbrella.explore.ensemble import run_ensemble
    from umbrella.model import load_scenario

    # Both sides start from a loaded scenario and a warm process: the timers measure the
    # evaluation of n futures, not imports or the first parse of the data.
    # Each side is the best of several runs, as timeit reports: seven for umbrella (well
    # under a second each), two for EMA (n calls each, seconds long).
    scenario = load_scenario()
    run_ensemble(scenario, 2048, seed=11, keep=True)
    ours = np.inf
    for _ in range(7):
        start = time.perf_counter()
        run = run_ensemble(scenario, n, seed=11, keep=True)
        ours = min(ours, time.perf_counter() - start)
    if run.futures is None or run.outcomes is None:
        raise RuntimeError("the run kept no detail")
    experiments, outcomes = to_ema(run.futures, run.outcomes)

    model = as_model(scenario)
    scenarios = [EmaScenario(**row) for row in experiments.to_dict(orient="records")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with SequentialEvaluator(model) as evaluator:
            perform_experiments(model, scenarios[:100], evaluator=evaluator)
            peer = np.inf
            for _ in range(2):
                start = time.perf_counter()
                _, theirs = perform_experiments(model, scenarios, evaluator=evaluator)
                peer = min(peer, time.perf_counter() - start)
    worst = max(float(np.max(np.abs(theirs[k] - v))) for k, v in outcomes.items())
    print(
        f"[1] {n:,} futures x {len(run.scenario.options)} options: umbrella {n / ours:,.0f} "
        f"futures/s, EMA SequentialEvaluator {n / peer:,.0f} futures/s, ratio "
        f"{peer / ours:,.0f}x; largest outcome difference {worst:.1e}"
    )


def scaling(sizes: list[int], workers: int) -> list[dict[str, float]]:
    rows = []
    for n in sizes:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"    {n:>12,} futures, {workers or 'no'} Dask workers: "
            f"{row['seconds']:8.1f} s, {n / row['seconds']:10,.0f} futures/s, "
            f"peak memory {row['peak_mib']:7.0f} MiB"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ema", type=int, default=10_000)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--workers", action="store_true")
    args = parser.parse_args()
    print(
        f"umbrella {version('umbrella')}, ema_workbench {version('ema_workbench')}, "
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {resource.getpagesize()} B pages"
    )
    if args.ema:
        compare_with_ema(args.ema)
    if args.sizes:
        print("[2] umbrella alone, flagship, all options, one process:")
        scaling(args.sizes, 0)
    if args.workers and args.sizes:
        print("[3] Dask LocalCluster:")
        one = scaling(args.sizes[-1:], 1)[0]
        two = scaling(args.sizes[-1:], 2)[0]
        print(f"    speed-up of 2 workers over 1: {one['seconds'] / two['seconds']:.2f}x")


if __name__ == "__main__":
    main()
