"""Scenario files: who guards whom against whom, which options, and what is assumed.

A scenario is a YAML file in the format of ``docs/scenarios.md``. :func:`load_scenario`
reads one (by default the flagship ``europe-2026`` shipped with umbrella), checks it against
the world dataset and the assumption registry, and resolves it into a frozen
:class:`Scenario`: proteges expanded to actor ids, options as specs with the status quo
first, and the registry with the scenario's changes applied.

Every problem raises :class:`~umbrella.errors.ScenarioError` with one line,
``FILE:LINE: FIELD: message``. All problems are collected first, structural ones (types,
missing and unknown fields, ranges) and references alike (actors, options, levers,
assumptions), and the earliest in the file is reported.

>>> scenario = load_scenario()
>>> scenario.challenger, scenario.guarantors
('RUS', ('USA', 'GBR', 'FRA'))
>>> [option.id for option in scenario.options][:2]
['status-quo', 'uk-france-coordination']
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from umbrella.assumptions import Assumption
from umbrella.data import World, load_world
from umbrella.data.safeyaml import (
    SCENARIO_LIMITS,
    YamlLimitError,
    check_text,
    limited_loader,
    read_limited,
)
from umbrella.data.schema import ISO3, ORGANISATIONS, Actor, Option
from umbrella.errors import DataError, ScenarioError, UsageError
from umbrella.model.credibility import COMMITMENT_KINDS
from umbrella.model.implementation import (
    IMPLEMENTATION_ASSUMPTIONS,
    Agreement,
    agreement_of,
    draw_assumption,
    draw_name,
)
from umbrella.model.levers import guarantor_of, lever_names
from umbrella.model.levers import lever as find_lever
from umbrella.model.registry import (
    MODEL_ASSUMPTIONS,
    OPTION_FIELDS,
    OPTION_LEVERS,
    OptionSpec,
    Part,
    Trigger,
    build_registry,
    catalogue_option,
    inline_option,
    override,
)
from umbrella.trust.assumptions import ASSUMPTIONS as TRUST_ASSUMPTIONS
from umbrella.trust.assumptions import HAND as HAND_TRUST
from umbrella.types import PathLike

__all__ = [
    "ProtegeGroup",
    "Scenario",
    "Stress",
    "flagship_path",
    "load_scenario",
    "parse_scenario",
    "with_stresses",
]

STATUS_QUO = "status-quo"
MAX_HORIZON_YEARS = 60
FieldPath = tuple[str | int, ...]
"""Where a value sits in the file: keys and list indices from the top."""

# The raw file -------------------------------------------------------------------------------


def _as_date(value: Any) -> Any:
    """Dates are read as text (see :class:`_Loader`); bring them to ``datetime.date``."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"'{value}' is not a real date ({error}); write YYYY-MM-DD") from None
    return value


def _not_after_today(day: dt.date) -> dt.date:
    today = dt.date.today()
    if day > today:
        raise ValueError(
            f"{day} is after today ({today}); as_of is the date of the evidence, so use "
            "today's date or an earlier one"
        )
    return day


def _number_as_default(value: Any) -> Any:
    """``name: 0.03`` is short for ``name: {default: 0.03}``."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return {"default": value} if is_number else value


def _proteges_kind(value: Any) -> str:
    return "~region" if isinstance(value, str) else "~list"


def _option_kind(value: Any) -> str:
    return "~id" if isinstance(value, str) else "~entry"


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
NonNegative = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class _When(_Strict):
    """A pathway's signpost: an assumption below or above a value, read in a year."""

    assumption: str
    below: float | None = None
    above: float | None = None
    read_by: int


class _Part(_Strict):
    """A part of a portfolio that starts some years after its option's own start, or of a
    pathway, which starts only where its signpost has fired (``when``)."""

    option: Slug
    delay: Annotated[float, Field(ge=0, le=30)] = 0.0
    when: _When | None = None
    scale: Annotated[float, Field(gt=0, le=1)] = 1.0


def _part_kind(value: Any) -> str:
    return "~id" if isinstance(value, str) else "~delayed"


_PartItem = Annotated[
    Annotated[Slug, Tag("~id")] | Annotated[_Part, Tag("~delayed")],
    Discriminator(_part_kind),
]


class _OptionEntry(_Strict):
    """An option written as a mapping: defined here, a catalogue option with changes, or a
    portfolio of the scenario's other options (``components``)."""

    id: Slug
    name: Text | None = None
    category: Literal["nuclear", "non_nuclear"] | None = None
    start_year: int | None = None
    years_to_first_effect: NonNegative | None = None
    years_to_full_effect: NonNegative | None = None
    capex_eur_bn: NonNegative | None = None
    opex_eur_bn_per_year: NonNegative | None = None
    levers: dict[str, float] | None = None
    targets: Annotated[list[str], Field(min_length=1)] | None = None
    components: list[_PartItem] | None = None  # 1 to PORTFOLIO_PARTS: _check_portfolio
    # The governments that must agree (docs/options.md, "Implementation risk"); for a
    # catalogue option, in place of the catalogue's.
    governments: list[ISO3] | None = None

    def parts(self) -> tuple[Part, ...]:
        """A portfolio's or pathway's parts; empty for an option."""
        return tuple(
            Part(part) if isinstance(part, str) else _resolved_part(part)
            for part in self.components or ()
        )

    def given(self) -> dict[str, float]:
        """The numeric fields this entry sets."""
        return {f: getattr(self, f) for f in OPTION_FIELDS if getattr(self, f) is not None}


class _Override(_Strict):
    """A change to one assumption: a new default, and optionally a new range."""

    default: float
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Override:
        low = self.default if self.low is None else self.low
        high = self.default if self.high is None else self.high
        if not low <= self.default <= high:
            raise ValueError(
                f"need low <= default <= high (got low {self.low}, default {self.default}, "
                f"high {self.high}); swap the bounds or move the default inside them"
            )
        return self


class _ProtegeGroup(_Strict):
    """A group of proteges the challenger weighs alike: its resolve and its crisis rate."""

    name: Slug
    members: Annotated[list[str], Field(min_length=1)] | None = None
    alliance: Text | Annotated[list[Text], Field(min_length=1)] | None = None
    borders: Annotated[list[str], Field(min_length=1)] | None = None
    resolve: Text
    crisis_rate: Text


class _ExposureGroup(_Strict):
    """A group of proteges reported together: listed, or by a rule of alliance and land
    borders, or the rest."""

    name: Slug
    description: Text | None = None
    members: Annotated[list[str], Field(min_length=1)] | None = None
    alliance: Text | Annotated[list[Text], Field(min_length=1)] | None = None
    borders: Annotated[list[str], Field(min_length=1)] | None = None


