"""The arithmetic of the Beta reputation system with forgetting, as small array functions.

Josang & Ismail (2002) [1]_ rate an agent by the Beta posterior of its positive evidence
``r`` and negative evidence ``s``; old evidence is forgotten by multiplying ``r`` and ``s``
by a factor ``lam`` in [0, 1] at every step before the step's new evidence is added:

.. math::

    r_t = \\lambda r_{t-1} + e^+_t, \\qquad s_t = \\lambda s_{t-1} + e^-_t,

so that ``r_T = sum_t lam**(T - t) * e+_t``. umbrella steps once a month and states the
forgetting as a half-life ``h`` in months, ``lam = 0.5 ** (1 / h)``. The posterior is
``Beta(alpha0 + r, beta0 + s)``; the prior ``(alpha0, beta0)`` does not decay (see
:mod:`umbrella.trust`). Every function takes and returns arrays and broadcasts, so a leading
sample axis costs no Python loop.

References
----------
.. [1] A. Josang and R. Ismail, "The Beta Reputation System", Proceedings of the 15th Bled
   Electronic Commerce Conference, Bled, Slovenia, 2002, section 3 (Beta density and the
   reputation function) and section 5 (forgetting).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from umbrella.errors import UsageError

__all__ = [
    "decay_weights",
    "forgetting_factor",
    "posterior_mean",
    "posterior_quantiles",
    "prior_parameters",
    "step",
]

FloatArray = npt.NDArray[np.float64]


def forgetting_factor(half_life_months: npt.ArrayLike) -> FloatArray:
    """The monthly forgetting factor ``lam = 0.5 ** (1 / half_life_months)``.

    Evidence ``h`` months old keeps half its weight.

    Examples
    --------
    >>> round(float(forgetting_factor(12.0) ** 12), 12)
    0.5
    >>> forgetting_factor([1.0, 2.0]).round(6).tolist()
    [0.5, 0.707107]
    """
    return np.asarray(0.5 ** (1.0 / np.asarray(half_life_months, dtype=np.float64)))


def prior_parameters(
    prior_mean: npt.ArrayLike, prior_strength: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The prior ``(alpha0, beta0) = (m * n, (1 - m) * n)`` of mean ``m`` and weight ``n``.

    ``beta0`` is computed as ``n - alpha0`` so that ``alpha0 + beta0 == n`` exactly.

    Examples
    --------
    >>> alpha0, beta0 = prior_parameters(0.85, 10.0)
    >>> float(alpha0), float(beta0)
    (8.5, 1.5)
    """
    mean = np.asarray(prior_mean, dtype=np.float64)
    strength = np.asarray(prior_strength, dtype=np.float64)
    alpha0 = mean * strength
    return alpha0, strength - alpha0


def step(
    positive: FloatArray,
    negative: FloatArray,
    new_positive: FloatArray,
    new_negative: FloatArray,
    monthly_decay: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """One month of Josang & Ismail forgetting: old evidence decays, then new evidence adds.

    ``monthly_decay`` broadcasts against the evidence (give it trailing axes of length 1).

    Examples
    --------
    >>> r, s = step(np.array([4.0]), np.array([2.0]), np.array([1.0]), np.array([0.0]), 0.5)
    >>> r.tolist(), s.tolist()
    ([3.0], [1.0])
    """
    return monthly_decay * positive + new_positive, monthly_decay * negative + new_negative


def decay_weights(ages: npt.ArrayLike, monthly_decay: FloatArray) -> FloatArray:
    """``lam ** age``: the weight left to evidence ``age`` months old, one row per sample.

    ``ages`` (whole months, >= 0) has shape ``(n_items,)`` and ``monthly_decay`` shape
    ``(n_samples,)``; the result has shape ``(n_samples, n_items)``. Summing evidence times
    these weights is the closed form of repeated :func:`step`,
    ``r_T = sum_t lam ** (T - t) * e_t``.

    Examples
    --------
    >>> decay_weights([0, 12, 24], forgetting_factor(np.array([12.0]))).round(12).tolist()
    [[1.0, 0.5, 0.25]]
    """
    exponents = np.asarray(ages, dtype=np.float64)
    return np.asarray(np.power(monthly_decay[:, None], exponents[None, :]))


def posterior_mean(alpha: npt.ArrayLike, beta: npt.ArrayLike) -> FloatArray:
    """Mean ``alpha / (alpha + beta)`` of a Beta distribution (Josang & Ismail's E).

    Examples
    --------
    >>> float(posterior_mean(8.5, 1.5 + 6.0))
    0.53125
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    return np.asarray(alpha / (alpha + np.asarray(beta, dtype=np.float64)))


def posterior_quantiles(
    alpha: npt.ArrayLike, beta: npt.ArrayLike, level: float = 0.9
) -> tuple[FloatArray, FloatArray]:
    """The equal-tailed credible interval of probability ``level`` of ``Beta(alpha, beta)``.

    Returns the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles (5 and 95 per cent for
    the default 0.9), from :func:`scipy.stats.beta.ppf`.

    Raises
    ------
    UsageError
        If ``level`` is not strictly between 0 and 1.

    Examples
    --------
    >>> low, high = posterior_quantiles(1.0, 1.0, level=0.9)
    >>> round(float(low), 12), round(float(high), 12)
    (0.05, 0.95)
    """
    if not 0.0 < level < 1.0:
        raise UsageError(f"level must lie strictly between 0 and 1 (got {level})")
    alpha = np.asarray(alpha, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    low = np.asarray(stats.beta.ppf((1.0 - level) / 2.0, alpha, beta), dtype=np.float64)
    high = np.asarray(stats.beta.ppf((1.0 + level) / 2.0, alpha, beta), dtype=np.float64)
    return low, high
