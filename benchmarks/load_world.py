"""How long loading the shipped world takes (target: under 1 s).

Run: ``python benchmarks/load_world.py``. Reports the cold time (a fresh interpreter:
imports, YAML parsing, validation) and the warm time of ``load_world`` in this process,
as medians over repeats.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

REPEATS = 5
COLD = (
    "import time; t = time.perf_counter(); import umbrella; w = umbrella.load_world(); "
    "w.actors; w.events; print(time.perf_counter() - t)"
)


def main() -> None:
    import umbrella

    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(REPEATS)
    ]
    warm = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        world = umbrella.load_world()
        world.actors, world.events, world.commitment_edges  # noqa: B018 - build the frames
        warm.append(time.perf_counter() - start)
    records = sum(len(r) for r in world.records.values())
    print(
        f"umbrella {umbrella.__version__}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, {records} records"
    )
    print(
        f"load_world cold (fresh interpreter, imports included): "
        f"median {statistics.median(cold):.3f} s over {REPEATS}"
    )
    print(f"load_world warm (frames built): median {statistics.median(warm):.3f} s over {REPEATS}")


if __name__ == "__main__":
    main()