class _Stress(_Strict):
    """A stress from a year: a guarantor's commitments of some kinds end (``kind: exit``),
    or the challenger's resolve toward some protege groups rises (``kind: resolve``)."""

    id: Slug
    kind: Literal["exit", "resolve", "reversal"] = "exit"
    description: Text
    basis: Text
    year: Annotated[_Override, BeforeValidator(_number_as_default)]
    guarantor: str | None = None
    ends: Annotated[list[str], Field(min_length=1)] | None = None
    groups: Annotated[list[str], Field(min_length=1)] | None = None
    added: Annotated[_Override, BeforeValidator(_number_as_default)] | None = None
    flow: Annotated[_Override, BeforeValidator(_number_as_default)] | None = None
    test_year: int | None = None
    label: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None
    ) = None

    @model_validator(mode="after")
    def _complete(self) -> _Stress:
        needed = {
            "exit": ("guarantor", "ends"),
            "resolve": ("groups", "added"),
            "reversal": ("guarantor", "flow"),
        }[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a stress of kind {self.kind} needs {' and '.join(missing)}")
        return self


_OptionItem = Annotated[
    Annotated[Slug, Tag("~id")] | Annotated[_OptionEntry, Tag("~entry")],
    Discriminator(_option_kind),
]
_Proteges = Annotated[
    Annotated[Literal["europe"], Tag("~region")]
    | Annotated[list[str], Field(min_length=1), Tag("~list")],
    Discriminator(_proteges_kind),
]


class _ScenarioFile(_Strict):
    """The scenario file as written (docs/scenarios.md)."""

    name: Slug
    title: Text
    description: Annotated[str, StringConstraints(strip_whitespace=True)] = ""
    as_of: Annotated[dt.date, BeforeValidator(_as_date), AfterValidator(_not_after_today)]
    start_year: int
    horizon: int
    step_years: Annotated[int, Field(ge=1, le=5)] = 1
    challenger: str
    guarantors: Annotated[list[str], Field(min_length=1)]
    proteges: _Proteges
    game: Literal["extended", "rudimentary"] = "extended"
    data: Text | None = None
    population_weights: bool = True
    trust_assumptions: Literal["calibrated", "hand"] = "calibrated"
    implementation_risk: bool = True
    protege_groups: Annotated[list[_ProtegeGroup], Field(min_length=1)] | None = None
    coordination: Annotated[list[str], Field(min_length=2, max_length=2)] | None = None
    future_evidence: dict[str, Text] = {}
    supported: str | None = None
    proliferation_anchor: str | None = None
    exposure_groups: list[_ExposureGroup] = []
    stresses: list[_Stress] = []
    options: Annotated[list[_OptionItem], Field(min_length=1)]
    assumptions: dict[str, Annotated[_Override, BeforeValidator(_number_as_default)]] = {}

    @field_validator("horizon")
    @classmethod
    def _within_reach(cls, horizon: int, info: ValidationInfo) -> int:
        start = info.data.get("start_year")
        if start is None:
            return horizon
        if horizon < start:
            raise ValueError(f"must not be before start_year {start} (got {horizon})")
        if horizon > start + MAX_HORIZON_YEARS:
            raise ValueError(
                f"must be at most {MAX_HORIZON_YEARS} years after start_year, so "
                f"<= {start + MAX_HORIZON_YEARS} (got {horizon})"
            )
        return horizon


# The resolved scenario ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProtegeGroup:
    """Proteges the challenger weighs alike (``protege_groups`` in docs/scenarios.md), or
    reported together (``exposure_groups``).

    A protege belongs to the first group that lists it in ``members``, or whose rule it
    meets: a member, at the scenario's date, of one of the organisations in ``alliance``
    (where given) and sharing a land border with one of the states in ``borders`` (where
    given). A group with no members and no rule takes every protege. ``resolve`` and
    ``crisis_rate`` name the assumptions of the challenger's resolve toward the group and
    of its rate of crisis opportunities (empty for an exposure group).
    """

    name: str
    members: tuple[str, ...]
    alliance: tuple[str, ...]
    resolve: str
    crisis_rate: str
    borders: tuple[str, ...] = ()

    @property
    def rule(self) -> bool:
        """Whether the group selects by alliance or land borders."""
        return bool(self.alliance or self.borders)


@dataclass(frozen=True)
class Stress:
    """A stress of the scenario (``stresses`` in docs/scenarios.md). From the year that the
    assumption ``stress.<id>.year`` gives (sampled where it has a range): for ``exit``, the
    guarantor's commitments of the kinds in ``ends`` are no longer in force; for
    ``resolve``, the challenger's resolve toward the protege ``groups`` rises by the
    assumption ``stress.<id>.added``; for ``reversal``, the yearly flow of evidence about
    the guarantor becomes the assumption ``stress.<id>.flow``."""

    id: str
    kind: str
    description: str
    guarantor: str = ""
    ends: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    test_year: int | None = None  # the year stress tests fix it at (None: not tested)
    label: str = ""  # a short name for table headings (the id where none is given)

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.id)

    @property
    def year(self) -> str:
        """The name of the assumption that holds the stress's year."""
        return f"stress.{self.id}.year"

    @property
    def added(self) -> str:
        """The name of the assumption that holds what a ``resolve`` stress adds."""
        return f"stress.{self.id}.added"

    @property
    def flow(self) -> str:
        """The name of the assumption that holds a ``reversal`` stress's flow of evidence."""
        return f"stress.{self.id}.flow"


DEFAULT_GROUPS = (ProtegeGroup("all", (), (), "challenger.resolve_other", "crisis.rate_other"),)
"""The groups of a scenario that declares none: every protege alike."""


@dataclass(frozen=True, eq=False)
class Scenario:
    """A checked scenario, resolved against the world dataset and the assumption registry.

    ``proteges`` are actor ids ('europe' expanded); ``options`` start with the status quo;
    ``registry`` holds every assumption by name, the scenario's changes applied; ``years``
    are the years assessed, from ``start_year`` by ``step_years``, ending with ``horizon``.
    """

    name: str
    title: str
    description: str
    as_of: dt.date
    start_year: int
    horizon: int
    step_years: int
    years: tuple[int, ...]
    challenger: str
    guarantors: tuple[str, ...]
    proteges: tuple[str, ...]
    game: Literal["extended", "rudimentary"]
    data_dir: Path | None
    population_weights: bool
    options: tuple[OptionSpec, ...]
    registry: dict[str, Assumption] = field(repr=False)
    world: World = field(repr=False)
    path: Path | None = None
    protege_groups: tuple[ProtegeGroup, ...] = DEFAULT_GROUPS
    coordination: tuple[str, str] | None = None
    future_evidence: Mapping[str, str] = field(default_factory=dict)
    supported: str | None = None
    proliferation_anchor: str | None = None
    exposure_groups: tuple[ProtegeGroup, ...] = ()  # reporting groups (no resolve, no rate)
    stresses: tuple[Stress, ...] = ()
    text: str | None = field(default=None, repr=False)  # the file's text, as read
    # Per option with governments to agree, what the implementation-risk model reads
    # (umbrella.model.implementation); empty where the scenario has implementation risk off.
    agreements: Mapping[str, Agreement] = field(default_factory=dict)
    implementation_risk: bool = False  # whether options may stall (the file's switch)

    def option_field(
        self, option: str, field: str, value: Callable[[str], Any] | None = None
    ) -> Any:
        """Option ``option``'s ``field`` (``start_year``, ``years_to_first_effect``,
        ``years_to_full_effect``, ``capex_eur_bn``, ``opex_eur_bn_per_year``): the assumption
        ``option.<id>.<field>``, as ``value(name)`` gives it (by default its default; a
        column of futures works too). A portfolio has none of its own: its parts' by the
        rules of docs/options.md ("Portfolios"): the first effect and the start of its
        earliest part, the full effect of its latest, its parts' costs added, each part's
        years counted from the portfolio's start as it is delayed.
        """
        read = value or (lambda name: self.registry[name].default)
        spec = next((o for o in self.options if o.id == option), None)
        if spec is None or not spec.components:
            return read(f"option.{option}.{field}")
        begins = [part_start(part, read) for part in spec.components]
        fixed = [b for b, part in zip(begins, spec.components, strict=True) if not part.trigger]
        start = fixed[0]
        for other in fixed[1:]:
            start = np.minimum(start, other)
        if field == "start_year":
            return start
        if field in ("capex_eur_bn", "opex_eur_bn_per_year"):
            # A part that never starts (its signpost did not fire) costs nothing.
            total: Any = 0.0
            for part, begin in zip(spec.components, begins, strict=True):
                cost = read(f"option.{part.option}.{field}") * part.scale
                total = total + np.where(np.isfinite(begin), cost, 0.0)
            return total if np.ndim(total) else float(total)
        if field not in ("years_to_first_effect", "years_to_full_effect"):
            raise UsageError(f"a portfolio has no {field}")
        # Each part's years from the portfolio's start: its own, plus how much later it
        # starts; a part that never starts does not count.
        first = field == "years_to_first_effect"
        found: Any = None
        for part, begin in zip(spec.components, begins, strict=True):
            years = read(f"option.{part.option}.{field}") + (begin - start)
            years = np.where(np.isfinite(begin), years, np.inf if first else -np.inf)
            found = years if found is None else (np.minimum if first else np.maximum)(found, years)
        return found if np.ndim(found) else float(found)

    def exposure_of(self, protege: str) -> str | None:
        """The exposure group ``protege`` is reported in (the first that matches), if any."""
        return _first_match(self, self.exposure_groups, protege)

    def group_of(self, protege: str) -> ProtegeGroup:
        """The protege group ``protege`` belongs to (the first that matches)."""
        for group in self.protege_groups:
            if _belongs(self, group, protege):
                return group
        raise UsageError(
            f"protege {protege} is in no protege group; add a group without members or "
            "alliance as the last one"
        )


