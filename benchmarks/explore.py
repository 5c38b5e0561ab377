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
4. With ``--cluster [N]`` (N futures, default 10^7): a Dask LocalCluster of two worker
   processes, in a fresh process, without a store (``--cluster-store``: with one, in a
   temporary folder). Reported: the client process's resident memory sampled over the run
   (its peak up to 10% and 50% of the futures against the whole run: flat, whatever N),
   wall time, worker compute (the tasks' compute seconds summed, over the number of
   workers) and their ratio, the number of tasks, the overhead per task (worker-seconds not
   spent computing, per task, cluster start-up included), and the bytes each task sends
   back (pickled), per task and per future. Only this section:
   ``python benchmarks/explore.py --ema 0 --sizes --cluster 1000000``.
5. With ``--baseline [COMMIT]`` (default 5f2f212, the model before it was compiled into one
   kernel): that commit's ``src`` (``git archive``) against the working tree, on the same
   ``--baseline-size`` futures (default 100,000), each in fresh processes, alternating,
   after one warm-up run of each (which also fills numba's cache): the best wall and CPU
   time of each and their ratio. Both use the installed dependencies.
6. With ``--stored``: the same ensemble in memory and into a run store, alternating fresh
   processes (as ``benchmarks/store.py`` does), best of three each, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from importlib.metadata import version
from pathlib import Path

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

CLUSTER_CHILD = """
import json, os, pickle, resource, sys, tempfile, threading, time
from pathlib import Path
from umbrella.explore import ensemble
from umbrella.explore.ensemble import Aggregates, run_ensemble
from umbrella.store import RunStore


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    n, workers, stored = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    folder = tempfile.mkdtemp() if stored else None
    store = None if folder is None else RunStore(folder)
    done, samples, tasks, merging = [0], [], [], [0.0]
    start = time.perf_counter()
    stop = threading.Event()

    def sample():
        while not stop.wait(0.25):
            samples.append((done[0], rss_mib()))

    def progress(futures, total):
        done[0] = futures

    received, merge = ensemble._result_of, Aggregates.merge

    def spy(future):
        result = received(future)
        arrived = time.perf_counter() - start
        size = len(pickle.dumps(result))
        tasks.append((arrived, result.seconds, result.cpu_seconds, result.futures, size))
        return result

    def timed_merge(self, other):
        begun = time.perf_counter()
        merge(self, other)
        merging[0] += time.perf_counter() - begun

    ensemble._result_of, Aggregates.merge = spy, timed_merge
    threading.Thread(target=sample, daemon=True).start()
    run_ensemble(None, n, seed=1, workers=workers, store=store, progress=progress)
    seconds = time.perf_counter() - start
    stop.set()

    def peak(share):
        return max((m for d, m in samples if d <= share * n), default=float("nan"))

    written = 0 if folder is None else sum(p.stat().st_size for p in Path(folder).rglob("*"))
    first = min(tasks)
    print(json.dumps({
        "n": n, "workers": workers, "seconds": seconds, "startup": first[0] - first[1],
        "compute": sum(t[1] for t in tasks), "cpu": sum(t[2] for t in tasks),
        "tasks": len(tasks), "largest_task": max(t[3] for t in tasks),
        "returned": sum(t[4] for t in tasks), "merge": merging[0], "written": written,
        "rss_10": peak(0.1), "rss_50": peak(0.5), "rss_all": peak(1.0), "rss_end": rss_mib(),
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
"""


def cluster(n: int, workers: int, stored: bool) -> dict[str, float]:
    """Section 4: ``n`` futures on a LocalCluster of ``workers`` processes."""
    before = os.getloadavg()
    done = subprocess.run(
        [sys.executable, "-c", CLUSTER_CHILD, str(n), str(workers), "1" if stored else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    after = os.getloadavg()
    row: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    compute = row["compute"] / workers
    running = row["seconds"] - row["startup"]
    overhead = (workers * running - row["compute"]) / row["tasks"]
    print(
        f"    {n:,} futures, {workers} workers, {'stored' if stored else 'no store'}: "
        f"wall {row['seconds']:.1f} s (cluster start-up {row['startup']:.1f} s), "
        f"worker compute {compute:.1f} s, ratio {row['seconds'] / compute:.3f}x "
        f"({running / compute:.3f}x after start-up)\n"
        f"    {row['tasks']:,} tasks (largest {row['largest_task']:,.0f} futures), "
        f"{row['compute'] / row['tasks']:.2f} s of compute each; overhead "
        f"{overhead * 1000:.1f} ms per task (worker-seconds outside tasks after start-up, "
        f"per task); client merge {row['merge'] / row['tasks'] * 1000:.2f} ms per task\n"
        f"    throughput per worker: {n / row['compute']:,.0f} futures/s of task time, "
        f"{n / row['cpu']:,.0f} futures/s of CPU time (the tasks' CPU time is "
        f"{row['cpu'] / row['compute']:.0%} of their wall time)\n"
        f"    returned {row['returned'] / row['tasks']:,.0f} B per task, "
        f"{row['returned'] / n:.3f} B per future"
        + (f"; written {row['written'] / n:,.1f} B per future" if stored else "")
        + "\n"
        f"    client RSS: peak {row['rss_10']:.0f} MiB up to 10% of the futures, "
        f"{row['rss_50']:.0f} MiB up to 50%, {row['rss_all']:.0f} MiB over the run, "
        f"{row['rss_end']:.0f} MiB at the end (ru_maxrss {row['maxrss']:.0f} MiB)\n"
        f"    load average (1, 5, 15 min) before {before[0]:.2f} {before[1]:.2f} "
        f"{before[2]:.2f}, after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}"
    )
    return row


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


TIMED_CHILD = """
import json, sys, time
from umbrella.explore.ensemble import run_ensemble
from umbrella.model import load_scenario
if __name__ == "__main__":
    n, folder = int(sys.argv[1]), sys.argv[2]
    scenario = load_scenario()
    store = None
    if folder:
        from umbrella.store import RunStore
        store = RunStore(folder)
    start, cpu = time.perf_counter(), time.process_time()
    run_ensemble(scenario, n, seed=1, store=store)
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""


def _timed(n: int, *, src: str | None = None, folder: str = "") -> tuple[float, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    done = subprocess.run(
        [sys.executable, "-c", TIMED_CHILD, str(n), folder],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    row = json.loads(done.stdout.strip().splitlines()[-1])
    return float(row["seconds"]), float(row["cpu"])


def baseline(commit: str, n: int, rounds: int = 3) -> None:
    """The working tree against ``commit``'s model, alternating fresh processes."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", commit, "src"], capture_output=True, check=False
        )
        if archive.returncode:
            print(f"    no git history with commit {commit} here: skipped")
            return
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        src = str(Path(folder) / "src")
        _timed(min(n, 4096), src=src)  # warm-up: numba's cache, the file cache
        _timed(min(n, 4096))
        then, now = [], []
        for _ in range(rounds):
            then.append(_timed(n, src=src))
            now.append(_timed(n))
    wall = min(t[0] for t in then) / min(t[0] for t in now)
    cpu = min(t[1] for t in then) / min(t[1] for t in now)
    print(
        f"[5] {n:,} futures, one process, no store: commit {commit} "
        f"{n / min(t[0] for t in then):,.0f} futures/s, now {n / min(t[0] for t in now):,.0f} "
        f"futures/s: {wall:.2f}x wall ({cpu:.2f}x CPU time); load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def stored(n: int, rounds: int = 3) -> None:
    """The same ensemble in memory and into a run store, alternating fresh processes."""
    memory, kept = [], []
    with tempfile.TemporaryDirectory() as folder:
        for k in range(rounds):
            memory.append(_timed(n))
            kept.append(_timed(n, folder=str(Path(folder) / f"store-{k}")))
    ratio = min(t[0] for t in kept) / min(t[0] for t in memory)
    cpu = min(t[1] for t in kept) / min(t[1] for t in memory)
    print(
        f"[6] {n:,} futures: in memory {min(t[0] for t in memory):.2f} s, stored "
        f"{min(t[0] for t in kept):.2f} s: {ratio:.3f}x wall ({cpu:.3f}x CPU time); load "
        f"average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ema", type=int, default=10_000)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--workers", action="store_true")
    parser.add_argument("--cluster", type=int, nargs="?", const=10**7, default=None)
    parser.add_argument("--cluster-store", action="store_true")
    parser.add_argument("--baseline", nargs="?", const="5f2f212", default=None)
    parser.add_argument("--baseline-size", type=int, default=100_000)
    parser.add_argument("--stored", action="store_true")
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
    if args.cluster:
        print("[4] Dask LocalCluster, client memory and task overhead:")
        cluster(args.cluster, 2, args.cluster_store)
    if args.baseline:
        baseline(args.baseline, args.baseline_size)
    if args.stored:
        stored(args.baseline_size)


if __name__ == "__main__":
    main()
