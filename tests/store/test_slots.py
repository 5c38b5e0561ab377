"""Places shared between processes (``umbrella.store.locks.take_slot``): never more holders
than places, and a killed holder's place comes back."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from umbrella.store.locks import take_slot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


def test_no_more_holders_than_places(tmp_path: Path) -> None:
    first, second = take_slot(tmp_path, "runs", 2), take_slot(tmp_path, "runs", 2)
    assert first is not None
    assert second is not None
    assert first.path != second.path
    assert take_slot(tmp_path, "runs", 2) is None
    first.free()
    first.free()  # twice: nothing more
    again = take_slot(tmp_path, "runs", 2)
    assert again is not None
    assert again.path == first.path
    assert take_slot(tmp_path, "other", 1) is not None  # another name, other places


def test_a_killed_holder_frees_its_place(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from umbrella.store.locks import take_slot; "
            f"held = take_slot(Path({str(tmp_path)!r}), 'runs', 1); "
            "print('held' if held else 'none', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        assert take_slot(tmp_path, "runs", 1) is None  # held by the other process
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()
    deadline = time.monotonic() + 5
    taken = None
    while taken is None and time.monotonic() < deadline:
        taken = take_slot(tmp_path, "runs", 1)
        time.sleep(0.01)
    assert taken is not None
    taken.free()