def _first_match(scenario: Scenario, groups: tuple[ProtegeGroup, ...], protege: str) -> str | None:
    for group in groups:
        if _belongs(scenario, group, protege):
            return group.name
    return None


def _belongs(scenario: Scenario, group: ProtegeGroup, protege: str) -> bool:
    """Whether ``protege`` is listed in ``group`` or meets its rule (see ProtegeGroup)."""
    if protege in group.members:
        return True
    if not group.rule:
        return not group.members
    actor = scenario.world.actor(protege)
    allied = not group.alliance or any(actor.member_of(o, scenario.as_of) for o in group.alliance)
    bordering = not group.borders or bool(scenario.world.neighbours(protege) & set(group.borders))
    return allied and bordering


def _alliances(alliance: str | list[str] | None) -> tuple[str, ...]:
    """``alliance`` as written (one organisation or a list) as a tuple."""
    if alliance is None:
        return ()
    return (alliance,) if isinstance(alliance, str) else tuple(alliance)


def flagship_path() -> Path:
    """The flagship scenario shipped with umbrella (``europe-2026``)."""
    return Path(str(resources.files("umbrella") / "scenarios" / "europe-2026.yaml"))


def shipped_scenarios() -> dict[str, Path]:
    """The scenarios shipped with umbrella, by name: the flagship and its variants."""
    folder = Path(str(resources.files("umbrella") / "scenarios"))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"), key=lambda p: p.stem)}


def load_scenario(path: PathLike | None = None) -> Scenario:
    """Read, check and resolve the scenario file at ``path`` (the flagship if ``None``).

    Parameters
    ----------
    path
        A scenario YAML file (docs/scenarios.md), or the name of a shipped scenario
        (``europe-2026-portfolios``) where no such file exists. Its ``data`` folder, if
        any, is read relative to the file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        On the first problem in file order, as one line ``FILE:LINE: FIELD: message``.
    """
    file = flagship_path() if path is None else Path(path)
    label = str(path) if path is not None else str(file)
    shipped = shipped_scenarios()
    if path is not None and str(path) in shipped and not file.exists():
        file = shipped[str(path)]  # a shipped scenario by its name
        label = str(file)
    if file.is_dir():
        raise ScenarioError(label, "is a folder; give the path of a scenario YAML file")
    try:
        text = read_limited(file, SCENARIO_LIMITS)
    except FileNotFoundError:
        raise ScenarioError(label, "file not found") from None
    except YamlLimitError as error:
        raise ScenarioError(label, str(error), error.line or 1, "-") from None
    except OSError as error:
        raise ScenarioError(label, f"cannot be read ({error.strerror or error})") from None
    return _parse(text, label, file.parent, file)


def parse_scenario(
    text: str,
    path_label: str,
    base_dir: PathLike | None = None,
    data_dir: PathLike | None = None,
) -> Scenario:
    """Check and resolve scenario ``text``; errors are reported against ``path_label``.

    ``base_dir`` is where a ``data`` folder is looked for (by default the folder of
    ``path_label``); ``data_dir``, if given, is read instead of the folder ``data`` names
    (a stored run's copy of it). Raises :class:`ScenarioError` as :func:`load_scenario` does.
    """
    base = Path(path_label).parent if base_dir is None else Path(base_dir)
    return _parse(text, path_label, base, None, None if data_dir is None else Path(data_dir))


def with_stresses(scenario: Scenario, years: Mapping[str, int]) -> Scenario:
    """``scenario`` with each named stress fixed at a year (``--stress us-exit:2030``).

    The change is written into the scenario's text as an assumption with no range, so that
    a run of the result stores, and can resume, exactly what was assessed.
    """
    known = {s.id: s for s in scenario.stresses}
    for name in years:
        if name not in known:
            listed = ", ".join(known) or "none"
            raise UsageError(f"--stress {name}: unknown stress; this scenario's stresses: {listed}")
    if scenario.text is None:
        raise UsageError("--stress needs a scenario read from a file")
    raw = yaml.safe_load(scenario.text)
    changes = raw.get("assumptions") or {}
    for name, year in years.items():
        changes[known[name].year] = {"default": year, "low": year, "high": year}
    raw["assumptions"] = changes
    text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    label = str(scenario.path) if scenario.path is not None else f"{scenario.name}.yaml"
    base = Path(label).parent
    return _parse(text, label, base, scenario.path)


# Reading and checking -----------------------------------------------------------------------


# The safe loader with limits (docs/scenarios.md), leaving dates as text so that a bad one
# is reported in place.
_Loader = limited_loader(SCENARIO_LIMITS, dates_as_text=True)


@dataclass(frozen=True)
class _Finding:
    line: int
    dotted: str
    message: str
    order: tuple[int, int, int]  # where the problem sits in the file, to find the first


@dataclass
class _Findings:
    """Problems found, each located at the YAML node of its field."""

    root: yaml.Node
    items: list[_Finding] = field(default_factory=list)
    # Each mapping's keys, indexed once: a file with many bad keys is located in linear time.
    keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict)

    def add(self, path: FieldPath, message: str, missing: bool = False) -> None:
        """Record a problem at ``path``; a ``missing`` field is shown at its mapping's start
        and ordered at its end, after any misspelt key that was meant to be it."""
        node, mark = _locate(self.root, path, self.keys)
        end = node.end_mark if missing else mark
        order = (end.line, end.column, -1 if missing else 0)
        self.items.append(_Finding(mark.line + 1, _dotted(path), message, order))

    def first(self) -> _Finding | None:
        return min(self.items, key=lambda f: f.order, default=None)


