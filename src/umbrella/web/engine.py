"""The work behind the API: shipped scenarios, what-if assessments, posted scenario checks.

An assessment is computed by the same functions as ``umbrella assess --json``
(:func:`umbrella.explore.assessment.assess`, :func:`umbrella.cli.headline.headline_payload`),
so the same scenario, assumptions, stresses, futures and seed give the same numbers, bit for
bit. An override fixes an assumption in every future: it is written into the scenario's
``assumptions:`` as ``{default: v, low: v, high: v}``, exactly what a scenario file would
say, and the scenario is read again with every check of the loader.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from umbrella.errors import ScenarioError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from umbrella.model.scenario import Scenario

__all__ = [
    "DRIVERS",
    "SLIDERS",
    "AbandonedError",
    "AssessCache",
    "assess_payload",
    "check_posted",
    "scenario_names",
    "shipped",
    "slider_names",
    "what_if",
]

SLIDERS = (
    "crisis.rate_nato",
    "crisis.rate_other",
    "trust.future_evidence_usa",
    "trust.prior_mean_usa",
    "challenger.resolve_nato",
    "challenger.resolve_other",
    "option.uk-france-coordination.coordination",
    "ukraine.denial_elasticity",
    "implementation.consent",
)
"""The assumptions the web app always offers as sliders, after the scenario's Sobol drivers
(:func:`slider_names`): how often crises arise, how reliable the United States looks and
will look, how resolved the challenger is, how closely the UK-French pair coordinates, how
much support to Ukraine deters, and how readily governments agree to an option and keep to
it: the questions the article asks. A name a scenario lacks
is left out of its sliders."""

DRIVERS = 6
"""How many of a scenario's Sobol drivers lead its sliders."""
DRIVERS_BASE = 128
"""Base rows of the Saltelli design that ranks the drivers: 128 x (k + 2) futures, about
1.5 s once per server process on two cores. At 128 and at 512 base rows the flagship's first
six drivers are the same six."""


def scenario_names() -> list[str]:
    """The scenarios shipped with umbrella, by name (their file names)."""
    from umbrella.model.scenario import shipped_scenarios

    return list(shipped_scenarios())


_DRIVERS_LOCK = threading.Lock()  # computed once, whoever asks first: the others wait


def drivers(name: str) -> tuple[tuple[str, float], ...]:
    """:func:`_drivers`, computed by one thread while the others wait for it."""
    with _DRIVERS_LOCK:
        return _drivers(name)


@lru_cache(maxsize=8)
def _drivers(name: str) -> tuple[tuple[str, float], ...]:
    """Shipped scenario ``name``'s uncertain assumptions with their total-order Sobol index
    (ST) for the probability that deterrence holds through the horizon, averaged over the
    options, largest first: what the headline moves most with. Computed once per process,
    from the run's default seed, as ``umbrella explore RUN --sobol`` computes it."""
    from umbrella.explore.run import run
    from umbrella.settings import DEFAULT_SEED

    # The indices need the scenario and the seed only; the run's own futures are few.
    ran = run(shipped(name), 100, DEFAULT_SEED, store=None)
    indices = ran.sobol(DRIVERS_BASE, ("holds_europe",))
    total = cast("pd.DataFrame", indices.xs("ST", axis=1, level=1))  # uncertainty x option
    mean = total.mean(axis="columns").sort_values(ascending=False, kind="stable")
    return tuple((str(k), float(v)) for k, v in mean.items())


def warm_up() -> None:
    """What the first visitor would otherwise wait for, done when the server starts: each
    shipped scenario read, its Sobol drivers ranked, and the model's compiled kernels loaded
    (a first small assessment)."""
    for name in scenario_names():
        slider_names(name)
        assess_payload(what_if(name, {}, {}), samples=100, seed=0)


def slider_names(name: str) -> list[str]:
    """The assumptions the web app offers as sliders for scenario ``name``: its first
    :data:`DRIVERS` Sobol drivers (:func:`drivers`), then :data:`SLIDERS` it has."""
    from umbrella.model.implementation import is_draw

    registry = shipped(name).registry
    # A draw (whether an option happens to be agreed in a future) is no setting to slide.
    first = [k for k, _ in drivers(name) if not is_draw(k)][:DRIVERS]
    return [*first, *(k for k in SLIDERS if k in registry and k not in first)]


