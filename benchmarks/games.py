"""Closed-form game solving vs pygambit, side by side in one run.

Run: ``python benchmarks/games.py [--instances 1000000] [--gambit 200]``.

For every family it times the vectorised ``solve`` on ``--instances`` random valid instances
(median of 5 runs, one thread) and pygambit on ``--gambit`` of them (build the tree + solve,
``lcp_solve`` exact and float), and reports instances per second and their ratios. The
instances are the family's first worked example with every payoff jittered by up to 0.25
and probabilities and signal costs drawn uniformly, so all equilibrium classes occur.

At 10^6 instances a solve is bound by memory: most of its time goes to the first touch of
the fresh pages its output arrays need. Two closed-form figures are therefore reported:
"cold", with the C library's default allocator, which returns large blocks to the system
after each call (a one-off solve), and "warm", with the allocator told to keep freed memory
(``mallopt``), as in an ensemble that solves chunk after chunk in one process.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
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


def keep_freed_memory() -> bool:
    """Tell glibc to keep freed blocks for reuse (no mmap per array, no trimming)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    m_trim_threshold, m_mmap_threshold = -1, -3
    big = 1 << 30
    return bool(libc.mallopt(m_mmap_threshold, big)) and bool(libc.mallopt(m_trim_threshold, big))


def time_closed_form(family: Family, params: dict[str, np.ndarray]) -> float:
    runs = []
    for _ in range(5):
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
    samples = {f.name: random_instances(f, args.instances, seed=1) for f in FAMILIES.values()}
    cold = {name: time_closed_form(FAMILIES[name], p) for name, p in samples.items()}
    warm_allocator = keep_freed_memory()
    warm = {name: time_closed_form(FAMILIES[name], p) for name, p in samples.items()}
    print(
        f"closed form at {args.instances:,} instances; pygambit lcp_solve on {args.gambit} "
        f"(tree built + solved); warm allocator: {'yes' if warm_allocator else 'unavailable'}"
    )
    header = (
        "family",
        "cold /s",
        "warm /s",
        "lcp exact /s",
        "warm/exact",
        "cold/exact",
        "lcp float /s",
        "warm/float",
    )
    print("".join(f"{h:>14}" for h in header))
    for family in FAMILIES.values():
        sample = {k: v[: args.gambit] for k, v in samples[family.name].items()}
        exact = time_gambit(family, sample, rational=True)
        floating = time_gambit(family, sample, rational=False)
        hot, first = warm[family.name], cold[family.name]
        row = (
            family.name,
            f"{first:.3g}",
            f"{hot:.3g}",
            f"{exact:.4g}",
            f"{hot / exact:.3g}",
            f"{first / exact:.3g}",
            f"{floating:.4g}",
            f"{hot / floating:.3g}",
        )
        print("".join(f"{cell:>14}" for cell in row))


if __name__ == "__main__":
    main()
