"""The request and response bodies of the HTTP API, as pydantic models.

Every field a request carries is bounded here (types, patterns, lengths, ranges), so a bad
request is refused with a 422 naming the field before any work starts. Bounds that depend
on the server's :class:`~umbrella.web.limits.Limits` are checked by the routes.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from umbrella.settings import DEFAULT_SEED, MAX_KEPT, MAX_SEED

__all__ = [
    "AssessRequest",
    "AssessResponse",
    "AssumptionOut",
    "CentralFuture",
    "ErrorBody",
    "RunProgress",
    "RunRequest",
    "RunStarted",
    "ScenarioDetail",
    "ScenarioSummary",
    "ValidationResult",
]

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
"""Scenario names, option and stress ids (docs/scenarios.md: slugs)."""
ASSUMPTION = r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*){0,3}$"
"""Assumption names: dotted words (``crisis.rate_nato``, ``option.<id>.coordination``)."""

Slug = Annotated[str, StringConstraints(pattern=SLUG)]
AssumptionName = Annotated[str, StringConstraints(pattern=ASSUMPTION, max_length=128)]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Finite = Annotated[float, AfterValidator(_finite)]
Year = Annotated[int, Field(ge=1900, le=2200)]


class _Strict(BaseModel):
    # An unknown field is a typing error, refused, as in scenario files.
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every error the API answers: where (file, line, field, where known) and one line."""

    file: str | None = None
    line: int | None = None
    field: str | None = None
    message: str