def _parse(
    text: str, label: str, base: Path, path: Path | None, data_dir: Path | None = None
) -> Scenario:
    root, raw = _read_yaml(text, label)
    findings = _Findings(root)
    _check_duplicate_keys(root, (), findings)
    model: _ScenarioFile | None = None
    try:
        model = _ScenarioFile.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors():
            # drop the union tags (named ~...) and the marker of a bad mapping key
            where = tuple(p for p in detail["loc"] if not (isinstance(p, str) and p[:1] == "~"))
            where = where[:-1] if where[-1:] == ("[key]",) else where
            findings.add(where, _schema_message(detail, where), detail["type"] == "missing")
    world, data_dir = _load_world(raw, base, findings, data_dir)
    _check_references(raw, world, findings)
    first = findings.first()
    if first is not None:
        raise ScenarioError(label, first.message, first.line, first.dotted)
    if model is None or world is None:  # every schema or data problem is a finding
        raise ScenarioError(label, "invalid scenario", 1, "-")
    scenario = _resolve(model, world, data_dir, path)
    _check_limits(scenario, raw, findings)
    first = findings.first()
    if first is not None:
        raise ScenarioError(label, first.message, first.line, first.dotted)
    return replace(scenario, text=text)


def _check_limits(scenario: Scenario, raw: Mapping[str, Any], findings: _Findings) -> None:
    """Every assumption the file sets lies within the values its unit allows
    (``umbrella.assumptions.LIMITS``), located where the file sets it."""
    given = raw.get("assumptions") if isinstance(raw.get("assumptions"), dict) else {}
    listed: list[Any] = raw["options"] if isinstance(raw.get("options"), list) else []
    stresses: list[Any] = raw["stresses"] if isinstance(raw.get("stresses"), list) else []
    for assumption in scenario.registry.values():
        problem = assumption.outside_limits()
        if problem is None:
            continue
        name = assumption.name
        where: FieldPath = ("assumptions",)
        if isinstance(given, dict) and name in given:
            where = ("assumptions", name)
        elif name.startswith(("option.", "stress.")) and name.count(".") == 2:
            kind, item, suffix = name.split(".")
            entries = listed if kind == "option" else stresses
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and entry.get("id") == item:
                    inside = isinstance(entry.get("levers"), dict) and suffix in entry["levers"]
                    where = (
                        ("options", index, "levers", suffix)
                        if inside
                        else (f"{kind}s", index, suffix)
                    )
        findings.add(where, problem if len(where) > 1 else f"{name}: {problem}")


def _read_yaml(text: str, label: str) -> tuple[yaml.Node, dict[str, Any]]:
    try:
        check_text(text, SCENARIO_LIMITS)
    except YamlLimitError as error:
        raise ScenarioError(label, str(error), error.line or 1, "-") from None
    try:
        # The reader checks the characters as the loader is made, before any parsing.
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        raise ScenarioError(
            label,
            f"character U+{code:04X} is not allowed in YAML; remove it (control characters "
            "other than tab and newline are refused)",
            line,
            "-",
        ) from None
    try:
        root = loader.get_single_node()
        raw = loader.construct_document(root) if root is not None else None
    except YamlLimitError as error:
        raise ScenarioError(label, str(error), error.line or 1, "-") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        column = f" (column {mark.column + 1})" if mark is not None else ""
        raise ScenarioError(
            label,
            f"YAML syntax error{column}: {reason}; check indentation, colons and quotes",
            mark.line + 1 if mark is not None else 1,
            "-",
        ) from None
    finally:
        loader.dispose()
    if root is None or not isinstance(raw, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise ScenarioError(
            label,
            "a scenario must be a YAML mapping of field: value (see docs/scenarios.md)",
            line,
            "-",
        )
    return root, raw


def _locate(
    root: yaml.Node,
    path: FieldPath,
    index: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] | None = None,
) -> tuple[yaml.Node, yaml.Mark]:
    """The node of ``path`` and the mark of its key (in a mapping) or item (in a list).

    Where the path leads nowhere (a missing field), the deepest node on it and its mark.
    """
    node, mark = root, root.start_mark
    for part in path:
        if isinstance(node, yaml.MappingNode):
            index = {} if index is None else index
            if id(node) not in index:
                # the loader keeps the last of duplicate keys, and so does the index
                index[id(node)] = {str(k.value): (k, v) for k, v in node.value}
            found = index[id(node)].get(str(part))
            if found is None:
                break
            key, node = found
            mark = key.start_mark
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return node, mark


