"""How an ensemble process uses the C allocator.

A chunk's arithmetic allocates and frees dozens of arrays of a few MiB each. With glibc's
default settings, arrays that large are mapped from the kernel when allocated and handed
back when freed, and touching the fresh pages costs more than the arithmetic on them (the
flagship's model ran at half speed). Raising the allocator's mapping and trimming thresholds
keeps freed memory in the process for the next chunk: memory use is then the largest chunk's
working set, which is what a process holds at its peak anyway.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

__all__ = ["KEEP_BYTES", "keep_freed_memory"]

KEEP_BYTES = 2**30
"""Arrays below this size come from (and go back to) the process heap."""

# mallopt(3) parameter numbers in glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


@cache
def keep_freed_memory() -> bool:
    """Keep freed memory for reuse in this process; False where the C library is not glibc.

    Dask workers get the same settings through their environment
    (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``), set before they start.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, KEEP_BYTES) and mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES))