class AssessRequest(_Strict):
    """An assessment: a shipped scenario with assumptions fixed, stresses set, options shown."""

    scenario: Slug = Field("europe-2026", description="A shipped scenario (GET /api/scenarios).")
    overrides: dict[AssumptionName, Finite] = Field(
        default_factory=dict,
        max_length=200,
        description="Assumptions fixed at a value in every future (default, low and high all "
        "set to it), as `assumptions: {name: {default: v, low: v, high: v}}` in a scenario "
        "file does.",
    )
    options: list[Slug] | None = Field(
        None,
        max_length=64,
        description="The options whose rows to return (default: all). Every option is "
        "assessed, so each figure, and the change against the status quo, is the same "
        "whichever are shown.",
    )
    stress: dict[Slug, Year] = Field(
        default_factory=dict,
        max_length=16,
        description="Stresses fixed at a year, as `umbrella assess --stress ID:YEAR`.",
    )
    samples: Annotated[int, Field(ge=100, le=MAX_KEPT)] | None = Field(
        None, description="Futures in the ensemble (default: the server's interactive size)."
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = DEFAULT_SEED


class CentralFuture(BaseModel):
    """The central future (every assumption at its default), per option and year."""

    years: list[int]
    holds_europe: dict[str, list[float | None]]
    fails_europe: dict[str, list[float | None]]
    effect_share: dict[str, list[float | None]]


class AssessResponse(BaseModel):
    """The headline table as ``umbrella assess --json`` prints it, with the central future."""

    scenario: str
    samples: int
    seed: int
    first_year: int
    last_year: int
    definitions: dict[str, str]
    options: list[dict[str, Any]]
    central: CentralFuture
    overrides: dict[str, float]
    stress: dict[str, int]
    elapsed_ms: float = Field(description="Time to compute (0 when served from the cache).")


class AssumptionOut(BaseModel):
    """One entry of the assumption registry."""

    name: str
    meaning: str
    default: float
    low: float
    high: float
    unit: str
    basis: str
    distribution: str


class OptionOut(BaseModel):
    id: str
    name: str


class StressOut(BaseModel):
    id: str
    label: str
    description: str
    test_year: int | None
    years: tuple[int, int] = Field(description="The years the stress can be fixed at.")


class ScenarioSummary(BaseModel):
    name: str
    title: str
    description: str
    as_of: str
    start_year: int
    horizon: int
    options: list[OptionOut]
    stresses: list[StressOut]


class ScenarioDetail(ScenarioSummary):
    sliders: list[AssumptionOut] = Field(
        description="The assumptions the web app offers as sliders (docs/web.md)."
    )
    text: str = Field(description="The scenario file.")


class ValidationResult(BaseModel):
    valid: Literal[True] = True
    name: str
    title: str
    options: list[str]
    assumptions: int


class RunRequest(_Strict):
    """A background run kept in the server's store."""

    scenario: Slug = "europe-2026"
    samples: Annotated[int, Field(ge=100)] = 10_000
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = DEFAULT_SEED


class RunProgress(BaseModel):
    run_id: str
    status: str
    futures_done: int
    n_samples: int
    fraction: float
    reason: str | None = None


class RunStarted(RunProgress):
    progress_url: str


# --- Analyses of stored runs (routes/analysis.py) ------------------------------------------

OUTCOME = r"^[a-z][a-z0-9_]{0,63}$"
"""Outcome names (``holds_europe``); a run's scenario says which exist."""


def power_of_two(value: int) -> int:
    """``value``, if a power of two; else a validation error."""
    if value & (value - 1):
        raise ValueError("must be a power of two (16, 32, 64, 128, 256, 512 or 1024)")
    return value


SobolBase = Annotated[int, Field(ge=16, le=1024), AfterValidator(power_of_two)]
"""Base rows of Saltelli's design: a power of two from 16 to 1,024 (the model evaluates
about base times twice the number of uncertainties futures)."""
OutcomeName = Annotated[str, StringConstraints(pattern=OUTCOME)]


class RunDiffOut(BaseModel):
    """Two complete runs compared, as ``umbrella runs diff A B --json`` prints it."""

    a: str
    b: str
    metadata: dict[str, dict[str, Any]] = Field(
        description="The metadata that differ: field -> {a, b}."
    )
    outcomes: list[dict[str, Any]] = Field(
        description="Per option and outcome: mean_a, mean_b and difference (mean_b - mean_a)."
    )


class RobustnessOut(BaseModel):
    """The robustness table of a run, as ``umbrella explore ID --json`` gives it."""

    run_id: str
    outcome: str
    robustness: list[dict[str, Any]]
    most_robust: dict[str, str]


class PrimOut(BaseModel):
    """The PRIM box where an option fails, as ``umbrella explore ID --prim OPTION --json``."""

    run_id: str
    option: str
    outcome: str
    fail_below: float
    coverage: float
    density: float
    mass: float
    n_failures: int
    n_futures: int
    box: list[dict[str, Any]]


class SobolRequest(_Strict):
    """Sobol indices of a stored run's outcome, computed in the background."""

    base: SobolBase = 256
    outcome: OutcomeName = "holds_europe"


class AnalysisProgress(BaseModel):
    """How far a background analysis of a run (Sobol indices, a brief) has come."""

    run_id: str
    kind: Literal["sobol", "brief"]
    status: Literal["running", "complete", "failed", "absent"] = Field(
        description="absent: not started in this server (start it with POST)."
    )
    done: int
    total: int
    fraction: float
    phase: str | None = None
    message: str | None = Field(None, description="Why it failed.")
    progress_url: str


class SobolOut(BaseModel):
    """First- and total-order Sobol indices of one outcome per option, one row per
    uncertainty and option (``umbrella explore ID --sobol --format csv``)."""

    run_id: str
    base: int
    outcome: str
    indices: list[dict[str, Any]]


class BriefRequest(_Strict):
    """A brief of a stored run (``umbrella brief --run ID``), built in the background."""

    lang: Literal["en", "uk"] = "en"
    sobol_base: SobolBase = 256


class BriefStatus(AnalysisProgress):
    """A brief's progress; once complete, where its files are."""

    files: dict[str, str] = Field(
        default_factory=dict, description="Format (html, md, zip) -> its address, once built."
    )


__all__ += [
    "AnalysisProgress",
    "BriefRequest",
    "BriefStatus",
    "PrimOut",
    "RobustnessOut",
    "RunDiffOut",
    "SobolOut",
    "SobolRequest",
    "power_of_two",
]


# --- Trade-offs and the value of information of stored runs (routes/analysis.py) -----------


class TradeoffsOut(BaseModel):
    """The trade-offs between a run's options, as ``umbrella explore ID --pareto --json``
    prints them under ``tradeoffs``, with the parallel-coordinates figure and its text."""

    run_id: str
    objectives: dict[str, dict[str, str]] = Field(
        description="Per objective: its unit, direction and definition."
    )
    n_futures: int
    options: list[dict[str, Any]] = Field(
        description="Per option: share_efficient, efficient_on_mean, efficient_on_robust, "
        "dominated_on_mean_by (';'-joined) and each objective's mean, p10 and p90."
    )
    figure: dict[str, Any] = Field(
        description="The parallel-coordinates figure on the means, as plotly JSON ({data, layout})."
    )
    alt: str = Field(description="The figure in words, for readers who cannot see it.")


class PathwaysOut(BaseModel):
    """The pathways of a run's scenario, step by step, as ``umbrella explore ID --pathways
    --json`` prints them under ``pathways``."""

    run_id: str
    scenario: str
    outcome: str = Field(description="The outcome of the pathways' spread and regret.")
    n_futures: int
    columns: dict[str, dict[str, str]] = Field(
        description="Per column of a step: its unit and definition."
    )
    best_single: str | None = Field(
        description="The single option (neither a portfolio nor a pathway) with the least "
        "mean regret; null when the scenario has no pathway."
    )
    best_single_regret: float | None = Field(
        description="Its mean regret (probability); null when the scenario has no pathway."
    )
    steps: list[dict[str, Any]] = Field(
        description="One per step of every pathway: pathway, name, step, option, delay, "
        "scale, the signpost (assumption, bound, threshold, unit, read_by; null or empty for "
        "a step that waits for none), fired (share of futures in which the step starts), "
        "start, first_year, and the pathway's holds_mean, holds_p10, mean_regret, max_regret "
        "and beats_singles. Empty when the scenario has no pathway."
    )


CostWeight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""Percentage points of deterrence one bn EUR of present-value cost is worth: finite, >= 0."""


class VoiRequest(_Strict):
    """The value of information of a stored run (``umbrella explore ID --voi``), computed in
    the background."""

    cost_weight: CostWeight = Field(
        0.0,
        description="Percentage points of deterrence one bn EUR of present-value cost is "
        "worth (0: deterrence only).",
    )


class VoiProgress(BaseModel):
    """How far the value of information of a run has come."""

    run_id: str
    kind: Literal["voi"] = "voi"
    status: Literal["running", "complete", "failed"]
    done: int = Field(description="Assumption groups done.")
    total: int
    fraction: float
    phase: str | None = None
    message: str | None = Field(None, description="Why it failed.")
    progress_url: str


class VoiOut(BaseModel):
    """EVPI and the EVPPI of each assumption group, as ``umbrella explore ID --voi --json``
    prints them under ``voi``."""

    run_id: str
    unit: str
    decision_rule: str
    net_benefit: str
    cost_weight: float
    n_futures: int
    best_option: str
    evpi: float
    groups: list[dict[str, Any]] = Field(
        description="EVPI first (group 'all (EVPI)'), then each group, largest EVPPI first: "
        "evppi with low and high (its 95% interval), changed (the share of futures whose "
        "decision would change) and changed_to (mostly to which option)."
    )
    switches: dict[str, dict[str, float]]
    ungrouped: list[str]


__all__ += ["TradeoffsOut", "VoiOut", "VoiProgress", "VoiRequest"]