@lru_cache(maxsize=8)
def shipped(name: str) -> Scenario:
    """The shipped scenario ``name``, read once (a UsageError if there is none)."""
    from umbrella.model.scenario import load_scenario, shipped_scenarios

    found = shipped_scenarios()
    if name not in found:
        raise UsageError(f"unknown scenario '{name}'; shipped scenarios: {', '.join(found)}")
    return load_scenario(found[name])


def what_if(name: str, overrides: Mapping[str, float], stress: Mapping[str, int]) -> Scenario:
    """Shipped scenario ``name`` with each override fixed in every future and each stress
    fixed at its year; errors name the request field (``overrides.<name>``, ``stress``).

    Both are written into the scenario's ``assumptions:`` (a stress as its year assumption,
    as ``--stress`` does) and the text is read once by the loader with all its checks. The
    what-if is made ready for its ensemble with the shipped scenario's layout, which reads
    no assumption, so that the ensemble neither parses it again nor lays it out.
    """
    from umbrella.explore.ensemble import prepare

    scenario = shipped(name)
    if not overrides and not stress:
        prepare(scenario)
        return scenario
    for key in overrides:
        if key not in scenario.registry:
            raise _field_error(
                f"overrides.{key}",
                f"unknown assumption '{key}'; see GET /api/assumptions?scenario={name}",
            )
    years = {s.id: s.year for s in scenario.stresses}
    for key in stress:
        if key not in years:
            listed = ", ".join(years) or "none"
            raise _field_error(
                "stress", f"{key}: unknown stress; this scenario's stresses: {listed}"
            )
    raw = dict(_raw(name))
    changes = dict(raw.get("assumptions") or {})
    for key, value in overrides.items():
        changes[key] = {"default": value, "low": value, "high": value}
    for key, year in stress.items():
        changes[years[key]] = {"default": year, "low": year, "high": year}
    raw["assumptions"] = changes
    text = yaml.dump(raw, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    assert scenario.path is not None
    try:
        changed = _parsed(text, scenario.path)
    except ScenarioError as error:
        raise _field_error(_request_field(error, overrides, stress, years), error.reason) from None
    prepare(changed, prepare(scenario))
    return changed


# libyaml where PyYAML has it: writing the what-if's file is then a few milliseconds.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=8)
def _raw(name: str) -> dict[str, Any]:
    """The shipped scenario's file as data (trusted and small), read once; callers copy the
    levels they change."""
    text = shipped(name).text
    assert text is not None  # read from its file
    raw: dict[str, Any] = yaml.load(text, Loader=_LOADER)
    return raw


def _parsed(text: str, path: Path) -> Scenario:
    """Scenario ``text`` read by the loader as if from ``path``: a run of it finds any
    folder beside the shipped file, and its label is the shipped file's."""
    from umbrella.model.scenario import parse_scenario

    return replace(parse_scenario(text, str(path)), path=path)


def _request_field(
    error: ScenarioError,
    overrides: Mapping[str, float],
    stress: Mapping[str, int],
    years: Mapping[str, str],
) -> str:
    """The request field a loader's error is about: a stress's year, or an override."""
    field = error.field or ""
    for key in stress:
        if field.endswith(years[key]) or years[key] in error.reason:
            return "stress"
    return _override_field(error, overrides)


def _override_field(error: ScenarioError, overrides: Mapping[str, float]) -> str:
    field = error.field or ""
    for key in overrides:
        if field.endswith(key) or key in error.reason:
            return f"overrides.{key}"
    return "overrides"


def _field_error(field: str, message: str) -> ScenarioError:
    """A problem with a request field, reported like a scenario's (no file, no line)."""
    return ScenarioError("", message, None, field)


class AbandonedError(Exception):
    """The client that asked for an assessment has gone: it stopped between two chunks."""


def stopper(cancelled: threading.Event | None) -> Callable[[int, int], None] | None:
    """An ensemble's progress callback that stops it (:class:`AbandonedError`) once
    ``cancelled`` is set: a what-if the page no longer wants frees its worker within a chunk
    (2,048 futures, a fraction of a second)."""
    if cancelled is None:
        return None

    def check(done: int, total: int) -> None:
        if cancelled.is_set():
            raise AbandonedError(f"cancelled after {done:,} of {total:,} futures")

    return check


def assess_payload(
    scenario: Scenario,
    *,
    samples: int,
    seed: int,
    cancelled: threading.Event | None = None,
) -> dict[str, Any]:
    """``umbrella assess --json``'s payload for ``scenario``, with the central future;
    stopped (:class:`AbandonedError`) once ``cancelled`` is set."""
    from umbrella.cli.headline import headline_payload
    from umbrella.explore.assessment import assess
    from umbrella.explore.ensemble import prepare
    from umbrella.model.evaluate import summary_outcomes

    assessment = assess(scenario, samples=samples, seed=seed, progress=stopper(cancelled))
    grid = prepare(scenario)  # kept from the ensemble: nothing is laid out again
    table = assessment.headline()
    ds = assessment.dataset
    years = [int(y) for y in ds.year.values]
    payload = headline_payload(
        table,
        scenario=assessment.scenario.name,
        reports=summary_outcomes(grid),
        samples=samples,
        seed=seed,
        first=years[0],
        last=years[-1],
        n_proteges=int(ds.sizes["protege"]),
    )
    options = [str(o) for o in ds.option.values]
    payload["options"] = [{k: _plain(v) for k, v in row.items()} for row in payload["options"]]
    payload["central"] = {
        "years": years,
        **{
            name: {
                option: [_plain(v) for v in ds[name].sel(option=option).to_numpy().tolist()]
                for option in options
            }
            for name in ("holds_europe", "fails_europe", "effect_share")
        },
    }
    return payload


def _plain(value: Any) -> Any:
    """A value as ``umbrella assess --json`` writes it: numbers as they are, a missing one as
    None, anything else as text."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # a NumPy scalar: its Python value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return str(value)


class AssessCache:
    """The last assessments by their inputs: a slider moved back answers at once."""

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._items: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: tuple[Any, ...], value: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


def compute(
    name: str,
    overrides: Mapping[str, float],
    stress: Mapping[str, int],
    samples: int,
    seed: int,
    cancelled: threading.Event | None = None,
) -> dict[str, Any]:
    """One what-if assessment, timed (run in a worker thread, never on the event loop);
    stopped once ``cancelled`` is set."""
    started = time.perf_counter()
    payload = assess_payload(
        what_if(name, overrides, stress), samples=samples, seed=seed, cancelled=cancelled
    )
    payload["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return payload


def check_posted(text: str, label: str) -> Scenario:
    """A posted scenario, checked as ``umbrella assess FILE`` checks a file.

    A posted scenario may not name a ``data`` folder: the server reads no file a request
    names. Everything else is the loader's, with its limits on size and nesting.
    """
    from umbrella.data.safeyaml import SCENARIO_LIMITS, YamlLimitError, check_text
    from umbrella.model.scenario import parse_scenario

    try:
        check_text(text, SCENARIO_LIMITS)
    except YamlLimitError as error:
        raise ScenarioError(label, str(error), error.line or 1, "-") from None
    unprintable = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if unprintable is not None:
        # YAML refuses these characters before it parses anything, with an error the
        # loader's own handling does not catch; reported here as the loader reports syntax.
        at = unprintable.start()
        row = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise ScenarioError(
            label,
            f"YAML syntax error (column {column}): character "
            f"U+{ord(unprintable.group()):04X} is not allowed in YAML; save the file as text",
            row,
            "-",
        )
    line = _data_line(text)
    if line is not None:
        raise ScenarioError(
            label,
            "a scenario sent to the server cannot name a data folder (the server reads no "
            "file a request names); run it with `umbrella assess FILE` instead",
            line,
            "data",
        )
    # An empty base: nothing is looked for beside a posted scenario.
    return parse_scenario(text, label, base_dir="/nonexistent-umbrella-posted")


def _data_line(text: str) -> int | None:
    """The line of a top-level ``data`` key with a value other than null, if any."""
    from umbrella.data.safeyaml import SCENARIO_LIMITS, YamlLimitError, limited_loader

    try:
        node = yaml.compose(text, Loader=limited_loader(SCENARIO_LIMITS))
    except (yaml.YAMLError, YamlLimitError):
        return None  # the loader reports the syntax error itself, located
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "data":
            empty = isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")
            return None if empty else key.start_mark.line + 1
    return None
