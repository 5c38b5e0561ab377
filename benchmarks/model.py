"""The one model: against EMA Workbench, and against an earlier version of itself.

Run: ``python benchmarks/model.py [--ema 10000] [--size 1000000] [--baseline 5cff94f]``.

1. The same 10^4 futures through umbrella's ensemble and through EMA Workbench's
   ``SequentialEvaluator`` (umbrella's model wrapped by ``umbrella.ema.as_model``, one future
   per call as EMA evaluates): outcomes must agree; the ratio of futures per second is
   reported (benchmarks/explore.py, part 1, measures the same way).
2. The flagship ensemble of ``--size`` futures (all options, one process, no store), with
   this tree's model and with the model of the ``--baseline`` commit (its ``src`` extracted
   by ``git archive`` into a temporary folder), each in a fresh process, alternating, best of
   ``--repeats`` runs each: futures per second of both, and their ratio.
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
from umbrella.explore.ensemble import run_ensemble
n = int(sys.argv[1])
start = time.perf_counter()
run_ensemble(None, n, seed=1)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def _timed(source: Path, n: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(source))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def against_baseline(n: int, baseline: str, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", baseline, "src"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        old = Path(folder) / "src"
        new = ROOT / "src"
        times: dict[str, list[float]] = {"baseline": [], "now": []}
        for _ in range(repeats):
            times["baseline"].append(_timed(old, n))
            times["now"].append(_timed(new, n))
    best = {k: min(v) for k, v in times.items()}
    rate = {k: n / v for k, v in best.items()}
    print(
        f"[2] {n:,} futures, flagship, all options, one process (best of {repeats}): "
        f"baseline {baseline} {rate['baseline']:,.0f} futures/s, now {rate['now']:,.0f} "
        f"futures/s; now / baseline = {rate['now'] / rate['baseline']:.2f}"
    )
    print(f"    every time (s): {json.dumps(times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ema", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--baseline", default="5cff94f")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from importlib.metadata import version

    print(
        f"umbrella {version('umbrella')}, ema_workbench {version('ema_workbench')}, "
        f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores"
    )
    if args.ema:
        sys.path.insert(0, str(Path(__file__).parent))
        from explore import compare_with_ema

        compare_with_ema(args.ema)
    if args.size:
        against_baseline(args.size, args.baseline, args.repeats)


if __name__ == "__main__":
    main()