def _dotted(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


def _check_duplicate_keys(node: yaml.Node, path: FieldPath, findings: _Findings) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                line = key.start_mark.line + 1
                message = f"given twice (lines {seen[name]} and {line}); keep one"
                order = (key.start_mark.line, key.start_mark.column, 0)
                findings.items.append(_Finding(line, _dotted((*path, name)), message, order))
            seen[name] = key.start_mark.line + 1
            _check_duplicate_keys(value, (*path, name), findings)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicate_keys(item, (*path, index), findings)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


def _bound(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _fields_at(path: FieldPath) -> list[str]:
    if len(path) == 3 and path[0] == "options":
        return list(_OptionEntry.model_fields)
    if len(path) == 3 and path[0] == "assumptions":
        return list(_Override.model_fields)
    return list(_ScenarioFile.model_fields)


def _schema_message(detail: ErrorDetails, path: FieldPath) -> str:
    kind, got, context = detail["type"], detail.get("input"), detail.get("ctx", {})
    shown = _show(got)
    if kind == "missing":
        return "required field is missing; add it (docs/scenarios.md lists every field)"
    if kind == "extra_forbidden":
        fields = _fields_at(path)
        close = difflib.get_close_matches(str(path[-1]), fields, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"the fields are: {', '.join(fields)}"
        return f"unknown field; {hint}"
    if path == ("proteges",) and kind in ("literal_error", "list_type"):
        return f"must be 'europe' or a list of actor ids such as [POL, DEU] (got {shown})"
    if len(path) == 2 and path[0] == "options" and kind == "model_type":
        return f"must be a catalogue option id or a mapping with an id (got {shown})"
    if path[:1] == ("assumptions",) and len(path) == 2 and kind == "model_type":
        return f"must be a number or a mapping {{default, low, high}} (got {shown})"
    if kind == "list_type":
        example = f"; write [{got}]" if isinstance(got, str) else ""
        return f"must be a list (got {shown}){example}"
    if kind in ("dict_type", "model_type"):
        return f"must be a mapping of field: value (got {shown})"
    if kind == "string_pattern_mismatch":
        return f"must be lower-case letters and digits joined by hyphens (got {shown})"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "date_type":
        return f"must be a date written YYYY-MM-DD (got {shown})"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    messages = {
        "int_type": "must be a whole number",
        "float_type": "must be a number",
        "bool_type": "must be true or false",
        "string_type": "must be text",
        "literal_error": f"must be {context.get('expected')}",
        "greater_than_equal": f"must be >= {_bound(context.get('ge'))}",
        "less_than_equal": f"must be <= {_bound(context.get('le'))}",
        "invalid_key": "must be the name of a field, as text",
    }
    message = messages.get(kind, str(detail["msg"]).replace("Input should be", "must be"))
    unquote = "; write it without quotes" if isinstance(got, str) and "number" in message else ""
    return f"{message} (got {shown}){unquote}"


def _load_world(
    raw: Mapping[str, Any], base: Path, findings: _Findings, copy: Path | None = None
) -> tuple[World | None, Path | None]:
    data = raw.get("data")
    if data is None:
        return load_world(), None
    if not isinstance(data, str) or not data.strip():
        return None, None  # reported by the schema
    folder = copy if copy is not None else base / data
    if not folder.is_dir():
        findings.add(
            ("data",),
            f"no folder '{folder}'; `data` names a folder of YAML tables, "
            "relative to the scenario file (or null)",
        )
        return None, None
    try:
        return load_world(folder), folder
    except DataError as error:
        problem = error.problems[0] if error.problems else error
        findings.add(
            ("data",),
            f"the data folder is invalid: {problem}; run `umbrella data check --data {folder}`",
        )
        return None, None


def _check_references(raw: Mapping[str, Any], world: World | None, findings: _Findings) -> None:
    """Checks across fields and against the world dataset, on the file as written."""
    if world is not None:
        _check_actors(raw, world, findings)
    catalogue = _catalogue(world) if world is not None else None
    guarantors = raw.get("guarantors")
    names = _check_options(
        raw.get("options"),
        catalogue,
        findings,
        [g for g in guarantors if isinstance(g, str)] if isinstance(guarantors, list) else [],
        raw,
    )
    if catalogue is not None:
        listed = raw.get("stresses")
        stresses = [s for s in listed if isinstance(s, dict)] if isinstance(listed, list) else []
        _check_assumptions(raw.get("assumptions"), names, catalogue, findings, stresses)
    _check_roles(raw, world, findings)


def _check_group(
    where: FieldPath, group: Mapping[str, Any], world: World | None, findings: _Findings
) -> None:
    """A group's members and land-border states are known actors; its alliances are known
    organisations."""
    alliance = group.get("alliance")
    listed = [alliance] if isinstance(alliance, str) else alliance
    for position, org in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(org, str) and org not in ORGANISATIONS:
            at = (
                (*where, "alliance")
                if isinstance(alliance, str)
                else (*where, "alliance", position)
            )
            findings.add(at, f"unknown organisation '{org}'; one of: {', '.join(ORGANISATIONS)}")
    if world is None:
        return
    for key in ("members", "borders"):
        codes = group.get(key)
        for position, code in enumerate(codes if isinstance(codes, list) else []):
            if isinstance(code, str) and code not in world.records["actors"]:
                findings.add((*where, key, position), _unknown_actor(code, world))
            elif key == "borders" and isinstance(code, str) and not world.neighbours(code):
                findings.add(
                    (*where, key, position),
                    f"no land borders are recorded for {code}; add land_borders to its "
                    "record in actors.yaml",
                )


def _check_roles(raw: Mapping[str, Any], world: World | None, findings: _Findings) -> None:
    """Protege groups, the coordinating pair, future evidence and the supported protege."""
    known = {a.name for a in (*TRUST_ASSUMPTIONS, *MODEL_ASSUMPTIONS)}
    listed = raw.get("guarantors")
    guarantors = [g for g in listed if isinstance(g, str)] if isinstance(listed, list) else []

    def assumption(where: FieldPath, name: Any) -> None:
        if isinstance(name, str) and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            findings.add(where, f"unknown assumption '{name}'; see `umbrella assumptions`{hint}")

    def guarantor(where: FieldPath, code: Any) -> None:
        if isinstance(code, str) and code not in guarantors:
            findings.add(where, f"'{code}' is not one of the guarantors ({', '.join(guarantors)})")

    groups = raw.get("protege_groups")
    group_names = (
        [str(g.get("name")) for g in groups if isinstance(g, dict)]
        if isinstance(groups, list)
        else ["all"]
    )
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if not isinstance(group, dict):
            continue
        for key in ("resolve", "crisis_rate"):
            assumption(("protege_groups", index, key), group.get(key))
        _check_group(("protege_groups", index), group, world, findings)
    options = raw.get("options")
    for index, entry in enumerate(options if isinstance(options, list) else []):
        if world is not None and isinstance(entry, dict):
            _check_governments(("options", index, "governments"), entry, world, findings)
        targets = entry.get("targets") if isinstance(entry, dict) else None
        if world is None or not isinstance(targets, list):
            continue
        for position, code in enumerate(targets):
            if isinstance(code, str) and code not in world.records["actors"]:
                findings.add(("options", index, "targets", position), _unknown_actor(code, world))
    guarantor(("proliferation_anchor",), raw.get("proliferation_anchor"))
    exposure = raw.get("exposure_groups")
    for index, group in enumerate(exposure if isinstance(exposure, list) else []):
        if isinstance(group, dict):
            _check_group(("exposure_groups", index), group, world, findings)
    stresses = raw.get("stresses")
    for index, stress in enumerate(stresses if isinstance(stresses, list) else []):
        if not isinstance(stress, dict):
            continue
        if stress.get("guarantor") is not None:
            guarantor(("stresses", index, "guarantor"), stress.get("guarantor"))
        listed = stress.get("groups")
        for position, name in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(name, str) and name not in group_names:
                findings.add(
                    ("stresses", index, "groups", position),
                    f"'{name}' is not one of the protege groups ({', '.join(group_names)})",
                )
        tested = stress.get("test_year")
        first, last = raw.get("start_year"), raw.get("horizon")
        if (
            isinstance(tested, int)
            and isinstance(first, int)
            and isinstance(last, int)
            and not first <= tested <= last
        ):
            findings.add(
                ("stresses", index, "test_year"),
                f"must lie from start_year {first} to horizon {last} (got {tested}); a stress "
                "tested after the horizon changes nothing",
            )
        ends = stress.get("ends")
        for position, kind in enumerate(ends if isinstance(ends, list) else []):
            if isinstance(kind, str) and kind not in COMMITMENT_KINDS:
                findings.add(
                    ("stresses", index, "ends", position),
                    f"unknown kind of commitment '{kind}'; kinds are: "
                    + ", ".join(COMMITMENT_KINDS),
                )
    pair = raw.get("coordination")
    if isinstance(pair, list):
        for index, code in enumerate(pair):
            guarantor(("coordination", index), code)
        if len(pair) == 2 and pair[0] == pair[1]:
            findings.add(("coordination", 1), "a guarantor cannot coordinate with itself")
    evidence = raw.get("future_evidence")
    for code, name in evidence.items() if isinstance(evidence, dict) else []:
        guarantor(("future_evidence", code), code)
        assumption(("future_evidence", code), name)
    supported = raw.get("supported")
    if (
        world is not None
        and isinstance(supported, str)
        and supported not in world.records["actors"]
    ):
        findings.add(("supported",), _unknown_actor(supported, world))


def _unknown_actor(code: str, world: World) -> str:
    close = difflib.get_close_matches(code.upper(), list(world.records["actors"]), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown actor '{code}'; use an ISO3 code from `umbrella data show actors`{hint}"


def _check_actors(raw: Mapping[str, Any], world: World, findings: _Findings) -> None:
    actors = world.records["actors"]
    armed = sorted(set(world.forces["state"]))
    challenger = raw.get("challenger")
    if isinstance(challenger, str) and challenger not in actors:
        findings.add(("challenger",), _unknown_actor(challenger, world))
    for role in ("guarantors", "proteges"):
        codes = raw.get(role)
        if not isinstance(codes, list):
            continue
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if not isinstance(code, str):
                continue
            where = (role, index)
            if code not in actors:
                findings.add(where, _unknown_actor(code, world))
            elif code == challenger:
                findings.add(
                    where, f"'{code}' is the challenger; it cannot also be one of the {role}"
                )
            elif code in seen:
                findings.add(where, f"'{code}' is listed twice; list each once")
            elif role == "guarantors" and code not in armed:
                findings.add(
                    where,
                    f"'{code}' fields no nuclear forces in the dataset; a "
                    f"guarantor needs a forces record (those with one: "
                    f"{', '.join(armed)})",
                )
            seen.add(code)


def _catalogue(world: World) -> dict[str, Option]:
    return {k: r for k, r in world.records["options"].items() if isinstance(r, Option)}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_options(
    options: Any,
    catalogue: Mapping[str, Option] | None,
    findings: _Findings,
    guarantors: list[str],
    raw: Mapping[str, Any],
) -> dict[str, set[str]]:
    """Check the options; return each option's assumption suffixes (fields and levers)."""
    names: dict[str, set[str]] = {STATUS_QUO: set(OPTION_FIELDS)}
    if not isinstance(options, list):
        return names
    seen: dict[str, int] = {}
    for index, item in enumerate(options):
        entry = item if isinstance(item, dict) else {"id": item}
        option_id = entry.get("id")
        if not isinstance(option_id, str):
            continue
        where: FieldPath = ("options", index) if isinstance(item, str) else ("options", index, "id")
        known = catalogue is None or option_id in catalogue
        if option_id in seen:
            findings.add(
                where,
                f"option '{option_id}' is listed twice (also options"
                f"[{seen[option_id]}]); list each option once",
            )
        elif isinstance(item, str) and not known:
            close = difflib.get_close_matches(option_id, list(catalogue or ()), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            findings.add(
                where,
                f"unknown option '{option_id}'; use an id from `umbrella data "
                f"show options`, or define the option with every field{hint}",
            )
        elif entry.get("components") is not None:
            _check_portfolio(entry, index, options, catalogue, findings, raw)
            seen.setdefault(option_id, index)
            names.setdefault(option_id, set())  # a portfolio has no numbers of its own
            continue
        elif not known:
            for name in ("name", "category", *OPTION_FIELDS, "levers"):
                if entry.get(name) is None:
                    findings.add(
                        ("options", index, name),
                        f"required: '{option_id}' is not in the catalogue, so give "
                        "every field, or use an id from `umbrella data show options`",
                        missing=True,
                    )
                    break
        seen.setdefault(option_id, index)
        levers = _check_levers(
            entry.get("levers"), ("options", index, "levers"), findings, guarantors
        )
        option = catalogue.get(option_id) if catalogue is not None else None
        _check_effect_years(entry, option, ("options", index), findings)
        pulled = set(OPTION_LEVERS.get(option_id, {})) if option is not None else set()
        names.setdefault(option_id, set()).update({*OPTION_FIELDS, *pulled, *levers})
    return names


PORTFOLIO_PARTS = 8
"""The most parts of a portfolio."""


def _check_governments(
    where: tuple[Any, ...], entry: Mapping[str, Any], world: World, findings: _Findings
) -> None:
    """An option's governments: known states, each with its elections recorded (the
    implementation-risk model reads them, docs/options.md)."""
    codes = entry.get("governments")
    if not isinstance(codes, list):
        return
    for position, code in enumerate(codes):
        if not isinstance(code, str) or len(code) != 3 or not code.isupper():
            continue  # the schema reports it
        if code not in world.records["actors"]:
            findings.add((*where, position), _unknown_actor(code, world))
        elif world.actor(code).elections is None:
            findings.add(
                (*where, position),
                f"{code} has no elections in the actors table; add them there (in your own "
                "data, --data DIR) or leave it out",
            )


PORTFOLIO_FIELDS = ("id", "name", "components")
"""What a portfolio entry may say: the rest is its parts' (docs/options.md, "Portfolios")."""


def _check_when(
    when: Mapping[str, Any], where: FieldPath, raw: Mapping[str, Any], findings: _Findings
) -> None:
    """A pathway's signpost: a model assumption (what the evidence reveals), one bound,
    read in a year of the assessment."""
    known = {a.name for a in (*TRUST_ASSUMPTIONS, *MODEL_ASSUMPTIONS)}
    name = when.get("assumption")
    if isinstance(name, str) and name not in known:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        findings.add(
            (*where, "assumption"),
            f"unknown assumption '{name}'; a signpost reads a trust or model assumption of "
            f"`umbrella assumptions`{hint}",
        )
    if (when.get("below") is None) == (when.get("above") is None):
        findings.add(where, "give one of `below` and `above`: the value that fires the signpost")
    year, start, horizon = when.get("read_by"), raw.get("start_year"), raw.get("horizon")
    if (
        isinstance(year, int)
        and isinstance(start, int)
        and isinstance(horizon, int)
        and not start <= year <= horizon
    ):
        findings.add(
            (*where, "read_by"),
            f"read the signpost within the assessment, {start} to {horizon} (got {year})",
        )


def _check_portfolio(
    entry: Mapping[str, Any],
    index: int,
    options: list[Any],
    catalogue: Mapping[str, Option] | None,
    findings: _Findings,
    raw: Mapping[str, Any],
) -> None:
    """A portfolio: a new id and a name, and parts that are other options of the scenario,
    each once, none itself a portfolio or aimed at chosen proteges."""
    option_id = entry["id"]
    if catalogue is not None and option_id in catalogue:
        findings.add(
            ("options", index, "id"),
            f"'{option_id}' is a catalogue option; give the portfolio an id of its own",
        )
    if not isinstance(entry.get("name"), str):
        findings.add(("options", index, "name"), "required: a portfolio needs a name", missing=True)
    for field_name in entry:
        if field_name not in PORTFOLIO_FIELDS:
            findings.add(
                ("options", index, field_name),
                f"a portfolio takes '{field_name}' from its parts; drop this line "
                "(a part may start later: {option: ID, delay: YEARS})",
            )
    listed: dict[str, Any] = {}
    for item in options:
        if isinstance(item, str):
            listed[item] = item
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            listed[item["id"]] = item
    parts = entry.get("components")
    if not isinstance(parts, list):
        return
    if not 1 <= len(parts) <= PORTFOLIO_PARTS:
        findings.add(
            ("options", index, "components"),
            f"a portfolio has 1 to {PORTFOLIO_PARTS} parts (got {len(parts)}); one part "
            "is an option taken in part or later",
        )
    if parts and all(isinstance(p, dict) and p.get("when") is not None for p in parts):
        findings.add(
            ("options", index, "components"),
            "a pathway needs a part without `when`: what it does before any signpost fires",
        )
    used: set[str] = set()
    for number, part in enumerate(parts):
        part_id = part.get("option") if isinstance(part, dict) else part
        if not isinstance(part_id, str):
            continue
        where: FieldPath = ("options", index, "components", number)
        if isinstance(part, dict) and isinstance(part.get("when"), dict):
            _check_when(part["when"], (*where, "when"), raw, findings)
        listed_as = listed.get(part_id)
        if part_id in used:
            findings.add(where, f"'{part_id}' is a part twice; list each part once")
        elif part_id == STATUS_QUO:
            findings.add(where, "the status quo is no part: every option is judged against it")
        elif listed_as is None:
            known = ", ".join(k for k in listed if k != option_id)
            findings.add(
                where,
                f"'{part_id}' is not among this scenario's options; a part must be one "
                f"(options: {known})",
            )
        elif isinstance(listed_as, dict) and listed_as.get("components") is not None:
            findings.add(where, f"'{part_id}' is itself a portfolio; list its parts instead")
        elif isinstance(listed_as, dict) and listed_as.get("targets") is not None:
            findings.add(
                where,
                f"'{part_id}' is aimed at chosen proteges (targets); a portfolio's parts "
                "reach every ally",
            )
        used.add(part_id)


def _check_levers(
    levers: Any, where: FieldPath, findings: _Findings, guarantors: list[str]
) -> list[str]:
    if not isinstance(levers, dict):
        return []
    names = lever_names(guarantors)
    for name, value in levers.items():
        lever = find_lever(str(name))
        owner = guarantor_of(str(name))
        if lever is None or (owner is not None and owner not in guarantors):
            close = difflib.get_close_matches(str(name), names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            findings.add(
                (*where, name),
                f"unknown lever '{name}'; {hint}levers are: {', '.join(names)}",
            )
        elif _is_number(value) and not lever.low <= value <= lever.high:
            findings.add(
                (*where, name),
                f"must lie in {lever.low:g}-{lever.high:g} ({lever.unit}) (got {value:g})",
            )
    return [str(name) for name in levers if find_lever(str(name)) is not None]


def _check_effect_years(
    entry: Mapping[str, Any], option: Option | None, where: FieldPath, findings: _Findings
) -> None:
    first: Any = entry.get("years_to_first_effect")
    full: Any = entry.get("years_to_full_effect")
    if option is not None:
        first = option.years_to_first_effect.value if first is None else first
        full = option.years_to_full_effect.value if full is None else full
    if not (_is_number(first) and _is_number(full)) or first <= full:
        return
    if entry.get("years_to_full_effect") is not None:
        findings.add(
            (*where, "years_to_full_effect"),
            f"must be >= years_to_first_effect (got {full:g} < {first:g})",
        )
    else:
        findings.add(
            (*where, "years_to_first_effect"),
            f"must be <= years_to_full_effect, {full:g} in the catalogue (got {first:g})",
        )


_HINTS = 10


def _check_assumptions(
    assumptions: Any,
    names: Mapping[str, set[str]],
    catalogue: Mapping[str, Option],
    findings: _Findings,
    stresses: list[dict[str, Any]],
) -> None:
    if not isinstance(assumptions, dict):
        return
    known = {a.name for a in (*TRUST_ASSUMPTIONS, *MODEL_ASSUMPTIONS, *IMPLEMENTATION_ASSUMPTIONS)}
    known |= {f"option.{oid}.{suffix}" for oid, suffixes in names.items() for suffix in suffixes}
    known |= {draw_name(oid) for oid in names}
    known |= {f"stress.{s['id']}.year" for s in stresses if isinstance(s.get("id"), str)}
    known |= {
        f"stress.{s['id']}.{field}"
        for s in stresses
        for field in ("added", "flow")
        if isinstance(s.get("id"), str) and s.get(field) is not None
    }
    hints = _HINTS  # a close match is suggested for the first few unknown names only
    for name, value in assumptions.items():
        where = ("assumptions", name)
        if not isinstance(name, str):
            continue
        if name not in known:
            option_id = name.split(".")[1] if name.count(".") == 2 else ""
            if name.startswith("option.") and option_id in catalogue and option_id not in names:
                message = (
                    f"option '{option_id}' is not among this scenario's options; add it "
                    "to `options` or drop this line"
                )
            else:
                hints -= 1
                close = difflib.get_close_matches(name, sorted(known), n=1) if hints >= 0 else []
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                message = f"unknown assumption '{name}'; see `umbrella assumptions`{hint}"
            findings.add(where, message)
            continue
        suffix = name.rsplit(".", 1)[-1] if name.startswith("option.") else ""
        given = [
            v for v in (value.values() if isinstance(value, dict) else [value]) if _is_number(v)
        ]
        lever = find_lever(suffix)
        if lever is not None and any(not lever.low <= v <= lever.high for v in given):
            findings.add(
                where, f"lever values must lie in {lever.low:g}-{lever.high:g} ({lever.unit})"
            )
        elif suffix in OPTION_FIELDS[1:] and any(v < 0 for v in given):
            findings.add(where, "must be >= 0")


# Resolving ----------------------------------------------------------------------------------


def _resolve(
    model: _ScenarioFile, world: World, data_dir: Path | None, path: Path | None
) -> Scenario:
    catalogue = _catalogue(world)
    items: list[str | _OptionEntry] = list(model.options)
    ids = [item if isinstance(item, str) else item.id for item in items]
    if STATUS_QUO in ids:
        items.insert(0, items.pop(ids.index(STATUS_QUO)))
    else:
        items.insert(0, STATUS_QUO)
    specs: list[OptionSpec] = []
    entries: list[Assumption] = []
    for item in items:
        if isinstance(item, _OptionEntry) and item.components is not None:
            continue  # a portfolio: once its parts are known
        spec, assumptions = _option(item, catalogue, model.start_year)
        specs.append(spec)
        entries.extend(assumptions)
    by_id = {spec.id: spec for spec in specs}
    for position, item in enumerate(items):
        if isinstance(item, _OptionEntry) and item.components is not None:
            specs.insert(position, _portfolio(item, by_id))
    registry = build_registry(
        world,
        specs,
        entries,
        HAND_TRUST if model.trust_assumptions == "hand" else TRUST_ASSUMPTIONS,
    )
    for stress in model.stresses:
        for entry in _stress_assumptions(stress):
            registry[entry.name] = entry
    risky = [spec for spec in specs if spec.governments] if model.implementation_risk else []
    if risky:
        for entry in IMPLEMENTATION_ASSUMPTIONS:
            registry[entry.name] = entry
        for spec in risky:
            registry[draw_name(spec.id)] = draw_assumption(spec.id, spec.name)
    for name, change in model.assumptions.items():
        registry[name] = override(registry, name, change.default, change.low, change.high)
    for stress in model.stresses:
        # A stress that cannot act before the horizon has nothing to sample: its effect's
        # range collapses to its default (an ensemble would only waste a dimension on it).
        if registry[f"stress.{stress.id}.year"].low > model.horizon:
            for field_name in ("added", "flow"):
                name = f"stress.{stress.id}.{field_name}"
                if name in registry:
                    entry = registry[name]
                    registry[name] = replace(entry, low=entry.default, high=entry.default)
    years = list(range(model.start_year, model.horizon + 1, model.step_years))
    if years[-1] != model.horizon:
        years.append(model.horizon)
    proteges = (
        tuple(model.proteges)
        if isinstance(model.proteges, list)
        else _europe(world, model.challenger, model.as_of)
    )
    for spec in specs:
        outside = sorted(set(spec.targets or ()) - set(proteges))
        if outside:
            raise UsageError(
                f"option {spec.id}: targets {', '.join(outside)} are not among the proteges"
            )
    agreements = {
        spec.id: agreement_of(
            spec.governments,
            _elections(world, spec),
            model.guarantors,
            proteges,
        )
        for spec in risky
    }
    return Scenario(
        name=model.name,
        title=model.title,
        description=model.description,
        as_of=model.as_of,
        start_year=model.start_year,
        horizon=model.horizon,
        step_years=model.step_years,
        years=tuple(years),
        challenger=model.challenger,
        guarantors=tuple(model.guarantors),
        proteges=proteges,
        game=model.game,
        data_dir=data_dir,
        population_weights=model.population_weights,
        options=tuple(specs),
        registry=registry,
        world=world,
        path=path,
        protege_groups=tuple(
            ProtegeGroup(
                g.name,
                tuple(g.members or ()),
                _alliances(g.alliance),
                g.resolve,
                g.crisis_rate,
                tuple(g.borders or ()),
            )
            for g in model.protege_groups
        )
        if model.protege_groups
        else DEFAULT_GROUPS,
        coordination=None
        if model.coordination is None
        else (model.coordination[0], model.coordination[1]),
        future_evidence=dict(model.future_evidence),
        supported=_supported(model.supported, proteges),
        proliferation_anchor=model.proliferation_anchor,
        exposure_groups=tuple(
            ProtegeGroup(
                g.name,
                tuple(g.members or ()),
                _alliances(g.alliance),
                "",
                "",
                tuple(g.borders or ()),
            )
            for g in model.exposure_groups
        ),
        stresses=tuple(
            Stress(
                s.id,
                s.kind,
                s.description,
                s.guarantor or "",
                tuple(s.ends or ()),
                tuple(s.groups or ()),
                s.test_year,
                s.label or "",
            )
            for s in model.stresses
        ),
        implementation_risk=model.implementation_risk,
        agreements=agreements,
    )


def _elections(world: World, spec: OptionSpec) -> dict[str, tuple[int, int]]:
    """Each government ``spec`` needs: its next election and term (the actors table)."""
    found: dict[str, tuple[int, int]] = {}
    for state in spec.governments:
        try:
            elections = world.actor(state).elections
        except UsageError:
            elections = None
        if elections is None:
            raise UsageError(
                f"option {spec.id}: government {state} has no elections recorded in the actors "
                "table; name states that have them (`umbrella data show actors`), or set "
                "implementation_risk: false"
            )
        found[state] = (int(elections.next), int(elections.every_years))
    return found


def _stress_assumptions(stress: _Stress) -> list[Assumption]:
    """The assumptions a stress declares: its year, and what it changes (its range as
    written, or none)."""
    fields = (
        ("year", stress.year, "year from which", "year"),
        (
            "flow",
            stress.flow,
            "evidence about the guarantor arriving each year once",
            "observations per year",
        ),
        (
            "added",
            stress.added,
            "added probability that the challenger is Hard once",
            "probability",
        ),
    )
    entries = []
    for field_name, given, meaning, unit in fields:
        if given is None:
            continue
        entries.append(
            Assumption(
                f"stress.{stress.id}.{field_name}",
                f"{meaning} {stress.description}",
                given.default,
                given.default if given.low is None else given.low,
                given.default if given.high is None else given.high,
                unit,
                stress.basis,
                distribution="discrete" if field_name == "year" else "uniform",
            )
        )
    return entries


def _supported(code: str | None, proteges: tuple[str, ...]) -> str | None:
    if code is not None and code not in proteges:
        raise UsageError(f"supported: '{code}' is not one of the scenario's proteges")
    return code


def _europe(world: World, challenger: str, as_of: dt.date) -> tuple[str, ...]:
    """Every European actor except the challenger and, if it is in the CSTO, its allies."""
    excluded = {challenger}
    if world.actor(challenger).member_of("CSTO", as_of):
        excluded |= set(world.members("CSTO", as_of))
    actors = world.records["actors"].values()
    return tuple(
        a.id
        for a in actors
        if isinstance(a, Actor) and a.region == "europe" and a.id not in excluded
    )


def _resolved_part(part: _Part) -> Part:
    when = part.when
    if when is None:
        return Part(part.option, float(part.delay), scale=float(part.scale))
    below = when.below is not None
    threshold = when.below if when.below is not None else when.above
    assert threshold is not None  # checked: one of the two
    return Part(
        part.option,
        float(part.delay),
        Trigger(when.assumption, float(threshold), below, int(when.read_by)),
        float(part.scale),
    )


def part_start(part: Part, read: Callable[[str], Any]) -> Any:
    """The year a part starts (one per future where ``read`` gives arrays): its option's
    start plus its delay; for a part with a signpost, the year the signpost is read plus
    its delay where it has fired, and never (infinity) where it has not."""
    if part.trigger is None:
        return read(f"option.{part.option}.start_year") + part.delay
    fired = part.trigger.fired(read(part.trigger.assumption))
    return np.where(fired, part.trigger.read_by + part.delay, np.inf)


def _portfolio(item: _OptionEntry, parts: Mapping[str, OptionSpec]) -> OptionSpec:
    """A portfolio's spec: its parts and their levers; nuclear if any part is."""
    chosen = [parts[part.option] for part in item.parts()]
    levers = tuple(dict.fromkeys(lever for spec in chosen for lever in spec.levers))
    nuclear = any(spec.category == "nuclear" for spec in chosen)
    assert item.name is not None  # checked
    return OptionSpec(
        id=item.id,
        name=item.name,
        category="nuclear" if nuclear else "non_nuclear",
        levers=levers,
        components=item.parts(),
    )


def _option(
    item: str | _OptionEntry, catalogue: Mapping[str, Option], start_year: int
) -> tuple[OptionSpec, list[Assumption]]:
    if isinstance(item, str):
        return catalogue_option(catalogue[item], start_year)
    targets = None if item.targets is None else tuple(item.targets)
    if item.id not in catalogue:
        if item.name is None or item.category is None or item.levers is None:
            raise UsageError(f"option {item.id}: not in the catalogue, so every field is needed")
        spec, entries = inline_option(item.id, item.name, item.category, item.given(), item.levers)
        return replace(spec, targets=targets, governments=tuple(item.governments or ())), entries
    # A catalogue option with some fields changed: each becomes the new default, its range
    # kept and widened if needed, as for a number under `assumptions:`.
    option = catalogue[item.id]
    start = start_year if item.start_year is None else item.start_year
    spec, assumptions = catalogue_option(option, start)
    by_name = {a.name: a for a in assumptions}
    changes = {k: v for k, v in item.given().items() if k != "start_year"}
    for key, value in [*changes.items(), *(item.levers or {}).items()]:
        name = f"option.{item.id}.{key}"
        if name in by_name:
            by_name[name] = override(by_name, name, value)
        else:
            lever = find_lever(key)
            if lever is None:
                raise UsageError(f"option {item.id}: unknown lever '{key}'")
            by_name[name] = Assumption(
                name,
                f"{lever.meaning} ({spec.name})",
                value,
                value,
                value,
                lever.unit,
                "Set in the scenario file.",
            )
    levers = (*spec.levers, *(k for k in item.levers or {} if k not in spec.levers))
    spec = replace(
        spec,
        name=item.name or spec.name,
        category=item.category or spec.category,
        levers=levers,
        targets=targets,
        governments=spec.governments if item.governments is None else tuple(item.governments),
    )
    return spec, list(by_name.values())
