"""Numbers as readers read them: units, sensible rounding, ranges as ``x (y–z)``.

>>> estimate(0.9312, 0.881, 0.969, "percent")
'93% (88–97%)'
>>> estimate(0.0234, -0.005, 0.041, "points")
'+2.3 points (−0.5 to +4.1)'
>>> money(61.23, 40.0, 95.5)
'EUR 61 bn (40–96)'
"""

from __future__ import annotations

import math
from typing import Literal

__all__ = ["estimate", "money", "number", "percent", "points"]

Kind = Literal["percent", "points", "number", "money", "index"]


def percent(value: float, digits: int = 0) -> str:
    """A probability as a percentage: ``0.934 -> '93%'``."""
    if not math.isfinite(value):
        return "n/a"
    return f"{100.0 * value:.{digits}f}%"


def points(value: float, digits: int = 1) -> str:
    """A change in a probability, in percentage points, with its sign: ``0.012 -> '+1.2'``."""
    if not math.isfinite(value):
        return "n/a"
    shown = f"{100.0 * value:+.{digits}f}"
    return "0.0" if shown in ("+0.0", "-0.0") else shown.replace("-", "−")


def number(value: float, digits: int | None = None) -> str:
    """A plain number, rounded to about three significant figures unless told."""
    if not math.isfinite(value):
        return "n/a"
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 10 else 2
    shown = f"{value:,.{digits}f}"
    if float(shown.replace(",", "")) == 0.0:
        shown = shown.lstrip("-")  # no "-0.0"
    return shown.replace("-", "−")


def money(value: float, low: float | None = None, high: float | None = None) -> str:
    """EUR bn with an optional range: ``'EUR 61 bn (40–96)'``."""
    text = f"EUR {number(value, 0 if abs(value) >= 10 else 1)} bn"
    if low is None or high is None:
        return text
    digits = 0 if max(abs(low), abs(high)) >= 10 else 1
    return f"{text} ({_range(number(low, digits), number(high, digits), low < 0)})"


def estimate(value: float, low: float, high: float, kind: Kind = "number") -> str:
    """A central value and its range, as ``x (y–z)`` in the unit of ``kind``."""
    if kind == "percent":
        return f"{percent(value)} ({_range(percent(low)[:-1], percent(high), False)})"
    if kind == "points":
        return f"{points(value)} points ({_range(points(low), points(high), True)})"
    if kind == "money":
        return money(value, low, high)
    digits = 2 if kind == "index" else None
    shown = [number(v, digits) for v in (value, low, high)]
    return f"{shown[0]} ({_range(shown[1], shown[2], low < 0)})"


def _range(low: str, high: str, signed: bool) -> str:
    # An en dash between two signed numbers reads as a minus sign; spell it out.
    return f"{low} to {high}" if signed else f"{low}–{high}"
