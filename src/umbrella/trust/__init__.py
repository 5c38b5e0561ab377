"""Trust: the perceived reliability of each guarantor, as a Beta reputation with forgetting.

The model follows the Beta reputation system of Josang & Ismail [1]_, on a monthly grid:

1. Every event effect ``{guarantor g, sign, protege, strength}`` (``docs/data.md``) is
   evidence about ``g``. Sign +1 adds ``w(strength)`` to the positive evidence ``r``, sign -1
   adds ``w(strength) * trust.negative_multiplier`` to the negative evidence ``s``, sign 0
   adds nothing. ``w`` is ``trust.weight_minor``, ``trust.weight_moderate`` or
   ``trust.weight_major``.
2. Seen from protege view ``p`` the amount counts in full if the effect names no protege or
   names ``p``, and times ``trust.spillover`` otherwise. Each protege named in any effect
   has its own view; every other protege shares the view ``"others"``.
3. Evidence enters in the month of the event's date. Each month, old evidence decays before
   the month's evidence is added: ``r <- lam * r + new_r`` and ``s <- lam * s + new_s``, with
   ``lam = 0.5 ** (1 / trust.half_life_months)``; so ``r_T = sum_t lam ** (T - t) * e_t``.
4. Trust is the posterior ``Beta(alpha0 + r, beta0 + s)`` with ``alpha0 = m_g * n0`` and
   ``beta0 = (1 - m_g) * n0`` (``m_g = trust.prior_mean_<g>``, ``n0 = trust.prior_strength``):
   posterior mean ``alpha / (alpha + beta)`` and an equal-tailed credible interval (5 and 95
   per cent quantiles by default).

The prior does not decay, evidence does. Josang & Ismail start from ``Beta(1, 1)``, which
forgetting would pull every guarantor back to: after a quiet decade trust would return to
ignorance (mean 0.5). Here it returns to the base rate the prior encodes, decades of
alliance practice before the timeline starts, which is the more defensible reading of
"nothing has happened lately".

Every function is vectorised over a leading sample axis: parameters are arrays, one value per
sample (:func:`umbrella.assumptions.resolve`), and the only Python loop is over months.

>>> import umbrella
>>> from umbrella.trust import trajectories
>>> ds = trajectories(umbrella.load_world(), start="2025-02", end="2025-03")
>>> usa = ds["mean"].sel(guarantor="USA", view="others").isel(sample=0).values
>>> bool(usa[1] < usa[0])
True

References
----------
.. [1] A. Josang and R. Ismail, "The Beta Reputation System", Proceedings of the 15th Bled
   Electronic Commerce Conference, Bled, Slovenia, 2002.
"""

from typing import TYPE_CHECKING

from umbrella.lazy import lazy_members
from umbrella.trust.assumptions import ASSUMPTIONS

if TYPE_CHECKING:
    from umbrella.trust.trajectories import TrustState, trajectories, trust_state

_LAZY_NAMES = ("TrustState", "trajectories", "trust_state")


# The trajectories need SciPy's Beta quantiles: loaded on first use, so that reading a
# scenario (which needs only the assumptions) stays fast.
__getattr__ = lazy_members(__name__, dict.fromkeys(_LAZY_NAMES, "umbrella.trust.trajectories"))

__all__ = ["ASSUMPTIONS", "TrustState", "trajectories", "trust_state"]
