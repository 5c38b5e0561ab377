"""The brief's languages: gettext catalogues, and numbers, dates and country names as each
language writes them (Babel's CLDR data).

A brief is written in one :class:`Language`, made by :func:`language` and passed explicitly
to everything that words it: the templates' environment, the sentences of
:mod:`umbrella.report.narrative` and :mod:`umbrella.report.reader`, the numbers of
:mod:`umbrella.report.numbers`. Nothing here is global or mutable, so briefs in different
languages can be written side by side in one process.

English is the source language: its messages are the text itself, and it needs no catalogue.
The catalogue of every other language is ``<code>/LC_MESSAGES/brief.po`` in this folder,
compiled to ``brief.mo`` beside it (docs/brief.md, "Languages").
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from babel import Locale
from babel.dates import format_date, format_skeleton

from umbrella.errors import UsageError

__all__ = [
    "DOMAIN",
    "ENGLISH",
    "FINDINGS_TEXTS",
    "LANGUAGES",
    "N_",
    "Language",
    "catalogue",
    "extract_scenario",
    "language",
]

DOMAIN = "brief"
"""The gettext domain: the catalogues' file name."""

LANGUAGES = ("en", "uk")
"""The languages a brief can be written in; the first is the source language."""

FOLDER = Path(__file__).resolve().parent

# English writes dates the British way (day, month, year) and needs them unchanged; other
# languages use their CLDR formats, which also put each month in the right grammatical form
# (Ukrainian: "1 листопада 2026" with the day, but "листопад 2026" for a month on its own).
_ENGLISH_DATES = {"day": "d MMMM y", "short": "d MMM y", "month": "MMMM y"}


def N_(message: str) -> str:  # noqa: N802 - gettext's name for it, which Babel extracts
    """Mark ``message`` for the catalogue where it is defined; it is translated where it is
    printed (``language.gettext(message)``)."""
    return message


FINDINGS_TEXTS = (
    # Roles in the table of forces.
    N_("guarantor"),
    N_("challenger"),
    # How scenario discovery defines failure.
    N_("below the threshold"),
    N_("in its worst tenth of futures"),
    # The items of the provenance table.
    N_("run id"),
    N_("scenario"),
    N_("evidence as of"),
    N_("futures"),
    N_("seed"),
    N_("umbrella"),
    N_("numpy"),
    N_("sampler"),
    N_("scenario hash"),
    N_("data version"),
    N_("started"),
    N_("finished"),
    N_("store"),
    # The groups of assumptions the value of information reports
    # (umbrella.explore.voi.GROUPS and OTHER).
    N_("US reliability"),
    N_("European reliability"),
    N_("evidence model"),
    N_("Russian resolve"),
    N_("crisis frequency"),
    N_("game payoffs"),
    N_("commitments and forces"),
    N_("costs"),
    N_("proliferation"),
    N_("Ukraine"),
    N_("implementation"),
    N_("option delivery"),
    N_("stress tests"),
    N_("other"),
)
"""Words the findings hold in English (:mod:`umbrella.report.findings`) that the brief
prints: marked here so that they are in the catalogue."""


@dataclass(frozen=True, eq=False)
class Language:
    """One language of the brief: its messages, its locale for numbers and dates."""

    code: str
    locale: Locale
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """``message`` in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message that fits the count ``n`` in this language."""
        return self.translations.ngettext(singular, plural, n)

    def text(self, original: str) -> str:
        """A text of the scenario or the world dataset (an option's name, a stress test's
        label) in this language where the catalogue has it, else as written."""
        return self.translations.gettext(original) if original else original

    def country(self, code: str, name: str) -> str:
        """The state ``code`` (ISO 3166-1 alpha-3) by its name in this language: ``name``,
        the dataset's, in English; CLDR's where it has one."""
        if self.code == LANGUAGES[0]:
            return name
        import pycountry

        record = pycountry.countries.get(alpha_3=code)
        there = self.locale.territories.get(record.alpha_2) if record is not None else None
        return str(there) if there else name

    def date(self, day: dt.date) -> str:
        """A day in full: ``1 November 2026``."""
        if self.code == LANGUAGES[0]:
            return format_date(day, _ENGLISH_DATES["day"], locale=self.locale)
        return format_date(day, "long", locale=self.locale)

    def short_date(self, day: dt.date) -> str:
        """A day with its month abbreviated: ``1 Nov 2026``."""
        if self.code == LANGUAGES[0]:
            return format_date(day, _ENGLISH_DATES["short"], locale=self.locale)
        return format_date(day, "medium", locale=self.locale)

    def month(self, day: dt.date) -> str:
        """A month on its own: ``November 2026``."""
        if self.code == LANGUAGES[0]:
            return format_date(day, _ENGLISH_DATES["month"], locale=self.locale)
        return format_skeleton("yMMMM", day, locale=self.locale)


def catalogue(code: str) -> Path:
    """The compiled catalogue of the language ``code``."""
    return FOLDER / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def language(code: str = LANGUAGES[0]) -> Language:
    """The language ``code`` (one of :data:`LANGUAGES`), its catalogue loaded once.

    >>> language("uk").gettext("Conclusion")
    'Висновок'
    >>> language().gettext("Conclusion")
    'Conclusion'
    """
    if code not in LANGUAGES:
        raise UsageError(f"--lang: unknown language {code}; choose from {', '.join(LANGUAGES)}")
    translations = gettext.NullTranslations()
    if code != LANGUAGES[0]:
        with catalogue(code).open("rb") as compiled:
            translations = gettext.GNUTranslations(compiled)
    return Language(code=code, locale=Locale.parse(code), translations=translations)


ENGLISH = language(LANGUAGES[0])
"""The source language, the default of every function that words the brief."""


def extract_scenario(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extractor (babel.cfg): the texts of the scenario in ``fileobj`` that the brief
    prints (its title and description, the options' names, the stress tests' labels...),
    as :func:`umbrella.report.build.scenario_texts` lists them."""
    from umbrella.model.scenario import load_scenario
    from umbrella.report.build import scenario_texts

    scenario = load_scenario(Path(fileobj.name))
    note = f"A text of the scenario {scenario.name}, its world dataset or the findings."
    for text in scenario_texts(scenario):
        yield 1, "gettext", text, [note]
