"""Closed-form game solving vs pygambit, side by side in one run.

Run: ``python benchmarks/games.py [--instances 1000000] [--gambit 200]``.

For every family it times the vectorised ``solve`` on ``--instances`` random valid instances
(median of 3 runs, one thread) and pygambit on ``--gambit`` of them (build the tree + solve,
``lcp_solve`` exact and float), and reports instances per second and their ratio. The
instances are the family's first worked example with every payoff jittered by up to 0.25
and probabilities and signal costs drawn uniformly, so all equilibrium classes occur.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from importlib.metadata import version

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from umbrella.games import FAMILIES, Family
from umbrella.games.family import broadcast, validity


def random_instances(family: Family, n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` valid instances near the family's first worked example."""
    rng = np.random.default_rng(seed)
    base = {k: float(v) for k, v in family.examples[0].parameters.items()}
    kept: list[dict[str, np.ndarray]] = []
    total = 0
    while total < n:
        draw = {}
        for name, value in base.items():
            if name.startswith("p_"):
                draw[name] = rng.uniform(0.01, 0.99, n)
            elif name in ("a", "m"):
                draw[name] = rng.uniform(0.05, 4.0, n)
            else:
                draw[name] = value + rng.uniform(-0.25, 0.25, n)
        params = broadcast(family.name, family.parameter_names, draw)
        ok = validity(family.orderings, params)
        kept.append({k: v[ok] for k, v in params.items()})
        total += int(ok.sum())
    return {k: np.concatenate([c[k] for c in kept])[:n] for k in base}


def time_closed_form(family: Family, params: dict[str, np.ndarray]) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        family.solve(**params)
        runs.append(time.perf_counter() - start)
    return len(next(iter(params.values()))) / statistics.median(runs)


def time_gambit(family: Family, params: dict[str, np.ndarray], rational: bool) -> float:
    import pygambit as gbt

    n = len(next(iter(params.values())))
    rows = [{k: round(float(v[i]), 6) for k, v in params.items()} for i in range(n)]
    start = time.perf_counter()
    for row in rows:
        gbt.nash.lcp_solve(family.to_gambit(**row), rational=rational)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--gambit", type=int, default=200)
    args = parser.parse_args()
    print(
        f"umbrella {version('umbrella')}, numpy {np.__version__}, "
        f"pygambit {version('pygambit')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (one thread used)"
    )
    print(
        f"{'family':<14} {'closed form /s':>15} {'gambit lcp exact /s':>20} "
        f"{'ratio':>10} {'gambit lcp float /s':>20} {'ratio':>10}"
    )
    for family in FAMILIES.values():
        params = random_instances(family, args.instances, seed=1)
        fast = time_closed_form(family, params)
        sample = {k: v[: args.gambit] for k, v in params.items()}
        exact = time_gambit(family, sample, rational=True)
        floating = time_gambit(family, sample, rational=False)
        print(
            f"{family.name:<14} {fast:>15.3g} {exact:>20.4g} {fast / exact:>10.3g} "
            f"{floating:>20.4g} {fast / floating:>10.3g}"
        )


if __name__ == "__main__":
    main()
