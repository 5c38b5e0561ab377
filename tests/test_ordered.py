"""Ordered matrix products: each element summed term after term, whatever the shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from umbrella.ordered import matmul, matmul_each

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
# Many exact zeros, so that the sparse path and the skipped zero weights are exercised.
sparse_ish = st.one_of(st.just(0.0), finite)


def _in_order(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The reference: a plain loop summing the terms in the order of the shared axis."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            total = 0.0
            for term in range(a.shape[1]):
                total += a[i, term] * b[term, j]
            out[i, j] = total
    return out


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    m, k, n = (draw(st.integers(1, 7)) for _ in range(3))
    a = draw(arrays(np.float64, (m, k), elements=sparse_ish))
    b = draw(arrays(np.float64, (k, n), elements=sparse_ish))
    return a, b


@settings(max_examples=200, deadline=None)
@given(_pairs())
def test_equals_the_sum_in_order_bit_for_bit(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    assert np.array_equal(matmul(a, b), _in_order(a, b))


@settings(max_examples=100, deadline=None)
@given(_pairs(), st.integers(1, 6))
def test_a_column_does_not_depend_on_its_neighbours(
    pair: tuple[np.ndarray, np.ndarray], cut: int
) -> None:
    # A chunk of futures is a block of columns: splitting them must change nothing.
    a, b = pair
    cut = min(cut, b.shape[1])
    parts = np.concatenate([matmul(a, b[:, :cut]), matmul(a, b[:, cut:])], axis=1)
    assert np.array_equal(parts, matmul(a, b))


@settings(max_examples=100, deadline=None)
@given(_pairs(), st.integers(1, 4))
def test_each_equals_one_product_per_matrix(
    pair: tuple[np.ndarray, np.ndarray], copies: int
) -> None:
    a, b = pair
    stack = np.stack([b * (c + 1) for c in range(copies)])
    expected = np.stack([matmul(a, s) for s in stack])
    assert np.array_equal(matmul_each(a, stack), expected)


def test_known_answers() -> None:
    a = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    b = np.array([[1.0, 2.0], [5.0, 7.0], [3.0, -1.0]])
    assert matmul(a, b).tolist() == [[7.0, 0.0], [0.0, 0.0]]
    assert matmul(np.array([0.25, 0.75]), np.array([[4.0], [8.0]])).tolist() == [7.0]
    assert matmul_each(a, np.stack([b, 2 * b])).tolist() == [
        [[7.0, 0.0], [0.0, 0.0]],
        [[14.0, 0.0], [0.0, 0.0]],
    ]


def test_shapes_that_do_not_multiply_are_refused() -> None:
    with pytest.raises(ValueError, match="do not multiply"):
        matmul(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="do not multiply"):
        matmul_each(np.ones((2, 3)), np.ones((2, 2, 3)))
