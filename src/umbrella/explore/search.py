"""Searching for policies: an evolutionary search for Pareto-efficient portfolios.

The scenario's options are a handful of choices someone wrote down; a government could
also combine them, each taken in part and started later. :func:`search` looks through
those combinations for the ones no other combination found beats on every objective of
:data:`umbrella.explore.tradeoffs.OBJECTIVES` (deterrence in Europe, cost, proliferation
risk, deterrence for Ukraine, time to first effect), on their means over a fixed set of
sampled futures, and compares what it finds with the scenario's own options on the same
futures.

What is searched: for every *catalogue option* (an option of the scenario other than the
status quo, a portfolio, or an option aimed at chosen proteges, none of which can be a part
of a portfolio: docs/options.md), a ``scale`` gene in [-1, 1] and a ``delay`` in [0, 5]
years. A part whose gene is below :data:`MIN_SCALE` is left out, so that a random policy
keeps about half the options (a gene in [0, 1] would keep nearly all); the parts kept, at
their gene as scale, make a portfolio, evaluated by the portfolio rules of docs/options.md.
A policy keeps at least one part: a candidate keeping none is *repaired* before it is
evaluated, its largest gene raised to :data:`MIN_SCALE` (:func:`with_parts`). A single
option taken in part or later is a policy too.

How: NSGA-III (Deb & Jain 2014) from pymoo, each generation's population evaluated in one
call: one scenario text holding the run's options and every candidate as a portfolio
(``candidate-0``, ...), one :func:`umbrella.explore.ensemble.run_ensemble` on the same
futures every time (common random numbers: candidates and catalogue options differ by what
they are, not by the futures they met), the objectives read by
:func:`umbrella.explore.tradeoffs.objective_values` exactly as ``--pareto`` reads them.
NSGA-III rather than NSGA-II (Deb et al. 2002): with five objectives nearly every candidate is
non-dominated, and NSGA-II's crowding distance then spreads the population poorly; NSGA-III
keeps it spread along reference directions instead.

Reproducible bit for bit: one seed, through :class:`numpy.random.SeedSequence`, gives the
algorithm's stream and the futures' seed; the global generators (``numpy.random`` and
``random``), which pymoo's operators might draw from, are seeded for the search and restored
after it (:func:`global_random_state`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from umbrella.errors import UsageError
from umbrella.explore.ensemble import prepare, run_ensemble, scenario_text
from umbrella.explore.run import Run
from umbrella.explore.tradeoffs import (
    OBJECTIVES,
    Objective,
    dominance,
    objective_values,
    pareto_mask,
)
from umbrella.model.scenario import STATUS_QUO, Scenario, parse_scenario

__all__ = [
    "ALGORITHM",
    "DEFAULT_FUTURES",
    "DEFAULT_GENERATIONS",
    "DEFAULT_POPULATION",
    "MAX_DELAY",
    "MIN_GENE",
    "MIN_SCALE",
    "Optimum",
    "SearchResult",
    "catalogue_options",
    "check_settings",
    "global_random_state",
    "optimise",
    "search",
    "with_parts",
]

FloatArray = npt.NDArray[np.float64]

DEFAULT_GENERATIONS = 20
DEFAULT_POPULATION = 40
DEFAULT_FUTURES = 256
MIN_SCALE = 0.05
"""A part at a smaller scale is left out of the policy."""
MAX_DELAY = 5.0
"""The latest a part may start, in years after its option's own start."""
MIN_PARTS = 1
"""A portfolio's fewest parts (docs/options.md), so a policy's."""
MIN_GENE = -1.0
"""The lowest scale gene: below :data:`MIN_SCALE` a part is left out, about half the time
in a random policy."""
ALGORITHM = "NSGA-III (Deb & Jain 2014), pymoo"

# Bounds on the settings: enough for a search to mean something, few enough to finish.
MAX_GENERATIONS = 1_000
MAX_POPULATION = 1_000
MAX_FUTURES = 100_000
CANDIDATE = "candidate-{}"


@contextmanager
def global_random_state(seed: int) -> Iterator[None]:
    """Seed NumPy's and Python's global generators for the block; restore the caller's after.

    pymoo 0.6 draws from the generator it is given, but an operator that reached for the
    global state would make a search depend on whatever ran before it, and would disturb
    what runs after it: both states are saved, seeded from ``seed`` and put back.
    """
    saved_numpy = np.random.get_state()
    saved_python = random.getstate()
    np.random.seed(seed % 2**32)
    random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved_numpy)
        random.setstate(saved_python)


