"""``/api/trust``: trust in each guarantor over time (docs/trust.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import StringConstraints

from umbrella.web.state import ApiError, Context, context

router = APIRouter(tags=["trust"])

# Years 1900-2199: the model steps month by month from the first event (or ``start``, if
# earlier) to ``end``, so an unbounded year would be a request for millions of months.
_MONTH = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]


@router.get(
    "/trust",
    summary="Trust trajectories",
    description="The monthly posterior mean and 90% credible interval of trust in each "
    "guarantor, per view (`others`: proteges no event named; else a protege an event "
    "concerned), with the assumptions fitted to the polls, as `umbrella trust --json`.",
)
def trust(
    guarantor: list[Code] = Query([], max_length=3, description="USA, GBR or FRA; repeat."),
    view: str | None = Query(None, pattern=r"^[A-Za-z]{3,6}$", description="e.g. others, POL"),
    start: str = Query("2022-01", pattern=_MONTH, description="First month, YYYY-MM (1900-2199)."),
    end: str | None = Query(
        None, pattern=_MONTH, description="Last month, YYYY-MM (default: the last event's)."
    ),
    ctx: Context = Depends(context),
) -> list[dict[str, Any]]:
    import numpy as np

    from umbrella.assumptions import resolve
    from umbrella.trust import ASSUMPTIONS, trajectories
    from umbrella.trust.trajectories import GUARANTORS
    from umbrella.web.routes.world import _world

    chosen = tuple(dict.fromkeys(g.upper() for g in guarantor)) or GUARANTORS
    for code in chosen:
        if code not in GUARANTORS:
            raise ApiError(
                422,
                f"unknown guarantor '{code}'; one of {', '.join(GUARANTORS)}",
                "query.guarantor",
            )
    if end is not None and end < start:
        raise ApiError(422, f"start {start} is after end {end}", "query.start")
    if end is not None and _months(start, end) > ctx.limits.trust_max_months:
        raise ApiError(
            422,
            f"at most {ctx.limits.trust_max_months:,} months from start to end",
            "query.end",
        )
    dataset = trajectories(
        _world(ctx), resolve(ASSUMPTIONS, {}), start=start, end=end, guarantors=chosen
    ).isel(sample=0)
    views = [str(v) for v in dataset["view"].values]
    if view is not None and view not in views:
        raise ApiError(422, f"unknown view '{view}'; views: {', '.join(views)}", "query.view")
    months = [str(np.datetime64(m, "M")) for m in dataset["month"].values]
    records: list[dict[str, Any]] = []
    for code in chosen:
        for name in [view] if view is not None else views:
            series = dataset.sel(guarantor=code, view=name)
            columns = {k: series[k].values.tolist() for k in ("mean", "low", "high")}
            records += [
                {"guarantor": code, "view": name, "month": month}
                | {k: float(v[i]) for k, v in columns.items()}
                for i, month in enumerate(months)
            ]
    return records


def _months(start: str, end: str) -> int:
    """Months from ``start`` to ``end`` (both ``YYYY-MM``), both counted."""
    (y0, m0), (y1, m1) = ((int(p) for p in month.split("-")) for month in (start, end))
    return (y1 - y0) * 12 + (m1 - m0) + 1
