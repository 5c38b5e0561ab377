"""Events to evidence arrays: one row per trust effect, with its month and where it reaches.

Every event carries effects ``{guarantor, sign, protege, strength}`` (``docs/data.md``).
:func:`collect_evidence` turns the effects into arrays built once per world, independent of
the parameters; :func:`weigh` and :func:`spread` then combine them with per-sample weights by
array arithmetic.

Protege views
-------------
Each protege named directly in any effect (``UKR``, ``POL``...) has a view of its own; every
other protege shares the view ``"others"``. An effect reaches a view *directly* (factor 1)
when its protege is left out (it concerns everyone) or is that view's protege, and through
*spillover* (factor ``trust.spillover``) otherwise. The view ``"others"`` therefore receives
every general effect in full and every targeted effect through spillover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from umbrella.data.schema import Event
from umbrella.ordered import matmul

__all__ = [
    "OTHERS",
    "SIGNS",
    "STRENGTHS",
    "Evidence",
    "collect_evidence",
    "month_index",
    "protege_views",
    "spread",
    "view_of",
    "weigh",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

OTHERS = "others"
"""The view shared by every protege that no effect names directly."""
STRENGTHS = ("minor", "moderate", "major")
"""Strength levels, in the order of the weight columns given to :func:`weigh`."""
SIGNS = ("positive", "negative")
"""Evidence kinds along the sign axis of :attr:`Evidence.direct` and :attr:`Evidence.spill`."""


def month_index(date: dt.date) -> int:
    """Months since January 1970 (the integer of ``numpy.datetime64(date, "M")``).

    >>> month_index(dt.date(2025, 3, 5)) - month_index(dt.date(2024, 3, 31))
    12
    """
    return (date.year - 1970) * 12 + date.month - 1


def protege_views(events: Iterable[Event]) -> tuple[str, ...]:
    """The proteges named directly in any effect (sorted), then ``"others"``.

    >>> import umbrella
    >>> protege_views(umbrella.load_world().records["events"].values())[-2:]
    ('UKR', 'others')
    """
    named = {effect.protege for event in events for effect in event.effects if effect.protege}
    return (*sorted(p for p in named if p is not None), OTHERS)


def view_of(protege: str, views: Sequence[str]) -> str:
    """The view a protege reads trust from: its own if it has one, else ``"others"``.

    >>> view_of("UKR", ("UKR", "others")), view_of("EST", ("UKR", "others"))
    ('UKR', 'others')
    """
    return protege if protege in views and protege != OTHERS else OTHERS


@dataclass(frozen=True, eq=False)
class Evidence:
    """The non-neutral trust effects of a set of events, one row per effect.

    Attributes
    ----------
    guarantors, views
        Labels of the guarantor and view axes of ``direct`` and ``spill``.
    event
        The id of the event each row comes from.
    date
        The event's date, ``datetime64[D]``, shape ``(n_effects,)``.
    month
        :func:`month_index` of the date: the month the evidence enters.
    strength
        Index into :data:`STRENGTHS`.
    negative
        True where the sign is -1 (false where +1; sign 0 rows are left out).
    direct, spill
        0/1 arrays of shape ``(n_effects, 2, n_guarantors, n_views)``: 1 where the row is
        evidence of that kind (axis 1, :data:`SIGNS`) about that guarantor and reaches that
        view directly (``direct``) or through spillover (``spill``).
    """

    guarantors: tuple[str, ...]
    views: tuple[str, ...]
    event: tuple[str, ...]
    date: npt.NDArray[np.datetime64]
    month: IntArray
    strength: IntArray
    negative: BoolArray
    direct: FloatArray
    spill: FloatArray

    def until(self, as_of: dt.date) -> Evidence:
        """Only the rows dated on or before ``as_of``."""
        keep = self.date <= np.datetime64(as_of, "D")
        return Evidence(
            guarantors=self.guarantors,
            views=self.views,
            event=tuple(e for e, k in zip(self.event, keep, strict=True) if k),
            date=self.date[keep],
            month=self.month[keep],
            strength=self.strength[keep],
            negative=self.negative[keep],
            direct=self.direct[keep],
            spill=self.spill[keep],
        )


def collect_evidence(
    events: Iterable[Event], guarantors: Sequence[str], views: Sequence[str] | None = None
) -> Evidence:
    """The evidence arrays of ``events`` about ``guarantors``, sorted by date.

    Parameters
    ----------
    events
        Event records, e.g. ``world.records["events"].values()``.
    guarantors
        ISO3 codes; effects about other guarantors are left out.
    views
        The protege views (default :func:`protege_views` of ``events``).

    Examples
    --------
    >>> import umbrella
    >>> events = umbrella.load_world().records["events"].values()
    >>> evidence = collect_evidence(events, ["USA"])
    >>> evidence.direct.shape[1:3], evidence.views[-1]
    ((2, 1), 'others')
    """
    events = sorted(events, key=lambda e: (e.date, e.id))
    views = tuple(views) if views is not None else protege_views(events)
    guarantor_axis = {g: i for i, g in enumerate(guarantors)}
    view_axis = {v: i for i, v in enumerate(views)}
    rows = [
        (event, effect)
        for event in events
        for effect in event.effects
        if effect.sign != 0 and effect.guarantor in guarantor_axis
    ]
    n = len(rows)
    direct = np.zeros((n, len(SIGNS), len(guarantors), len(views)))
    spill = np.zeros_like(direct)
    for row, (_, effect) in enumerate(rows):
        sign = 1 if effect.sign < 0 else 0
        g = guarantor_axis[effect.guarantor]
        if effect.protege is None:
            direct[row, sign, g, :] = 1.0
            continue
        spill[row, sign, g, :] = 1.0
        if effect.protege in view_axis and effect.protege != OTHERS:
            spill[row, sign, g, view_axis[effect.protege]] = 0.0
            direct[row, sign, g, view_axis[effect.protege]] = 1.0
    return Evidence(
        guarantors=tuple(guarantors),
        views=views,
        event=tuple(event.id for event, _ in rows),
        date=np.array([event.date for event, _ in rows], dtype="datetime64[D]"),
        month=np.array([month_index(event.date) for event, _ in rows], dtype=np.int64),
        strength=np.array([STRENGTHS.index(e.strength) for _, e in rows], dtype=np.int64),
        negative=np.array([e.sign < 0 for _, e in rows], dtype=np.bool_),
        direct=direct,
        spill=spill,
    )


def weigh(evidence: Evidence, weights: FloatArray, negative_multiplier: FloatArray) -> FloatArray:
    """The amount of evidence each row carries in each sample, shape ``(n_samples, n_rows)``.

    ``weights`` has shape ``(n_samples, 3)``, one column per :data:`STRENGTHS` level; a
    negative row's weight is multiplied by ``negative_multiplier`` (shape ``(n_samples,)``).
    """
    amounts = weights[:, evidence.strength]
    amounts[:, evidence.negative] *= negative_multiplier[:, None]
    return amounts


def spread(
    amounts: FloatArray, spillover: FloatArray, direct: FloatArray, spill: FloatArray
) -> FloatArray:
    """Route row amounts to their targets: ``amounts @ direct + spillover * amounts @ spill``.

    ``amounts`` has shape ``(n_samples, n_rows)``, ``spillover`` ``(n_samples,)``, ``direct``
    and ``spill`` ``(n_rows, *targets)``; the result has shape ``(n_samples, *targets)``.
    """
    n_rows, targets = direct.shape[0], direct.shape[1:]
    size = int(np.prod(targets))
    # Summed in one fixed order: a future's trust does not depend on its chunk.
    routed = matmul(amounts, direct.reshape(n_rows, size))
    routed += spillover[:, None] * matmul(amounts, spill.reshape(n_rows, size))
    return routed.reshape(amounts.shape[0], *targets)
