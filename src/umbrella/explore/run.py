"""A run: an ensemble of futures, kept in the run store, and the analyses that read it.

>>> import umbrella
>>> run = umbrella.run(samples=200, seed=1, store=None)   # None: keep it in memory
>>> table = run.robustness()
>>> bool(table.loc["status-quo", "mean"] <= 1.0)
True
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from umbrella.assumptions import resolve
from umbrella.errors import UmbrellaError, UsageError
from umbrella.explore.discovery import PrimResult, prim
from umbrella.explore.ensemble import RunSummary, run_ensemble
from umbrella.explore.headline import DEFAULT_SAMPLES, DEFAULT_SEED, headline
from umbrella.explore.robustness import most_robust, robustness
from umbrella.explore.sampling import CHUNK_SIZE, Sampler, uncertainties
from umbrella.explore.sensitivity import sobol_design, sobol_indices, sobol_problem
from umbrella.model.evaluate import SUMMARY_OUTCOMES, summarise, summary_outcomes
from umbrella.model.layout import layout
from umbrella.model.scenario import Scenario, load_scenario, parse_scenario
from umbrella.settings import SATISFICING
from umbrella.types import PathLike

__all__ = [
    "DIRECTIONS",
    "PRIM_FUTURES",
    "SATISFICING",
    "Run",
    "larger_is_better",
    "open_run",
    "run",
]


PRIM_FUTURES = 20_000
"""Futures PRIM analyses at most (a seeded subsample of larger runs)."""

SOBOL_STEP = 400
"""Rows of a Sobol design evaluated at once: the model's working memory grows with it (about
0.1 MB a row). A multiple of 16, so that the model's vectorised loops treat every row alike
whatever the step, and the indices do not depend on it, bit for bit."""

# A stream of the run's seed apart from the design's blocks (spawn keys (b,)).
_PRIM_KEY = (2**32 - 1, 1)


def larger_is_better(outcome: str) -> bool:
    """Whether more of a summary outcome is better: not for failures, costs or risk."""
    return not outcome.startswith(("fails", "npv_eur_bn", "proliferation"))


DIRECTIONS = {name: larger_is_better(name) for name in SUMMARY_OUTCOMES}
"""Whether more of each summary outcome every scenario has is better."""


@dataclass(frozen=True)
class Run:
    """A finished (or loaded) run and the analyses of it."""

    scenario: Scenario
    seed: int
    n_samples: int
    run_id: str | None
    store: Any | None
    summary: RunSummary | None = None
    sampler: Sampler = "lhs"  # the design its futures were drawn with
    # A stored run's tables, read once: each analysis asks for them.
    _loaded: list[tuple[pd.DataFrame, pd.DataFrame]] = field(
        default_factory=list, repr=False, compare=False
    )

    def data(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every future's inputs and every option's outcomes on it."""
        if self.summary is not None and self.summary.outcomes is not None:
            assert self.summary.futures is not None  # kept together
            return self.summary.futures, self.summary.outcomes
        if self.store is None or self.run_id is None:
            raise UsageError("this run kept no detail: run it with a store or keep=True")
        if not self._loaded:
            self._loaded.append(self.store.load(self.run_id))
        return self._loaded[0]

    def forget_data(self) -> None:
        """Drop the tables :meth:`data` read from the store, to free their memory; the next
        call reads them again. A run kept in memory (no store) keeps its tables."""
        if not self._loaded:
            return
        self._loaded.clear()
        # The tables came through Arrow, whose allocator keeps the memory it frees for itself:
        # hand it back, so that what runs next can use it.
        import pyarrow as pa

        pa.default_memory_pool().release_unused()

    def robustness(
        self,
        outcome: str = "holds_europe",
        thresholds: Mapping[str, tuple[str, float]] | None = None,
    ) -> pd.DataFrame:
        """Per option: spread, regret against the best option in each future, satisficing."""
        self._check_outcome(outcome)
        if thresholds is None:
            thresholds = {"holds_europe": (">=", SATISFICING)}
        return robustness(self.data()[1], outcome, larger_is_better(outcome), thresholds)

    def _check_outcome(self, outcome: str) -> None:
        names = summary_outcomes(layout(self.scenario))
        if outcome not in names:
            raise UsageError(f"unknown outcome '{outcome}'; outcomes: {', '.join(names)}")

    def headline(self) -> pd.DataFrame:
        """The headline table (:func:`umbrella.explore.headline.headline`) of this run."""
        return headline(self.data()[1], [o.id for o in self.scenario.options])

    def most_robust(self, table: pd.DataFrame | None = None) -> dict[str, str]:
        """The most robust option under each rule (minimax regret, mean, satisficing)."""
        best = most_robust(self.robustness() if table is None else table)
        return {str(rule): option for rule, option in best.items()}

    def prim(
        self,
        option: str,
        outcome: str = "holds_europe",
        fail_below: float = SATISFICING,
        threshold: float = 0.8,
        max_futures: int | None = PRIM_FUTURES,
    ) -> PrimResult:
        """The box of uncertainties where ``option`` fails: ``outcome`` below ``fail_below``
        (above, for outcomes where less is better).

        PRIM's memory grows with futures times uncertainties squared: a run of more than
        ``max_futures`` futures is analysed on that many of them, drawn without replacement
        from a stream of the run's seed (the same futures every time).
        """
        self._check_outcome(outcome)
        futures, outcomes = self.data()
        if max_futures is not None and len(futures) > max_futures:
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=_PRIM_KEY))
            rows = np.sort(rng.choice(len(futures), size=max_futures, replace=False))
            futures = futures.iloc[rows].reset_index(drop=True)
        mine = outcomes[outcomes["option"] == option]
        if mine.empty:
            options = ", ".join(outcomes["option"].unique())
            raise UsageError(f"unknown option '{option}'; the run's options: {options}")
        values = mine.set_index("future")[outcome].reindex(futures["future"]).to_numpy()
        failed = values < fail_below if larger_is_better(outcome) else values > fail_below
        # Other options' costs and levers cannot explain this option's failures; a
        # portfolio's are its parts'.
        spec = next((o for o in self.scenario.options if o.id == option), None)
        own = [p.option for p in spec.components] if spec and spec.components else [option]
        relevant = [
            c
            for c in futures.columns
            if c != "future"
            and (not c.startswith("option.") or any(c.startswith(f"option.{o}.") for o in own))
        ]
        return prim(futures, failed, threshold=threshold, uncertainties=relevant)

    def sobol(
        self,
        n_base: int = 256,
        outcomes: Sequence[str] = ("holds_europe",),
        options: Sequence[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame:
        """First- and total-order Sobol indices of each outcome of each option.

        Evaluates the model on Saltelli's design of ``n_base`` base rows over the run's
        uncertainties, seeded from the run's seed.
        """
        for outcome in outcomes:
            self._check_outcome(outcome)
        varying = uncertainties(self.scenario.registry.values())
        bounds = [
            (a.low, a.high + 1.0 if a.distribution == "discrete" else a.high) for a in varying
        ]
        problem = sobol_problem([a.name for a in varying], bounds)
        design = sobol_design(problem, n_base, seed=self.seed)
        ids = [o.id for o in self.scenario.options]
        chosen = list(options) if options is not None else ids
        unknown = sorted(set(chosen) - set(ids))
        if unknown:
            raise UsageError(f"unknown option(s) {', '.join(unknown)}")
        grid, registry = layout(self.scenario), list(self.scenario.registry.values())
        results: dict[str, list[np.ndarray]] = {}
        step = SOBOL_STEP
        for start in range(0, len(design), step):
            rows = design[start : start + step]
            values = {a.name: _integral(a, rows[:, i]) for i, a in enumerate(varying)}
            summary = summarise(self.scenario, grid, resolve(registry, values))
            for outcome in outcomes:
                for option in chosen:
                    key = f"{outcome}:{option}"
                    results.setdefault(key, []).append(summary[outcome][:, ids.index(option)])
            if progress is not None:
                progress(min(start + step, len(design)), len(design))
        y = {key: np.concatenate(parts) for key, parts in results.items()}
        return sobol_indices(problem, y, seed=self.seed)

    def to_xarray(self) -> xr.Dataset:
        """Outcomes with dims (future, option); the uncertainties are coordinates on future."""
        futures, outcomes = self.data()
        wide = outcomes.set_index(["future", "option"]).to_xarray()
        coords = {
            name: (
                "future",
                futures.set_index("future")[name].reindex(wide.future.values).to_numpy(),
            )
            for name in futures.columns
            if name != "future"
        }
        dataset = wide.assign_coords(coords)
        for name, meaning in summary_outcomes(layout(self.scenario)).items():
            if name in dataset:
                dataset[name].attrs["long_name"] = meaning
        dataset.attrs.update(
            scenario=self.scenario.name,
            seed=self.seed,
            n_samples=self.n_samples,
            run_id=self.run_id or "",
        )
        return dataset

    def _repr_html_(self) -> str:
        """A short HTML summary for notebooks: the run, its scenario and its headline."""
        from umbrella.explore.assessment import _headline_html, _summary_html

        facts = [
            ("run", self.run_id or "in memory"),
            ("scenario", f"{self.scenario.name}: {self.scenario.title}"),
            ("samples", f"{self.n_samples:,}"),
            ("seed", str(self.seed)),
            ("sampler", self.sampler),
        ]
        try:
            body = _headline_html(self.headline())
        except UmbrellaError as error:
            body = f"<p>{html.escape(str(error))}</p>"
        return _summary_html("Run", facts, body)


def run(
    scenario: Scenario | PathLike | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    *,
    store: PathLike | Any | None = "umbrella-runs",
    chunk_size: int = CHUNK_SIZE,
    sampler: Sampler = "lhs",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Run:
    """Run ``samples`` futures of ``scenario`` (the flagship if None) and keep the run.

    ``store`` is the run store's folder (or a :class:`umbrella.store.RunStore`); None keeps
    the run in memory only.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    runs = _store(store)
    summary = run_ensemble(
        scenario,
        samples,
        seed,
        chunk_size=chunk_size,
        sampler=sampler,
        workers=workers,
        scheduler=scheduler,
        store=runs,
        resume=resume,
        progress=progress,
        keep=runs is None,
    )
    return Run(
        scenario=scenario,
        seed=seed,
        n_samples=samples,
        run_id=summary.run_id,
        store=runs,
        summary=summary,
        sampler=sampler,
    )


def open_run(run_id: str, store: PathLike | Any = "umbrella-runs") -> Run:
    """A stored run, ready for analysis."""
    runs = _store(store)
    if runs is None:
        raise UsageError("open_run needs a run store")
    record = runs.run(run_id)
    text = runs.scenario_text(run_id)
    scenario = parse_scenario(
        text, f"{record.scenario_name}.yaml", data_dir=runs.data_folder(run_id)
    )
    return Run(
        scenario=scenario,
        seed=int(record.seed),
        n_samples=int(record.n_samples),
        run_id=run_id,
        store=runs,
        sampler="sobol" if record.sampler == "sobol" else "lhs",
    )


def _store(store: PathLike | Any | None) -> Any | None:
    if store is None:
        return None
    if hasattr(store, "write_chunk"):
        return store
    from umbrella.store import RunStore

    return RunStore(store)


def _integral(assumption: Any, values: np.ndarray) -> np.ndarray:
    if assumption.distribution == "discrete":
        return np.asarray(np.minimum(np.floor(values), assumption.high))
    return values