def _seed_of(sequence: np.random.SeedSequence) -> int:
    """A 32-bit integer seed from a seed sequence (what pymoo and ``np.random.seed`` take)."""
    return int(sequence.generate_state(1, np.uint32)[0])


@dataclass(frozen=True)
class Optimum:
    """What :func:`optimise` found: the final population and which of it is non-dominated.

    ``objectives`` are as the evaluator returned them (every one minimised). ``first`` holds
    the first generation's decisions as evaluated (after any repair).
    """

    decisions: FloatArray
    objectives: FloatArray
    front: npt.NDArray[np.bool_]
    first: FloatArray
    evaluations: int


def reference_directions(n_obj: int, population: int) -> FloatArray:
    """NSGA-III's reference directions: Das and Dennis's points on the unit simplex, with as
    many partitions as keep their number within the population (at least one)."""
    partitions = 1
    while comb(partitions + 1 + n_obj - 1, n_obj - 1) <= population:
        partitions += 1
    pymoo: Any = import_module("pymoo.util.ref_dirs")
    directions: FloatArray = np.asarray(
        pymoo.get_reference_directions("das-dennis", n_obj, n_partitions=partitions),
        dtype=np.float64,
    )
    return directions


def optimise(
    evaluate: Callable[[FloatArray], FloatArray],
    lower: Sequence[float] | FloatArray,
    upper: Sequence[float] | FloatArray,
    n_obj: int,
    *,
    population: int,
    generations: int,
    seed: np.random.SeedSequence | int,
    repair: Callable[[FloatArray], FloatArray] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Optimum:
    """Minimise ``evaluate`` with NSGA-III: the driver :func:`search` uses, on any problem.

    ``evaluate`` takes a whole population, ``(n, variables)``, and returns its objectives,
    ``(n, n_obj)``, every one to be minimised; ``repair`` (optional) maps a population to
    the one to evaluate. Random initial sampling within the bounds; ``generations`` counts
    the first, so ``evaluate`` sees at most ``population * generations`` candidates.
    ``progress`` is called with (generations done, generations).
    """
    problem_module: Any = import_module("pymoo.core.problem")
    repair_module: Any = import_module("pymoo.core.repair")
    nsga3: Any = import_module("pymoo.algorithms.moo.nsga3")
    optimize: Any = import_module("pymoo.optimize")
    low = np.asarray(lower, dtype=np.float64)
    high = np.asarray(upper, dtype=np.float64)
    calls: list[FloatArray] = []

    # pymoo ships no type information: its classes are Any, and so are these subclasses.
    class _Population(problem_module.Problem):  # type: ignore[misc]
        def _evaluate(self, x: Any, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            decisions = np.asarray(x, dtype=np.float64)
            calls.append(decisions.copy())
            values = np.asarray(evaluate(decisions), dtype=np.float64)
            if values.shape != (len(decisions), n_obj):
                raise ValueError(
                    f"evaluate returned {values.shape}, not ({len(decisions)}, {n_obj})"
                )
            out["F"] = values
            if progress is not None:
                progress(min(len(calls), generations), generations)

    class _Repair(repair_module.Repair):  # type: ignore[misc]
        def _do(self, problem: Any, x: Any, **kwargs: Any) -> Any:
            return x if repair is None else repair(np.asarray(x, dtype=np.float64))

    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    algorithm_seed = _seed_of(sequence)
    algorithm = nsga3.NSGA3(
        ref_dirs=reference_directions(n_obj, population),
        pop_size=population,
        repair=_Repair(),
    )
    problem = _Population(n_var=len(low), n_obj=n_obj, xl=low, xu=high)
    with global_random_state(algorithm_seed):
        result = optimize.minimize(
            problem, algorithm, ("n_gen", generations), seed=algorithm_seed, verbose=False
        )
    decisions = np.asarray(result.pop.get("X"), dtype=np.float64)
    objectives = np.asarray(result.pop.get("F"), dtype=np.float64)
    return Optimum(
        decisions=decisions,
        objectives=objectives,
        front=pareto_mask(objectives, False),
        first=calls[0],
        evaluations=sum(len(c) for c in calls),
    )


def catalogue_options(scenario: Scenario) -> list[str]:
    """The options a policy is made of: every option that can be a portfolio's part (not the
    status quo, not a portfolio, not one aimed at chosen proteges)."""
    return [
        o.id
        for o in scenario.options
        if o.id != STATUS_QUO and not o.components and not getattr(o, "targets", None)
    ]


def with_parts(decisions: FloatArray) -> FloatArray:
    """Decisions (scale genes, then delays) with at least :data:`MIN_PARTS` parts kept:
    where fewer genes reach :data:`MIN_SCALE`, the largest are raised to it."""
    repaired = np.array(decisions, dtype=np.float64, copy=True)
    m = repaired.shape[1] // 2
    scales = repaired[:, :m]
    for row in np.flatnonzero((scales >= MIN_SCALE).sum(axis=1) < MIN_PARTS):
        # A stable sort, largest first: ties go to the earlier option, the same every time.
        largest = np.argsort(-scales[row], kind="stable")[:MIN_PARTS]
        scales[row, largest] = np.maximum(scales[row, largest], MIN_SCALE)
    return repaired


def _parts(row: FloatArray, options: Sequence[str]) -> list[tuple[str, float, float]]:
    """The parts (option, scale, delay) a decision row keeps."""
    m = len(options)
    return [
        (option, float(row[i]), float(row[m + i]))
        for i, option in enumerate(options)
        if row[i] >= MIN_SCALE
    ]


def _describe(parts: Sequence[tuple[str, float, float]]) -> str:
    return "; ".join(
        f"{option} x{scale:.2f}" + (f" +{delay:.1f}y" if delay >= 0.05 else "")
        for option, scale, delay in parts
    )


def _with_candidates(
    base: dict[str, Any], policies: Sequence[Sequence[tuple[str, float, float]]]
) -> str:
    """The scenario text with every policy appended as a portfolio option."""
    raw = dict(base)
    raw["options"] = [
        *base["options"],
        *(
            {
                "id": CANDIDATE.format(i),
                "name": f"Searched policy {i}",
                # Python's float repr round-trips: the model evaluates exactly these numbers.
                "components": [
                    {"option": option, "scale": scale, "delay": delay}
                    for option, scale, delay in parts
                ],
            }
            for i, parts in enumerate(policies)
        ),
    ]
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


@dataclass(frozen=True)
class SearchResult:
    """A policy search's front, the scenario's options beside it, and a summary.

    ``front``: one row per policy (index ``candidate``), its parts in words (``parts``), each
    catalogue option's ``scale_<option>`` and ``delay_<option>`` (NaN where left out) and
    ``<objective>_mean``. ``catalogue``: one row per option of the scenario, its
    ``<objective>_mean`` on the same futures, and the policies that dominate it
    (``dominated_by``) or equal it on every objective (``matched_by``). ``comparison``: one
    row per (option, policy) pair of those, with ``<objective>_gain``, how much better the
    policy is (in the objective's unit; positive is better, whatever the direction).
    ``decisions`` and ``objectives``: the front as arrays (objective means in their units);
    ``first``: the first generation's decisions, as evaluated; ``settings``: the search's
    settings, the futures' seed, the evaluations made and the seconds taken.
    """

    front: pd.DataFrame
    catalogue: pd.DataFrame
    comparison: pd.DataFrame
    summary: str
    decisions: FloatArray
    objectives: FloatArray
    first: FloatArray
    options: tuple[str, ...]
    objective_names: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)


def check_settings(generations: int, population: int, futures: int, seed: int) -> None:
    """The search's settings, each within range; UsageError naming the option otherwise."""
    n_obj = len(OBJECTIVES)
    if not 1 <= generations <= MAX_GENERATIONS:
        raise UsageError(f"--generations {generations}: use 1 to {MAX_GENERATIONS:,}")
    if not n_obj <= population <= MAX_POPULATION:
        raise UsageError(
            f"--population {population}: use {n_obj} to {MAX_POPULATION:,} (at least one "
            "candidate per objective)"
        )
    if not 1 <= futures <= MAX_FUTURES:
        raise UsageError(f"--search-futures {futures}: use 1 to {MAX_FUTURES:,}")
    if not 0 <= seed <= 2**63 - 1:
        raise UsageError(f"--seed {seed}: use an integer from 0 to 2**63 - 1")


def search(
    scenario: Scenario,
    *,
    generations: int = DEFAULT_GENERATIONS,
    population: int = DEFAULT_POPULATION,
    futures: int = DEFAULT_FUTURES,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Search ``scenario``'s portfolios for Pareto-efficient policies (module docstring).

    Parameters
    ----------
    scenario
        The scenario whose catalogue options make the policies (a stored run's, for
        ``umbrella explore RUN --search``).
    generations, population
        NSGA-III's generations (the first included) and population size.
    futures
        Futures every candidate is evaluated on: the same ones throughout, drawn from
        ``seed``.
    seed
        The one seed of the search: the algorithm's draws and the futures come from it.
    progress
        Called with (generations done, generations).

    Raises
    ------
    UsageError
        If a setting is out of range, or the scenario has fewer than two catalogue options.
    """
    chosen: list[Objective] = list(OBJECTIVES.values())
    check_settings(generations, population, futures, seed)
    options = catalogue_options(scenario)
    if len(options) < MIN_PARTS:
        raise UsageError(
            f"--search: scenario {scenario.name} has {len(options)} option(s) a portfolio can "
            f"combine; a policy needs {MIN_PARTS}"
        )
    started = time.perf_counter()
    algorithm_stream, futures_stream = np.random.SeedSequence(seed).spawn(2)
    futures_seed = int(futures_stream.generate_state(1, np.uint64)[0] >> np.uint64(1))
    base = yaml.safe_load(scenario_text(scenario))
    label = str(scenario.path)
    listed = [o.id for o in scenario.options]
    maximise = np.array([o.maximise for o in chosen])
    m = len(options)

    def means(policies: Sequence[Sequence[tuple[str, float, float]]]) -> FloatArray:
        """Every option's and policy's objective means, (options + policies, objectives)."""
        text = _with_candidates(base, policies)
        candidates = parse_scenario(text, label, data_dir=scenario.data_dir)
        # Cached for run_ensemble, which would otherwise parse the text again and lose the
        # data folder of a stored run's scenario.
        prepare(candidates)
        summary = run_ensemble(candidates, futures, futures_seed, keep=True)
        kept = Run(candidates, futures_seed, futures, None, None, summary=summary)
        values = objective_values(kept, chosen)
        found: FloatArray = np.asarray(values.values, dtype=np.float64).mean(axis=0)
        return found

    def evaluate(decisions: FloatArray) -> FloatArray:
        found = means([_parts(row, options) for row in decisions])[len(listed) :]
        # pymoo minimises: objectives to maximise enter negated.
        return np.where(maximise, -found, found)

    optimum = optimise(
        evaluate,
        [MIN_GENE] * m + [0.0] * m,
        [1.0] * m + [MAX_DELAY] * m,
        len(chosen),
        population=population,
        generations=generations,
        seed=algorithm_stream,
        repair=with_parts,
        progress=progress,
    )
    decisions = optimum.decisions[optimum.front]
    # One row per distinct policy (pymoo removes duplicates, but two may still coincide).
    decisions = np.unique(decisions, axis=0)
    # Evaluated once more beside the scenario's options, on the same futures.
    everything = means([_parts(row, options) for row in decisions])
    catalogue_means, front_means = everything[: len(listed)], everything[len(listed) :]
    # The same futures give the same means, but a vectorised loop may round a policy's last
    # bit differently in another column: the front is what is non-dominated here.
    efficient = pareto_mask(front_means, maximise)
    decisions, front_means = decisions[efficient], front_means[efficient]
    # A fixed order for the table: best deterrence first, then cheapest.
    order = np.lexsort((front_means[:, 1], -front_means[:, 0]))
    decisions, front_means = decisions[order], front_means[order]
    result = _result(decisions, front_means, catalogue_means, options, listed, chosen, maximise)
    settings = {
        "algorithm": ALGORITHM,
        "generations": generations,
        "population": population,
        "futures": futures,
        "seed": seed,
        "futures_seed": futures_seed,
        "evaluations": optimum.evaluations,
        "catalogue_options": options,
        "min_scale": MIN_SCALE,
        "max_delay": MAX_DELAY,
        "seconds": time.perf_counter() - started,
    }
    return SearchResult(
        **result,
        first=optimum.first,
        options=tuple(options),
        objective_names=tuple(o.name for o in chosen),
        settings=settings,
    )


def _result(
    decisions: FloatArray,
    front_means: FloatArray,
    catalogue_means: FloatArray,
    options: Sequence[str],
    listed: Sequence[str],
    chosen: Sequence[Objective],
    maximise: npt.NDArray[np.bool_],
) -> dict[str, Any]:
    m = len(options)
    ids = [CANDIDATE.format(i) for i in range(len(decisions))]
    front = pd.DataFrame(
        {"parts": [_describe(_parts(row, options)) for row in decisions]},
        index=pd.Index(ids, name="candidate"),
    )
    front["n_parts"] = [len(_parts(row, options)) for row in decisions]
    for i, option in enumerate(options):
        kept = decisions[:, i] >= MIN_SCALE
        front[f"scale_{option}"] = np.where(kept, decisions[:, i], np.nan)
        front[f"delay_{option}"] = np.where(kept, decisions[:, m + i], np.nan)
    for k, objective in enumerate(chosen):
        front[f"{objective.name}_mean"] = front_means[:, k]
    # Dominance by the same test as --pareto, on the catalogue's and the policies' means.
    both = np.vstack([catalogue_means, front_means])
    beats = dominance(both, maximise)[len(listed) :, : len(listed)]  # [policy, option]
    equal = (front_means[:, None, :] == catalogue_means[None, :, :]).all(axis=-1)
    catalogue = pd.DataFrame(index=pd.Index(list(listed), name="option"))
    for k, objective in enumerate(chosen):
        catalogue[f"{objective.name}_mean"] = catalogue_means[:, k]
    catalogue["dominated_by"] = [
        tuple(ids[j] for j in np.flatnonzero(beats[:, i])) for i in range(len(listed))
    ]
    catalogue["matched_by"] = [
        tuple(ids[j] for j in np.flatnonzero(equal[:, i])) for i in range(len(listed))
    ]
    rows = []
    sign = np.where(maximise, 1.0, -1.0)
    for i, option in enumerate(listed):
        for j in np.flatnonzero(beats[:, i] | equal[:, i]):
            gains = (front_means[j] - catalogue_means[i]) * sign
            rows.append(
                {
                    "option": option,
                    "candidate": ids[j],
                    "relation": "dominates" if beats[j, i] else "matches",
                    **{f"{o.name}_gain": float(g) for o, g in zip(chosen, gains, strict=True)},
                }
            )
    columns = ["option", "candidate", "relation", *(f"{o.name}_gain" for o in chosen)]
    comparison = pd.DataFrame(rows, columns=columns)
    return {
        "front": front,
        "catalogue": catalogue,
        "comparison": comparison,
        "summary": _summary(catalogue, len(ids), chosen, comparison),
        "decisions": decisions,
        "objectives": front_means,
    }


def _summary(
    catalogue: pd.DataFrame, n_front: int, chosen: Sequence[Objective], comparison: pd.DataFrame
) -> str:
    """The comparison in a few sentences: which options the front dominates, and by how much
    on the first objective (deterrence)."""
    covered = [o for o in catalogue.index if catalogue.loc[o, "dominated_by"]]
    matched = [o for o in catalogue.index if catalogue.loc[o, "matched_by"] and o not in covered]
    free = [o for o in catalogue.index if o not in covered and o not in matched]
    first = chosen[0]
    text = (
        f"The search's front holds {n_front} {_plural(n_front, 'policy', 'policies')}; on the "
        f"means over the same futures, {len(covered)} of the scenario's {len(catalogue)} "
        f"options {_plural(len(covered), 'is', 'are')} dominated by at least one of them"
    )
    if covered:
        details = []
        for option in covered:
            rows = comparison[
                (comparison["option"] == option) & (comparison["relation"] == "dominates")
            ]
            best = float(rows[f"{first.name}_gain"].max())
            details.append(
                f"{option} (by {len(rows)} {_plural(len(rows), 'policy', 'policies')}; "
                f"{first.label} better by up to {best:.3g}, {first.unit})"
            )
        text += ": " + ", ".join(details)
    text += "."
    if matched:
        text += f" Matched on every objective: {', '.join(matched)}."
    if free:
        text += f" Not dominated by any: {', '.join(free)}."
    return text


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many
