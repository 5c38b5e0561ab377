"""Base rates of challenges from the crises table: how often Russia challenged a European
state, per state and year, by the group the state was in at the time.

A challenge is a row of the crises table where Russia acted first (MID side A, ICB
triggering entity) against the state. Each state-year counts in the group the state
belonged to in that year: Ukraine alone, NATO members (by accession year), and the other
European states. This is the observed side of the model's crisis rates (docs/model.md): the
model's rate counts *opportunities*, of which only a share become challenges, so an observed
rate of challenges is a lower bound on the rate of opportunities.

>>> import umbrella
>>> rates = challenge_rates(umbrella.load_world())
>>> sorted(rates.index)
['nato', 'other', 'ukraine']
>>> bool(rates.loc["ukraine", "rate"] > rates.loc["nato", "rate"])
True
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from umbrella.data.schema import Actor, Crisis
from umbrella.data.world import World
from umbrella.errors import UsageError

__all__ = ["challenge_rates"]

_LEVEL = re.compile(r"RUS=(\d)")
_ONE_ON_ONE = re.compile(r"sides 1v1(?!\d)")


def challenge_rates(
    world: World,
    *,
    dataset: str = "MID",
    start: int = 1992,
    end: int = 2014,
    min_level: int = 2,
    bilateral: bool = False,
) -> pd.DataFrame:
    """Challenges per state-year, 1992-2014 by default (the years MID 5.0 covers).

    Parameters
    ----------
    dataset
        ``MID`` or ``ICB``: whose rows count.
    start, end
        The years counted, both included.
    min_level
        For MID, the least hostility level of Russia's own actions that counts
        (2 threat, 3 display, 4 use of force, 5 war).
    bilateral
        For MID, count only disputes with one state on each side (a multilateral dispute
        otherwise counts once per European opponent).

    Returns
    -------
    pandas.DataFrame
        Per group (``nato``, ``other``, ``ukraine``): ``state_years``, ``challenges`` and
        ``rate`` (challenges per state-year).
    """
    if dataset not in ("MID", "ICB"):
        raise UsageError(f"dataset '{dataset}': use MID or ICB")
    if start > end:
        raise UsageError(f"start {start} is after end {end}")
    states = [
        a
        for a in world.records["actors"].values()
        if isinstance(a, Actor) and a.region == "europe" and a.id not in ("RUS", "BLR")
    ]
    exposure = {"nato": 0, "other": 0, "ukraine": 0}
    group_of: dict[tuple[str, int], str] = {}
    for actor in states:
        for year in range(start, end + 1):
            group = _group(actor, year)
            exposure[group] += 1
            group_of[(actor.id, year)] = group
    counts = {"nato": 0, "other": 0, "ukraine": 0}
    for crisis in world.records["crises"].values():
        if not isinstance(crisis, Crisis) or crisis.dataset != dataset or not crisis.challenge:
            continue
        if crisis.challenger != "RUS" or (crisis.target, crisis.year) not in group_of:
            continue
        if dataset == "MID":
            level = _LEVEL.search(crisis.level)
            if level is None or int(level.group(1)) < min_level:
                continue
            if bilateral and not _ONE_ON_ONE.search(crisis.description):
                continue
        counts[group_of[(crisis.target, crisis.year)]] += 1
    rows = [
        {
            "group": group,
            "state_years": exposure[group],
            "challenges": counts[group],
            "rate": counts[group] / exposure[group] if exposure[group] else float("nan"),
        }
        for group in ("nato", "other", "ukraine")
    ]
    return pd.DataFrame(rows).set_index("group")


def _group(actor: Actor, year: int) -> str:
    if actor.id == "UKR":
        return "ukraine"
    return "nato" if actor.member_of("NATO", dt.date(year, 12, 31)) else "other"
