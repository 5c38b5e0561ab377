"""Credibility: how likely the challenger thinks each guarantor is to defend each protege.

credibility[g, p] = trust[g, p] x depth[g, p] x capability[g]

- *trust*: the posterior mean reliability of the guarantor (:mod:`umbrella.trust`);
- *depth*: how binding and material the guarantor's commitments to the protege are,
  ``1 - prod_k (1 - w_k)`` over the kinds k of commitment in force (weights ``depth.<kind>``);
  a guarantor defends its own territory with depth 1 and trust 1;
- *capability*: the survivable second-strike legs the guarantor fields,
  ``1 - prod_leg (1 - w_leg)``, the sea leg scaled by the number of SSBNs over four.

Several guarantors combine as independent chances that at least one resists,
``1 - prod_g (1 - c_g)``, after coordination kappa between the scenario's coordinating pair
(the UK and France in the flagship) raises each one's credibility by
``kappa (1 - c_self) c_partner``. Every step is non-decreasing in trust, depth, capability
and coordination.

Arrays carry the sample axis last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from umbrella.assumptions import Parameters
from umbrella.data import World
from umbrella.data.schema import Force
from umbrella.ordered import matmul

__all__ = [
    "COMMITMENT_KINDS",
    "capability",
    "commitments_in_force",
    "depth_of_sets",
]

FloatArray = npt.NDArray[np.float64]

COMMITMENT_KINDS = (
    "collective_defence",
    "extended_nuclear_deterrence",
    "nuclear_sharing",
    "mutual_defence_treaty",
    "eu_mutual_assistance",
    "nuclear_coordination",
    "bilateral_security_agreement",
    "security_assurance",
)


def commitments_in_force(
    world: World, guarantors: Sequence[str], proteges: Sequence[str], years: Sequence[int]
) -> npt.NDArray[np.bool_]:
    """Which kinds of commitment each guarantor has toward each protege, year by year.

    Returns a boolean array (kind, guarantor, protege, year); a commitment counts in a year
    if it started by 31 December and had not ended before 1 January.
    """
    edges = world.commitment_edges
    kinds = {k: i for i, k in enumerate(COMMITMENT_KINDS)}
    g_index = {g: i for i, g in enumerate(guarantors)}
    p_index = {p: i for i, p in enumerate(proteges)}
    active = np.zeros((len(kinds), len(guarantors), len(proteges), len(years)), dtype=bool)
    year_array = np.asarray(years)
    for row in edges.itertuples(index=False):
        g, p = g_index.get(str(row.guarantor)), p_index.get(str(row.protege))
        if g is None or p is None:
            continue
        start: dt.date = row.start  # type: ignore[assignment]
        end = row.end
        alive = year_array >= start.year
        if isinstance(end, dt.date):
            alive &= year_array <= end.year
        active[kinds[str(row.kind)], g, p] |= alive
    return active


def depth_of_sets(sets: npt.NDArray[np.bool_], params: Parameters) -> FloatArray:
    """Depth (set, sample) of each set of commitment kinds (set, kind) in force.

    >>> import numpy as np
    >>> p = {f"depth.{k}": np.array([0.5]) for k in COMMITMENT_KINDS}
    >>> sets = np.zeros((2, len(COMMITMENT_KINDS)), dtype=bool); sets[1, :2] = True
    >>> depth_of_sets(sets, p)[:, 0].tolist()
    [0.0, 0.75]
    """
    weights = np.stack([params[f"depth.{k}"] for k in COMMITMENT_KINDS])  # (kind, sample)
    log_keep = np.log1p(-np.clip(weights, 0.0, 1.0 - 1e-12))
    depth: FloatArray = 1.0 - np.exp(matmul(sets.astype(np.float64), log_keep))
    return depth


def capability(world: World, guarantors: Sequence[str], params: Parameters) -> FloatArray:
    """Survivable capability (guarantor, sample) from each guarantor's latest forces."""
    forces = [f for f in world.records["forces"].values() if isinstance(f, Force)]
    rows = []
    for g in guarantors:
        mine = sorted((f for f in forces if f.state == g), key=lambda f: f.year)
        if not mine:
            rows.append(np.zeros_like(params["capability.sea"]))
            continue
        latest = mine[-1]
        keep = np.ones_like(params["capability.sea"])
        if "sea" in latest.legs:
            boats = min(1.0, latest.ssbns.value / 4.0)
            keep = keep * (1.0 - params["capability.sea"] * boats)
        for leg in ("air", "land"):
            if leg in latest.legs:
                keep = keep * (1.0 - params[f"capability.{leg}"])
        rows.append(1.0 - keep)
    return np.stack(rows)
