"""How long `umbrella assess` takes on the flagship: its central future and the default
ensemble of 10,000 futures (target: under 10 s from a fresh process on two cores).

Run: ``python benchmarks/assess.py``. Reports the whole ``umbrella assess`` command in a
fresh process (imports, data, scenario, model, printing) and ``umbrella.assess()`` in
this process, as medians over repeats.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

REPEATS = 5


def main() -> None:
    import umbrella

    command = [sys.executable, "-m", "umbrella", "assess"]
    whole = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        whole.append(time.perf_counter() - start)
    umbrella.assess()
    warm = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        umbrella.assess()
        warm.append(time.perf_counter() - start)
    print(
        f"umbrella {umbrella.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    print(
        f"`umbrella assess` (flagship, fresh process): median "
        f"{statistics.median(whole):.2f} s over {REPEATS}"
    )
    print(f"umbrella.assess() in process: median {statistics.median(warm):.3f} s over {REPEATS}")


if __name__ == "__main__":
    main()
