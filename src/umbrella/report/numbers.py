r"""Numbers as readers read them: units, sensible rounding, ranges as ``x (y–z)``, in the
brief's language.

>>> estimate(0.9312, 0.881, 0.969, "percent")
'93% (88–97%)'
>>> estimate(0.0234, -0.005, 0.041, "points")
'+2.3 points (−0.5 to +4.1)'
>>> money(61.23, 40.0, 95.5)
'EUR 61 bn (40–96)'

Every function takes the language (a code or a :class:`~umbrella.report.locale.Language`;
English by default). Each number is rounded the same way in every language, then written
with the locale's symbols: in Ukrainian a decimal comma and a no-break space between
thousands.

>>> estimate(0.9312, 0.881, 0.969, "percent", lang="uk")
'93% (88–97%)'
>>> estimate(0.0234, -0.005, 0.041, "points", lang="uk")
'+2,3 в. п. (від −0,5 до +4,1)'
>>> money(1234.5, lang="uk")
'1\xa0234 млрд євро'
>>> quantity(2.5, "years", lang="uk"), quantity(2.5, "years")
('2,50 року', '2.50 years')
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Literal

from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from umbrella.report.locale import ENGLISH, Language, language

__all__ = ["dollars", "estimate", "money", "number", "percent", "points", "quantity"]

Kind = Literal["percent", "points", "number", "money", "index"]


def percent(value: float, digits: int = 0, lang: Language | str = ENGLISH) -> str:
    """A probability as a percentage: ``0.934 -> '93%'``."""
    tongue = _language(lang)
    if not math.isfinite(value):
        return tongue.gettext("n/a")
    shown = f"{100.0 * value:.{digits}f}"
    if tongue is ENGLISH:
        return f"{shown}%"
    # The locale's pattern places the sign (Ukrainian "93%", German "93 %"); the digits are
    # those rounded above, so that every language prints the same figure.
    pattern = re.sub(r"0(?=[^0-9]*$)", "0." + "0" * digits if digits else "0", _pattern(tongue))
    return _minus(format_percent(Decimal(shown) / 100, pattern, locale=tongue.locale))


def points(value: float, digits: int = 1, lang: Language | str = ENGLISH) -> str:
    """A change in a probability, in percentage points, with its sign: ``0.012 -> '+1.2'``."""
    tongue = _language(lang)
    if not math.isfinite(value):
        return tongue.gettext("n/a")
    shown = f"{100.0 * value:+.{digits}f}"
    if shown in ("+0.0", "-0.0"):
        return _localised("0.0", tongue)
    return shown[0].replace("-", "−") + _localised(shown[1:], tongue)


def number(value: float, digits: int | None = None, lang: Language | str = ENGLISH) -> str:
    """A plain number, rounded to about three significant figures unless told."""
    tongue = _language(lang)
    if not math.isfinite(value):
        return tongue.gettext("n/a")
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 10 else 2
    shown = f"{value:,.{digits}f}"
    if float(shown.replace(",", "")) == 0.0:
        shown = shown.lstrip("-")  # no "-0.0"
    return _minus(_localised(shown, tongue))


def money(
    value: float,
    low: float | None = None,
    high: float | None = None,
    lang: Language | str = ENGLISH,
) -> str:
    """EUR bn with an optional range: ``'EUR 61 bn (40–96)'``."""
    tongue = _language(lang)
    amount = number(value, 0 if abs(value) >= 10 else 1, tongue)
    # Translators: an amount in billions of euros.
    text = tongue.gettext("EUR {amount} bn").format(amount=amount)
    if low is None or high is None:
        return text
    digits = 0 if max(abs(low), abs(high)) >= 10 else 1
    spread = _range(number(low, digits, tongue), number(high, digits, tongue), low < 0, tongue)
    return f"{text} ({spread})"


def dollars(value: float, digits: int | None = None, lang: Language | str = ENGLISH) -> str:
    """USD bn, as sources report nuclear spending: ``'USD 16.5 bn'``."""
    tongue = _language(lang)
    # Translators: an amount in billions of US dollars.
    return tongue.gettext("USD {amount} bn").format(amount=number(value, digits, tongue))


def estimate(
    value: float, low: float, high: float, kind: Kind = "number", lang: Language | str = ENGLISH
) -> str:
    """A central value and its range, as ``x (y–z)`` in the unit of ``kind``."""
    tongue = _language(lang)
    if kind == "percent":
        if tongue is ENGLISH:
            bare = percent(low)[:-1]
        else:
            bare = _localised(f"{100.0 * low:.0f}", tongue) if math.isfinite(low) else "n/a"
        spread = _range(bare, percent(high, lang=tongue), False, tongue)
        return f"{percent(value, lang=tongue)} ({spread})"
    if kind == "points":
        spread = _range(points(low, lang=tongue), points(high, lang=tongue), True, tongue)
        # Translators: a change in percentage points and its range, e.g.
        # "+2.3 points (−0.5 to +4.1)".
        return tongue.gettext("{value} points ({range})").format(
            value=points(value, lang=tongue), range=spread
        )
    if kind == "money":
        return money(value, low, high, tongue)
    digits = 2 if kind == "index" else None
    shown = [number(v, digits, tongue) for v in (value, low, high)]
    return f"{shown[0]} ({_range(shown[1], shown[2], low < 0, tongue)})"


_UNITS = {"years": "duration-year", "months": "duration-month"}


def quantity(value: float, unit: str, lang: Language | str = ENGLISH) -> str:
    """A number and the unit it is counted in, as words read after it: years, months, EUR
    bn, EUR bn per year (``'2.50 years'``); any other unit goes unsaid."""
    tongue = _language(lang)
    shown = number(value, lang=tongue)
    if tongue is ENGLISH:
        return f"{shown} {unit}" if unit in (*_UNITS, "EUR bn", "EUR bn per year") else shown
    if unit in _UNITS and math.isfinite(value):
        # CLDR's unit patterns give the noun the form the number asks for ("2,50 року").
        exact = Decimal(number(value).replace(",", "").replace("−", "-"))
        places = len(str(exact).partition(".")[2])
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return _minus(format_unit(exact, _UNITS[unit], format=pattern, locale=tongue.locale))
    if unit == "EUR bn":
        # Translators: an amount in billions of euros, read after a comparison ("above").
        return tongue.gettext("{amount} EUR bn").format(amount=shown)
    if unit == "EUR bn per year":
        return tongue.gettext("{amount} EUR bn per year").format(amount=shown)
    return shown


def _range(low: str, high: str, signed: bool, lang: Language = ENGLISH) -> str:
    # An en dash between two signed numbers reads as a minus sign; spell it out.
    if signed:
        # Translators: a range between two signed numbers, e.g. "−0.5 to +4.1".
        return lang.gettext("{low} to {high}").format(low=low, high=high)
    return f"{low}–{high}"


def _language(lang: Language | str) -> Language:
    return lang if isinstance(lang, Language) else language(lang)


def _localised(shown: str, lang: Language) -> str:
    """A number written the English way (``-1,234.5``) with the locale's symbols instead, its
    digits unchanged."""
    if lang is ENGLISH:
        return shown
    sign = shown[0] if shown[:1] in ("-", "+") else ""
    body = shown[len(sign) :].replace(",", "")
    places = len(body.partition(".")[2])
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return sign + format_decimal(Decimal(body), pattern, locale=lang.locale)


def _pattern(lang: Language) -> str:
    pattern = lang.locale.percent_formats[None].pattern
    return str(pattern)


def _minus(text: str) -> str:
    return text.replace("-", "−")
