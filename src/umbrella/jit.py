"""The one way the project compiles its numerical loops (numba, cached on disk).

:func:`compiled` for functions called from compiled code or with whole arrays;
:func:`ufunc` for NumPy ufuncs of a scalar function (broadcasting, any shape). Division
follows NumPy's rules (no check for zero, which would keep loops from compiling to vector
instructions): every divisor in these loops is positive by construction. The first call in
a fresh environment compiles (seconds); later processes load the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["compiled", "ufunc"]

Function = TypeVar("Function", bound=Callable[..., Any])
_NUMBA: Any = numba  # numba ships no type information


def compiled(function: Function) -> Function:
    """``function`` compiled, releasing the GIL."""
    result: Function = _NUMBA.njit(cache=True, nogil=True, error_model="numpy")(function)
    return result


def ufunc(
    signature: str,
) -> Callable[[Callable[..., float]], Callable[..., npt.NDArray[np.float64]]]:
    """A compiled NumPy ufunc of a scalar function of the given ``signature``."""

    def make(function: Callable[..., float]) -> Callable[..., npt.NDArray[np.float64]]:
        result: Callable[..., npt.NDArray[np.float64]] = _NUMBA.vectorize([signature], cache=True)(
            function
        )
        return result

    return make
