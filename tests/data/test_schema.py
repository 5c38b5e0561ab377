"""Properties of the record models."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from umbrella.data.schema import Estimate

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(st.lists(finite, min_size=3, max_size=3))
def test_ordered_ranges_are_accepted_and_keep_their_bounds(numbers: list[float]) -> None:
    low, value, high = sorted(numbers)
    estimate = Estimate(value=value, low=low, high=high, year=2025, sources=["s1"])
    assert estimate.lower <= estimate.value <= estimate.upper


@given(finite, finite)
def test_inverted_ranges_are_refused(a: float, b: float) -> None:
    if a == b:
        return
    value, low = min(a, b), max(a, b)
    with pytest.raises(ValidationError, match="must be <= value"):
        Estimate(value=value, low=low, year=2025, sources=["s1"])


def test_missing_bounds_default_to_the_value() -> None:
    estimate = Estimate(value=3.0, year=2025, sources=["s1"])
    assert (estimate.lower, estimate.upper) == (3.0, 3.0)
