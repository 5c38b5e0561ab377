"""Matrix products whose every element is summed in one fixed order.

A BLAS matrix product may sum an element's terms in a different order (and so round it
differently, in the last bits) depending on where the element falls in the matrix: blocks,
edges and remainders take different kernels. A future's outcomes would then depend on the
chunk it was evaluated in. :func:`matmul` sums each element's terms one after the other, in
the order of the shared axis, whatever the shapes: a future's numbers are the same, bit for
bit, for any chunk size and any number of workers. Compiled (numba, cached on disk); the
loops over the output's columns run as vector instructions, each lane summing in the same
order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from umbrella.jit import compiled

__all__ = ["matmul", "matmul_each", "sum_rows"]

FloatArray = npt.NDArray[np.float64]


def _product(a: FloatArray, b: FloatArray, out: FloatArray) -> None:  # pragma: no cover
    m, k = a.shape
    n = b.shape[1]
    for i in range(m):
        for j in range(n):
            out[i, j] = 0.0
        for term in range(k):
            weight = a[i, term]
            if weight == 0.0:  # adds exactly 0 to every sum (the terms are finite)
                continue
            for j in range(n):
                out[i, j] += weight * b[term, j]


def _sparse_product(
    a: FloatArray,
    starts: npt.NDArray[np.int64],
    columns: npt.NDArray[np.int64],
    values: FloatArray,
    out: FloatArray,
) -> None:  # pragma: no cover
    # ``b`` by rows, its non-zero entries only: a zero term adds exactly 0, so skipping it
    # leaves every sum as it is.
    m, k = a.shape
    for i in range(m):
        out[i, :] = 0.0
        for term in range(k):
            weight = a[i, term]
            for entry in range(starts[term], starts[term + 1]):
                out[i, columns[entry]] += weight * values[entry]


_compiled = compiled(_product)


def _products(a: FloatArray, b: FloatArray, out: FloatArray) -> None:  # pragma: no cover
    for index in range(b.shape[0]):
        _compiled(a, b[index], out[index])


_compiled_each = compiled(_products)
_compiled_sparse = compiled(_sparse_product)
_SPARSE_BELOW = 0.25  # share of non-zero entries of ``b`` under which only those are visited


def matmul(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """``a @ b`` for 2-D ``a`` (m, k) and ``b`` (k, n), or 1-D ``a`` (k,) giving (n,), each
    element summed over k in order.

    >>> matmul(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]])).tolist()
    [[11.0]]
    >>> matmul(np.array([0.5, 0.5]), np.eye(2)).tolist()
    [0.5, 0.5]
    >>> matmul(np.array([[2.0, 3.0]]), np.array([[0.0, 0.0, 1.0, 0.0], [0.0] * 4])).tolist()
    [[0.0, 0.0, 2.0, 0.0]]
    """
    left = np.ascontiguousarray(a, dtype=np.float64)
    right = np.ascontiguousarray(b, dtype=np.float64)
    vector = left.ndim == 1
    if vector:
        left = left[None, :]
    if left.ndim != 2 or right.ndim != 2 or left.shape[1] != right.shape[0]:
        raise ValueError(f"shapes {left.shape} and {right.shape} do not multiply")
    out = np.empty((left.shape[0], right.shape[1]))
    # Counting is cheaper than locating: most right-hand sides here are dense outcomes.
    if np.count_nonzero(right) < _SPARSE_BELOW * right.size:
        rows, columns = np.nonzero(right)
        starts = np.searchsorted(rows, np.arange(right.shape[0] + 1)).astype(np.int64)
        _compiled_sparse(left, starts, columns.astype(np.int64), right[rows, columns], out)
    else:
        _compiled(left, right, out)
    return out[0] if vector else out


def matmul_each(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """``a`` (m, k) times each of ``b`` (n_b, k, n): (n_b, m, n), every element summed over
    k in order, as :func:`matmul` (dense: one compiled call for the whole stack).

    >>> matmul_each(np.array([[1.0, 2.0]]), np.ones((3, 2, 1))).tolist()
    [[[3.0]], [[3.0]], [[3.0]]]
    """
    left = np.ascontiguousarray(a, dtype=np.float64)
    right = np.ascontiguousarray(b, dtype=np.float64)
    if left.ndim != 2 or right.ndim != 3 or left.shape[1] != right.shape[1]:
        raise ValueError(f"shapes {left.shape} and {right.shape} do not multiply")
    out = np.empty((right.shape[0], left.shape[0], right.shape[2]))
    _compiled_each(left, right, out)
    return out


def sum_rows(x: npt.ArrayLike) -> FloatArray:
    """The sum over the first axis, row after row.

    NumPy sums a contiguous axis pairwise but adds rows of a strided one in order, so
    ``x.sum(axis=0)`` of a (k, n) array rounds differently for one column (n = 1) than for
    many: a future evaluated alone would differ in the last bits from the same future in a
    chunk. Elementwise additions, row by row, are the same for any n.

    >>> sum_rows(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).tolist()
    [9.0, 12.0]
    """
    rows = np.asarray(x, dtype=np.float64)
    total: FloatArray = rows[0].copy()
    for row in rows[1:]:
        total += row
    return total
