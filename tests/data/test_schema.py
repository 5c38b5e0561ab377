"""Properties of the record models."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from umbrella.data.schema import DATASET_YEAR, Agreement, Elections, Estimate

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


def test_an_agreement_may_name_no_government_but_none_twice() -> None:
    nothing = Agreement(governments=[], note="Nothing new to agree.", sources=["s1"])
    assert nothing.governments == []
    with pytest.raises(ValidationError, match="names FRA more than once"):
        Agreement(governments=["FRA", "GBR", "FRA"], note="n", sources=["s1"])
    with pytest.raises(ValidationError, match="ISO 3166-1 alpha-3"):
        Agreement(governments=["XXX"], note="n", sources=["s1"])
    with pytest.raises(ValidationError, match="at least 1 item"):
        Agreement(governments=["FRA"], note="n", sources=[])


def _elections(**change: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "office": "Parliament",
        "next": DATASET_YEAR + 1,
        "every_years": 4,
        "rule": "A four-year term.",
        "sources": ["s1"],
    }
    return fields | change


@pytest.mark.parametrize("every_years", [1, 4, 7])
def test_election_terms_of_one_to_seven_years_are_accepted(every_years: int) -> None:
    elections = Elections.model_validate(_elections(every_years=every_years))
    assert elections.every_years == every_years


@pytest.mark.parametrize("every_years", [0, -4, 8, 50])
def test_election_terms_outside_one_to_seven_years_are_refused(every_years: int) -> None:
    with pytest.raises(ValidationError, match="every_years"):
        Elections.model_validate(_elections(every_years=every_years))


def test_the_next_election_falls_within_one_term_of_the_dataset_date() -> None:
    assert Elections.model_validate(_elections(next=DATASET_YEAR)).next == DATASET_YEAR
    with pytest.raises(ValidationError, match="must not be before 2026"):
        Elections.model_validate(_elections(next=DATASET_YEAR - 1))
    with pytest.raises(ValidationError, match="more than one 4-year term"):
        Elections.model_validate(_elections(next=2092))
    with pytest.raises(ValidationError, match="less than or equal to 2100"):
        Elections.model_validate(_elections(next=2200))


def test_elections_name_a_source_and_no_unknown_field() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        Elections.model_validate(_elections(sources=[]))
    with pytest.raises(ValidationError, match="String should match pattern"):
        Elections.model_validate(_elections(sources=["Not A Slug"]))
    with pytest.raises(ValidationError, match="Extra inputs"):
        Elections.model_validate(_elections(last=2022))
