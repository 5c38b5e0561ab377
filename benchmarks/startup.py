"""How fast the command line starts, and how much memory the brief needs at its peak.

Run: ``python benchmarks/startup.py [--no-brief]``. Targets: ``umbrella --version`` and
``umbrella data show actors`` under 0.5 s (wall, median of 5 runs in fresh processes);
``umbrella brief`` (the flagship, default ensemble) under 600 MB of peak resident memory,
read from the process's own high-water mark (``VmHWM`` in /proc, Linux). ``umbrella assess``
(the flagship, default ensemble) and the brief are also reported with their wall time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5
COMMANDS = {
    "umbrella --version": ["--version"],
    "umbrella data show actors": ["data", "show", "actors"],
}
TARGET_SECONDS = 0.5
TARGET_BRIEF_MB = 600


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "umbrella", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _high_water_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in text.splitlines() if "VmHWM" in line), 0)


def _peak_mb(args: list[str], cwd: str) -> tuple[float, float]:
    """Peak resident memory (MB) and wall time (s) of ``umbrella ARGS``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "umbrella", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _high_water_kb(process.pid))
        time.sleep(0.05)
    if process.returncode:
        raise SystemExit(f"umbrella {' '.join(args)} failed with exit code {process.returncode}")
    return peak / 1024, time.perf_counter() - start


def main() -> None:
    import umbrella

    print(
        f"umbrella {umbrella.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    for label, args in COMMANDS.items():
        _timed(args)  # warm the file cache and numba's on-disk cache
        times = [_timed(args) for _ in range(REPEATS)]
        median = statistics.median(times)
        verdict = "meets" if median < TARGET_SECONDS else "misses"
        print(
            f"{label}: median {median:.3f} s over {REPEATS} (min {min(times):.3f}); "
            f"{verdict} the {TARGET_SECONDS} s target"
        )
    if "--no-brief" in sys.argv:
        return
    with tempfile.TemporaryDirectory() as folder:
        peak, wall = _peak_mb(["assess"], folder)
        print(
            f"umbrella assess (flagship, default ensemble): peak {peak:.0f} MB, {wall:.1f} s wall"
        )
        peak, wall = _peak_mb(["brief", "--out", "brief", "--store", "runs"], folder)
    verdict = "meets" if peak < TARGET_BRIEF_MB else "misses"
    print(
        f"umbrella brief (flagship, default ensemble): peak {peak:.0f} MB, {wall:.1f} s wall; "
        f"{verdict} the {TARGET_BRIEF_MB} MB target"
    )


if __name__ == "__main__":
    main()
