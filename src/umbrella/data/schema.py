"""Typed records of the world dataset.

One pydantic model per table (see ``docs/data.md``). The models check everything that can
be checked on a record alone: types, allowed values, id formats, dates, and that every
estimate lies inside its own range. Checks across records (cited sources exist, actors are
known) live in :mod:`umbrella.data.check`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

__all__ = [
    "DATASET_YEAR",
    "ORGANISATIONS",
    "TABLES",
    "Actor",
    "Agreement",
    "Borders",
    "Commitment",
    "Crisis",
    "Deployment",
    "Elections",
    "Estimate",
    "Event",
    "Force",
    "Membership",
    "Option",
    "Poll",
    "Quote",
    "Record",
    "Source",
    "TrustEffect",
]

ORGANISATIONS = ("NATO", "EU", "CSTO")
DATASET_YEAR = 2026
"""The year of the dataset's date (1 November 2026), from which elections are counted."""
_ISO3 = frozenset(country.alpha_3 for country in pycountry.countries)


def _check_iso3(code: str) -> str:
    if code not in _ISO3:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-3 country code (e.g. POL, GBR)")
    return code


def _check_party(code: str) -> str:
    return code if code in ORGANISATIONS else _check_iso3(code)


def _partial_date(value: Any) -> Any:
    """YAML reads ``2025`` as an int and ``2025-06-16`` as a date: bring both back to text."""
    if isinstance(value, int | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _check_partial_date(text: str) -> str:
    parts = text.split("-")
    try:
        dt.date(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else 1,
            int(parts[2]) if len(parts) > 2 else 1,
        )
    except (ValueError, IndexError):
        raise ValueError(f"'{text}' is not a real date (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return text


def _past_date(day: dt.date) -> dt.date:
    if day > dt.date.today():
        raise ValueError(
            f"{day} is in the future; the dataset records what has happened (add it once it has)"
        )
    return day


def _past_partial_date(text: str) -> str:
    if text > dt.date.today().isoformat()[: len(text)]:
        raise ValueError(f"{text} is in the future; the dataset records what has been published")
    return text


Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=80)
]
ISO3 = Annotated[str, AfterValidator(_check_iso3)]
Party = Annotated[str, AfterValidator(_check_party)]
PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date),
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    AfterValidator(_check_partial_date),
    AfterValidator(_past_partial_date),
]
PastDate = Annotated[dt.date, AfterValidator(_past_date)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Year = Annotated[int, Field(ge=1900, le=2100)]
SourceIds = Annotated[list[Slug], Field(min_length=1)]


class Record(BaseModel):
    """Base of every dataset record: strict about unknown fields, immutable once read, and
    no number that is not finite (NaN or infinity would pass every range check)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str

    def cited_sources(self) -> dict[str, list[str]]:
        """Source ids cited by this record, keyed by the dotted field that cites them."""
        return _collect_sources(self, "")


def _collect_sources(model: BaseModel, prefix: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if name == "sources" and isinstance(value, list):
            found[path] = list(value)
        elif name == "source" and isinstance(value, str):
            found[path] = [value]
        elif isinstance(value, BaseModel):
            found |= _collect_sources(value, f"{path}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found |= _collect_sources(item, f"{path}[{index}].")
    return found


class Estimate(BaseModel):
    """A sourced number: a central value, the range sources give, the year it describes."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float
    low: float | None = None
    high: float | None = None
    year: Year
    sources: SourceIds
    note: Text | None = None

    @field_validator("low")
    @classmethod
    def _low_below_value(cls, low: float | None, info: ValidationInfo) -> float | None:
        value = info.data.get("value")
        if low is not None and value is not None and low > value:
            raise ValueError(f"must be <= value (got low {low} > value {value}); swap them")
        return low

    @field_validator("high")
    @classmethod
    def _high_above_value(cls, high: float | None, info: ValidationInfo) -> float | None:
        value = info.data.get("value")
        if high is not None and value is not None and high < value:
            raise ValueError(f"must be >= value (got high {high} < value {value}); swap them")
        return high

    @property
    def lower(self) -> float:
        """The low end of the range (the value itself where sources agree)."""
        return self.value if self.low is None else self.low

    @property
    def upper(self) -> float:
        """The high end of the range (the value itself where sources agree)."""
        return self.value if self.high is None else self.high

    def columns(self, name: str, *, note: bool = False) -> dict[str, Any]:
        """The estimate as the columns of a table row: ``name`` (the value), ``name_low``,
        ``name_high``, ``name_year``, ``name_sources`` and, with ``note``, ``name_note``."""
        row: dict[str, Any] = {
            name: self.value,
            f"{name}_low": self.lower,
            f"{name}_high": self.upper,
            f"{name}_year": self.year,
            f"{name}_sources": list(self.sources),
        }
        if note:
            row[f"{name}_note"] = self.note
        return row


def _between(high: float, unit: str) -> AfterValidator:
    """A check that an estimate's whole range lies in [0, ``high``] (``unit``): the
    physically or logically possible values, far beyond any plausible one, so that a
    mistyped number (a share of GDP in per mille, a population in people) is caught."""

    def check(estimate: Estimate) -> Estimate:
        if estimate.lower < 0:
            raise ValueError(f"must be >= 0 (got {estimate.lower})")
        if estimate.upper > high:
            raise ValueError(
                f"must be at most {high:,g} {unit} (got {estimate.upper:,g}); check the unit"
            )
        return estimate

    return AfterValidator(check)


Percent = Annotated[Estimate, _between(100.0, "per cent")]
Millions = Annotated[Estimate, _between(2_000.0, "million people")]
UsdBn = Annotated[Estimate, _between(100_000.0, "USD bn")]
EurBn = Annotated[Estimate, _between(10_000.0, "EUR bn")]
Warheads = Annotated[Estimate, _between(100_000.0, "warheads")]
Boats = Annotated[Estimate, _between(100.0, "submarines")]
Years = Annotated[Estimate, _between(200.0, "years")]


class Source(Record):
    """A publication that figures and events are taken from."""

    id: Slug
    kind: Literal["primary", "secondary", "assumption"]
    publisher: Text
    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^(https?://\S+|about:umbrella-assumption)$")]
    published: PartialDate
    via: Text | None = None
    accessed: Text | None = None
    # For a re-report: whether the original publication's own reference (publisher, title,
    # date above, and its address) was confirmed in a stored copy, and where or why not.
    primary: Literal["verified", "not verified"] | None = Field(default=None, validate_default=True)
    primary_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    primary_checked: Text | None = Field(default=None, validate_default=True)
    note: Text | None = Field(default=None, validate_default=True)

    @field_validator("url")
    @classmethod
    def _published_sources_have_addresses(cls, url: str, info: ValidationInfo) -> str:
        if info.data.get("kind") in ("primary", "secondary") and not url.startswith("http"):
            raise ValueError(f"a published source needs an http(s) address (got '{url}')")
        return url

    @field_validator("primary")
    @classmethod
    def _re_reports_say_where_the_original_is(
        cls, primary: str | None, info: ValidationInfo
    ) -> str | None:
        if info.data.get("kind") == "secondary" and primary is None:
            raise ValueError(
                "a secondary source needs 'primary: verified' (with primary_url) or "
                "'primary: not verified' (with primary_checked saying why)"
            )
        return primary

    @field_validator("primary_checked")
    @classmethod
    def _primary_reference_complete(cls, checked: str | None, info: ValidationInfo) -> str | None:
        primary = info.data.get("primary")
        if primary == "verified" and info.data.get("primary_url") is None:
            raise ValueError("a verified primary reference needs its primary_url")
        if primary is not None and checked is None:
            raise ValueError("say where the primary reference was confirmed, or why it was not")
        return checked

    @field_validator("note")
    @classmethod
    def _assumptions_explained(cls, note: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind") == "assumption" and note is None:
            raise ValueError("an assumption needs a note giving its reasoning")
        return note


class Membership(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    org: Literal["NATO", "EU", "CSTO"]
    since: Year
    status: Literal["member", "candidate"] = "member"

    @field_validator("since")
    @classmethod
    def _not_in_the_future(cls, since: int) -> int:
        if since > dt.date.today().year:
            raise ValueError(
                f"{since} is in the future; record a membership once it has begun (a "
                "candidate's application year, a member's accession year)"
            )
        return since


class Borders(BaseModel):
    """The states a state shares a land border with, and where that is read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    states: Annotated[list[ISO3], Field(min_length=1)]
    sources: SourceIds


class Elections(BaseModel):
    """When a state next chooses the government (or the president, where the president
    decides on defence): the latest the law allows, and the term that follows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: Text  # what is elected: "President of the Republic", "House of Commons"
    # The calendar year of the latest date the law allows for the next election after the
    # dataset's date (early elections are not modelled).
    next: Year
    # The legal maximum term: later elections are taken to fall every so many years.
    every_years: Annotated[int, Field(ge=1, le=7)]
    rule: Text  # one sentence: the legal rule and the last election it counts from
    sources: SourceIds

    @field_validator("next")
    @classmethod
    def _after_the_dataset_date(cls, year: int) -> int:
        if year < DATASET_YEAR:
            raise ValueError(
                f"must not be before {DATASET_YEAR}, the year of the dataset's date (got "
                f"{year}): give the next election the law requires after 1 November "
                f"{DATASET_YEAR}"
            )
        return year

    @field_validator("every_years")
    @classmethod
    def _next_within_one_term(cls, every_years: int, info: ValidationInfo) -> int:
        # A term under way on the dataset's date ends within one legal term of it (a year
        # more where a term after an early election runs to a fixed season, as in the
        # Netherlands).
        year = info.data.get("next")
        if year is not None and year > DATASET_YEAR + every_years + 1:
            raise ValueError(
                f"next election {year} is more than one {every_years}-year term after "
                f"{DATASET_YEAR}, the year of the dataset's date; check next and every_years"
            )
        return every_years


class Actor(Record):
    """A state, keyed by its ISO 3166-1 alpha-3 code."""

    id: ISO3
    name: Text
    region: Literal["europe", "north_america", "asia"]
    memberships: list[Membership] = []
    nuclear_status: Literal[
        "nuclear_weapon_state", "hosts_us_weapons", "hosts_russian_weapons", "non_nuclear"
    ]
    population_m: Millions | None = None
    gdp_usd_bn: UsdBn | None = None
    defence_usd_bn: UsdBn | None = None
    defence_pct_gdp: Percent | None = None
    land_borders: Borders | None = None  # recorded where a scenario's rule needs it
    elections: Elections | None = None  # recorded for the states options need to agree
    sources: list[Slug] = []

    def member_of(self, org: str, on: dt.date | None = None) -> bool:
        """Whether the actor is a full member of ``org`` (in the year of ``on`` if given)."""
        return any(
            m.org == org and m.status == "member" and (on is None or m.since <= on.year)
            for m in self.memberships
        )


Leg = Literal["sea", "air", "land"]


class Force(Record):
    """Aggregate public estimates of one nuclear-armed state's forces in one year."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}-\d{4}$")]
    state: ISO3
    year: Year
    stockpile: Warheads
    inventory: Warheads
    deployed: Warheads | None = None
    legs: Annotated[list[Leg], Field(min_length=1)]
    ssbns: Boats
    nuclear_spending_usd_bn: UsdBn | None = None
    summary: Text
    sources: SourceIds

    @field_validator("year")
    @classmethod
    def _id_matches(cls, year: int, info: ValidationInfo) -> int:
        record_id, state = info.data.get("id"), info.data.get("state")
        if record_id is not None and state is not None and record_id != f"{state}-{year}":
            raise ValueError(f"record id '{record_id}' must be '{state}-{year}' (state-year)")
        return year

    @field_validator("inventory")
    @classmethod
    def _inventory_holds_the_stockpile(cls, inventory: Estimate, info: ValidationInfo) -> Estimate:
        stockpile = info.data.get("stockpile")
        if stockpile is not None and inventory.value < stockpile.value:
            raise ValueError(
                f"must be >= stockpile (got {inventory.value:g} < {stockpile.value:g}): the "
                "inventory is the stockpile plus retired warheads"
            )
        return inventory

    @field_validator("deployed")
    @classmethod
    def _deployed_within_the_stockpile(
        cls, deployed: Estimate | None, info: ValidationInfo
    ) -> Estimate | None:
        stockpile = info.data.get("stockpile")
        if deployed is not None and stockpile is not None and deployed.value > stockpile.value:
            raise ValueError(
                f"must be <= stockpile (got {deployed.value:g} > {stockpile.value:g}): "
                "deployed warheads are part of the stockpile"
            )
        return deployed


class Deployment(Record):
    """Nuclear weapons one state keeps on the territory of others."""

    id: Slug
    owner: ISO3
    hosts: Annotated[list[ISO3], Field(min_length=1)]
    weapons: Warheads | None = None
    status: Literal["estimated", "reported", "announced", "confirmed"]
    since: PastDate | None = None
    summary: Text
    sources: SourceIds


CommitmentKind = Literal[
    "collective_defence",
    "extended_nuclear_deterrence",
    "nuclear_sharing",
    "eu_mutual_assistance",
    "bilateral_security_agreement",
    "mutual_defence_treaty",
    "nuclear_coordination",
    "security_assurance",
]


class Commitment(Record):
    """A guarantee from each guarantor to each protege."""

    id: Slug
    kind: CommitmentKind
    guarantors: Annotated[list[Party], Field(min_length=1)]
    proteges: Annotated[list[Party], Field(min_length=1)]
    legal_basis: Text
    binding: Literal["treaty", "political"]
    nuclear: bool
    start: PastDate
    end: dt.date | None = None
    summary: Text
    sources: SourceIds

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"must not be before start (got {end} < {start})")
        return end


class Quote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Text
    speaker: Text
    source: Slug


class TrustEffect(BaseModel):
    """umbrella's reading of what an event says about one guarantor's reliability."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    guarantor: ISO3
    sign: Literal[-1, 0, 1]
    protege: ISO3 | None = None
    strength: Literal["minor", "moderate", "major"] = "moderate"


EventKind = Literal[
    "reassurance", "withholding", "coordination", "capability", "statement", "challenge"
]
_EVENT_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(-[a-z0-9]+)*$")


class Event(Record):
    """A dated piece of evidence about a guarantee, with quotes and sources."""

    id: Annotated[str, StringConstraints(pattern=_EVENT_ID.pattern, max_length=100)]
    date: PastDate
    end_date: dt.date | None = None
    date_note: Text | None = None
    actors: Annotated[list[Party], Field(min_length=1)]
    kind: EventKind
    summary: Text
    quotes: list[Quote] = []
    effects: list[TrustEffect] = []
    coding: Text  # one line: why these effects, by the coding protocol (docs/trust.md)
    sources: SourceIds

    @field_validator("date")
    @classmethod
    def _matches_id(cls, date: dt.date, info: ValidationInfo) -> dt.date:
        record_id = info.data.get("id")
        if record_id is not None and record_id[:10] != date.isoformat():
            raise ValueError(
                f"{date} does not match the id '{record_id}', which must start with it"
            )
        return date

    @field_validator("end_date")
    @classmethod
    def _after_date(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        date = info.data.get("date")
        if end is not None and date is not None and end < date:
            raise ValueError(f"must not be before date (got {end} < {date})")
        return end


class Agreement(BaseModel):
    """The governments that must agree for an option to be agreed and delivered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    governments: list[ISO3]  # empty where nothing new has to be agreed
    note: Text  # why these governments
    sources: SourceIds

    @field_validator("governments")
    @classmethod
    def _each_once(cls, governments: list[str]) -> list[str]:
        repeated = sorted({code for code in governments if governments.count(code) > 1})
        if repeated:
            raise ValueError(f"names {', '.join(repeated)} more than once; list each once")
        return governments


class Option(Record):
    """A policy option, with its costs and time to effect."""

    id: Slug
    name: Text
    category: Literal["nuclear", "non_nuclear"]
    description: Text
    capex_eur_bn: EurBn
    opex_eur_bn_per_year: EurBn
    years_to_first_effect: Years
    years_to_full_effect: Years
    agreement: Agreement
    rationale: Text
    sources: SourceIds

    @field_validator("years_to_full_effect")
    @classmethod
    def _after_first_effect(cls, full: Estimate, info: ValidationInfo) -> Estimate:
        first = info.data.get("years_to_first_effect")
        if first is not None and first.value > full.value:
            raise ValueError(f"must be >= years_to_first_effect (got {full.value} < {first.value})")
        return full


class Crisis(Record):
    """One militarised dispute or international crisis between the challenger and a European
    state, as a dataset records it, or a dated fact the backtests score against."""

    id: Slug
    dataset: Literal["MID", "ICB", "event"]
    version: Text | None = Field(default=None, validate_default=True)  # and last year covered
    year: Year
    challenger: ISO3  # the side that acted first (MID side A, ICB triggering entity)
    target: ISO3
    challenge: bool  # the challenger (Russia) challenged the target; False for a non-event
    level: Text  # hostility level or type, as the dataset codes it
    start: PartialDate  # when the challenger's first action began, as precisely as known
    # The challenger's own highest action on the MID scale: 1 none, 2 threat, 3 display,
    # 4 use of force, 5 war or seizure of territory (docs/data.md).
    hostility: Annotated[int, Field(ge=1, le=5)]
    description: Text
    excerpt: Text  # the dataset's row or the source's words, verbatim
    sources: SourceIds

    @field_validator("start")
    @classmethod
    def _starts_in_its_year(cls, start: str, info: ValidationInfo) -> str:
        year = info.data.get("year")
        if year is not None and not start.startswith(str(year)):
            raise ValueError(f"{start} is not in the row's year {year}")
        return start

    @field_validator("version")
    @classmethod
    def _datasets_name_their_version(cls, version: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("dataset") in ("MID", "ICB") and version is None:
            raise ValueError("a dataset row needs the dataset's version and last year covered")
        return version


class Poll(Record):
    """One published survey figure on whether a guarantor is a reliable ally or would
    defend one: the share of respondents giving an answer, with the question as published
    and the words of the source that carry the number."""

    id: Slug
    series: Slug  # the same question asked by the same pollster over time
    publisher: Text  # who ran or commissioned the survey
    guarantor: ISO3  # the state the question is about
    scope: Literal["national", "median", "average", "pooled"]
    country: ISO3 | None = Field(default=None, validate_default=True)  # respondents, if national
    countries: list[ISO3] = []  # the countries a median, average or pooled figure spans
    scope_note: Text | None = None
    fieldwork: PartialDate  # fieldwork start (or the release, where no fieldwork is given)
    question: Text
    answer: Text  # the answer counted; "(negative measure)" where it counts distrust
    share_pct: Annotated[float, Field(ge=0.0, le=100.0)]
    sample_size: Annotated[int, Field(ge=1)] | None = None
    excerpt: Text  # the source's words that give the number, verbatim
    note: Text | None = None
    sources: SourceIds

    @field_validator("country")
    @classmethod
    def _national_has_a_country(cls, country: str | None, info: ValidationInfo) -> str | None:
        scope = info.data.get("scope")
        if scope == "national" and country is None:
            raise ValueError("a national figure needs the respondents' country")
        if scope not in (None, "national") and country is not None:
            raise ValueError(f"a {scope} figure names its countries in 'countries', not here")
        return country

    @property
    def negative(self) -> bool:
        """Whether the answer counted is distrust (a share to read the other way)."""
        return "negative" in self.answer


TABLES: dict[str, type[Record]] = {
    "sources": Source,
    "actors": Actor,
    "forces": Force,
    "deployments": Deployment,
    "commitments": Commitment,
    "events": Event,
    "options": Option,
    "polls": Poll,
    "crises": Crisis,
}
"""Every table of the dataset, in the order they depend on each other."""
