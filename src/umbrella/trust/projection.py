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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from umbrella.jit import compiled, ufunc
from umbrella.trust.trajectories import TrustState

__all__ = ["Projection", "mid_year_months", "project", "projected_trust", "projection"]

FloatArray = npt.NDArray[np.float64]


@compiled
def projected_trust(
    alpha0: float, beta0: float, decay: float, gained: float, lost: float
) -> float:  # pragma: no cover - compiled
    """Trust at a date: the Beta posterior's mean ``alpha / (alpha + beta)`` with
    ``alpha = alpha0 decay + gained`` and ``beta = beta0 decay + lost`` (one element; the
    model's kernel calls it too, :mod:`umbrella.model.kernel`)."""
    alpha = alpha0 * decay + gained
    beta = beta0 * decay + lost
    return alpha / (alpha + beta)


@ufunc("float64(float64, float64, float64, float64, float64)")
def _projected_trusts(
    alpha0: float, beta0: float, decay: float, gained: float, lost: float
) -> float:  # pragma: no cover - compiled
    return projected_trust(alpha0, beta0, decay, gained, lost)


@dataclass(frozen=True)
class Projection:
    """The terms of trust beyond the evidence date, before they are combined.

    ``alpha0``, ``beta0`` (guarantor, protege, sample): the posterior at the evidence date;
    ``decay`` (year, sample): how much of it is left at each year's middle; ``gained``,
    ``lost`` (guarantor, year, sample): what the assumed flow has added by then. Trust is
    :func:`projected_trust` of them (:meth:`trust`); the model's kernel combines them row by
    row instead of holding every (guarantor, protege, year, sample) value at once.
    """

    alpha0: FloatArray
    beta0: FloatArray
    decay: FloatArray
    gained: FloatArray
    lost: FloatArray

    def trust(self) -> FloatArray:
        """Trust (guarantor, protege, year, sample)."""
        trust: FloatArray = _projected_trusts(
            self.alpha0[:, :, None, :],
            self.beta0[:, :, None, :],
            self.decay,
            self.gained[:, None],
            self.lost[:, None],
        )
        return trust


def mid_year_months(as_of: dt.date, years: Sequence[int]) -> FloatArray:
    """Months from ``as_of`` to the middle (1 July) of each year, at least 0.

    >>> mid_year_months(dt.date(2026, 11, 1), [2026, 2027]).tolist()
    [0.0, 8.0]
    """
    return np.array(
        [max(0, (y - as_of.year) * 12 + (7 - as_of.month)) for y in years], dtype=np.float64
    )


def projection(
    state: TrustState,
    flow: FloatArray,
    negative_multiplier: FloatArray,
    years: Sequence[int],
    switch: FloatArray | None = None,
    after: FloatArray | None = None,
) -> Projection:
    """The terms of trust at mid-year of each of ``years`` (:class:`Projection`), sample
    axis last; :func:`project` combines them.

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
    Projection
        Its terms, proteges as in ``state``.
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
    return Projection(
        alpha0=_samples_last(state.prior_alpha[:, :, None] + state.positive),
        beta0=_samples_last(state.prior_beta[:, :, None] + state.negative),
        decay=np.ascontiguousarray(decay),
        gained=np.ascontiguousarray(plus / 12.0),  # (g, y, s)
        lost=np.ascontiguousarray(minus * negative_multiplier / 12.0),
    )


def project(
    state: TrustState,
    flow: FloatArray,
    negative_multiplier: FloatArray,
    years: Sequence[int],
    switch: FloatArray | None = None,
    after: FloatArray | None = None,
) -> FloatArray:
    """Posterior mean trust at mid-year of each of ``years``, shape (guarantor, protege,
    year, sample): :func:`projection`'s terms combined (arguments as there).

    Examples
    --------
    >>> import umbrella
    >>> state = umbrella.trust.trust_state(umbrella.load_world(), None, dt.date(2026, 11, 1),
    ...                                    ["USA"], ["EST"])
    >>> falling = project(state, np.array([[-1.0]]), np.array([1.5]), [2027, 2030, 2040])
    >>> bool(np.all(np.diff(falling[0, 0, :, 0]) < 0))
    True
    """
    return projection(state, flow, negative_multiplier, years, switch, after).trust()


def _samples_last(values: FloatArray) -> FloatArray:
    """(sample, guarantor, protege) -> (guarantor, protege, sample)."""
    return np.ascontiguousarray(np.moveaxis(values, 0, -1))
