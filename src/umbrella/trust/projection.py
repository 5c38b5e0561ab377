"""Trust beyond the evidence date: the state at that date carried forward under an assumed flow.

After the last recorded event nothing is observed, so the future is an assumption: a yearly
*flow* of evidence about each guarantor, in observations a year (negative: failures). Month
by month the whole posterior is forgotten at the trust half-life and the month's share of
the flow is added:

    alpha_t = lam ** t (alpha0 + r) + f+ A_t,   beta_t = lam ** t (beta0 + s) + k f- A_t,

with ``A_t = (1 - lam ** t) / (1 - lam)``, ``f+`` and ``f-`` the positive and negative
parts of the monthly flow and ``k`` the negative multiplier. Before the evidence date the
prior does not decay (docs/trust.md: a quiet decade returns trust to its base rate); after
it the prior is forgotten with the evidence, because the flow states what is learnt: trust
then moves monotonically from its value at the evidence date toward the flow's verdict,
falling under a negative flow, rising under a positive one, and staying put under none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from umbrella.trust.trajectories import TrustState

__all__ = ["mid_year_months", "project"]

FloatArray = npt.NDArray[np.float64]


def mid_year_months(as_of: dt.date, years: Sequence[int]) -> FloatArray:
    """Months from ``as_of`` to the middle (1 July) of each year, at least 0.

    >>> mid_year_months(dt.date(2026, 11, 1), [2026, 2027]).tolist()
    [0.0, 8.0]
    """
    return np.array(
        [max(0, (y - as_of.year) * 12 + (7 - as_of.month)) for y in years], dtype=np.float64
    )


def project(
    state: TrustState,
    flow: FloatArray,
    negative_multiplier: FloatArray,
    years: Sequence[int],
    switch: FloatArray | None = None,
    after: FloatArray | None = None,
) -> FloatArray:
    """Posterior mean trust at mid-year of each of ``years``, sample axis last.

    Parameters
    ----------
    state
        The trust state at the evidence date (:func:`umbrella.trust.trust_state`).
    flow
        Evidence a year about each guarantor after the evidence date, (guarantor, sample).
    negative_multiplier
        ``trust.negative_multiplier`` per sample.
    years
        The years; a year whose middle is before the evidence date gets the state's trust.
    switch, after
        Optionally, months after the evidence date at which each guarantor's flow changes
        (guarantor, sample; a very large number for none), and the flow from then on.

    Returns
    -------
    numpy.ndarray
        Trust, shape (guarantor, protege, year, sample), proteges as in ``state``.

    Examples
    --------
    >>> import umbrella
    >>> state = umbrella.trust.trust_state(umbrella.load_world(), None, dt.date(2026, 11, 1),
    ...                                    ["USA"], ["EST"])
    >>> falling = project(state, np.array([[-1.0]]), np.array([1.5]), [2027, 2030, 2040])
    >>> bool(np.all(np.diff(falling[0, 0, :, 0]) < 0))
    True
    """
    lam = state.monthly_decay  # (s,)
    months = mid_year_months(state.as_of, years)
    decay = lam[None, :] ** months[:, None]  # (y, s)
    if switch is None or after is None or np.all(switch >= months[-1]):
        # One flow throughout: its months, each forgotten since.
        first = ((1.0 - decay) / (1.0 - lam))[None]  # (1, y, s)
        second = np.zeros_like(first)
        after = flow
    else:
        # Months of the first flow (to the switch) and of the second (since).
        before = np.minimum(months[None, :, None], switch[:, None, :])  # (g, y, s)
        first = (1.0 - lam**before) / (1.0 - lam) * lam ** (months[None, :, None] - before)
        second = (1.0 - lam ** (months[None, :, None] - before)) / (1.0 - lam)
    plus = np.maximum(flow, 0.0)[:, None, :] * first + np.maximum(after, 0.0)[:, None, :] * second
    minus = np.maximum(-flow, 0.0)[:, None, :] * first
    minus += np.maximum(-after, 0.0)[:, None, :] * second
    gained = (plus / 12.0)[:, None]  # (g, 1, y, s)
    lost = (minus * negative_multiplier / 12.0)[:, None]
    alpha0 = _samples_last(state.prior_alpha[:, :, None] + state.positive)[:, :, None, :]
    beta0 = _samples_last(state.prior_beta[:, :, None] + state.negative)[:, :, None, :]
    alpha = alpha0 * decay + gained
    beta = beta0 * decay + lost
    trust: FloatArray = alpha / (alpha + beta)
    return trust


def _samples_last(values: FloatArray) -> FloatArray:
    """(sample, guarantor, protege) -> (guarantor, protege, sample)."""
    return np.ascontiguousarray(np.moveaxis(values, 0, -1))
