"""Ensembles: every option evaluated on many sampled futures, chunk by chunk.

A run draws ``n_samples`` futures (:mod:`umbrella.explore.sampling`), evaluates every option
of the scenario on each with the vectorised model (:func:`umbrella.model.evaluate.summarise`)
in chunks of ``chunk_size`` futures, and keeps

- per chunk, the futures and their outcomes, written to the run store when one is given
  (Parquet files, :mod:`umbrella.store`): full detail on disk, none in memory;
- running aggregates per option and outcome (count, mean, standard deviation, minimum,
  maximum), so memory stays flat whatever the number of futures.

Chunks are independent: with ``workers`` they run on a Dask ``LocalCluster`` (or an existing
cluster at ``scheduler``), and the result is the same, bit for bit, as in one process,
because each future's draw depends only on the seed and its index.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr
from threadpoolctl import threadpool_limits

from umbrella.assumptions import resolve
from umbrella.data.read import TABLE_SUFFIXES
from umbrella.errors import UsageError
from umbrella.explore.memory import KEEP_BYTES, keep_freed_memory
from umbrella.explore.sampling import CHUNK_SIZE, Sampler, draw, uncertainties
from umbrella.model.evaluate import summarise, summary_outcomes
from umbrella.model.layout import layout
from umbrella.model.scenario import Scenario, load_scenario, parse_scenario
from umbrella.settings import check_run_settings

__all__ = ["Aggregates", "RunSummary", "evaluate_chunk", "run_ensemble"]

FloatArray = npt.NDArray[np.float64]


_SUM_SCALE = 2.0**24  # fixed point of sums: integer addition does not depend on order
_SQUARE_SCALE = 2.0**16


@dataclass
class Aggregates:
    """Count, mean, standard deviation, minimum and maximum per option and outcome.

    Sums are kept in fixed point (resolution 2^-24 for values, 2^-16 for squares) as Python
    integers: integer addition is exact, so the aggregates of a run are the same whatever
    the chunk size, the number of workers or the order in which chunks finish.
    """

    options: tuple[str, ...]
    outcomes: tuple[str, ...]
    count: int = 0
    total: list[list[int]] = field(default_factory=list)
    squares: list[list[int]] = field(default_factory=list)
    low: FloatArray = field(default_factory=lambda: np.zeros(0))
    high: FloatArray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        shape = (len(self.options), len(self.outcomes))
        self.total = [[0] * shape[1] for _ in range(shape[0])]
        self.squares = [[0] * shape[1] for _ in range(shape[0])]
        self.low, self.high = np.full(shape, np.inf), np.full(shape, -np.inf)

    def add(self, outcomes: pd.DataFrame) -> None:
        """Fold in one chunk's long outcomes table (future, option, outcomes...)."""
        codes = pd.Categorical(outcomes["option"], categories=self.options).codes
        if len(codes) == 0 or (codes < 0).any():
            raise ValueError("every row of a chunk needs an option of the run")
        counts = np.bincount(codes, minlength=len(self.options))
        if (counts != counts[0]).any():
            raise ValueError("every future of a chunk needs one row per option of the run")
        # Rows in C order: the reductions below run along contiguous memory.
        table = np.ascontiguousarray(outcomes[list(self.outcomes)].to_numpy(dtype=np.float64))
        np.nan_to_num(table, copy=False, nan=0.0)
        n_options, n_outcomes = len(self.options), len(self.outcomes)
        if np.array_equal(codes, np.tile(np.arange(n_options), int(counts[0]))):
            values = table.reshape(-1, n_options, n_outcomes)  # as evaluate_chunk writes them
        else:
            grouped = table[np.argsort(codes, kind="stable")]
            values = grouped.reshape(n_options, -1, n_outcomes).transpose(1, 0, 2)
        # values: (future, option, outcome)
        sums, squares = _fixed_point_sums(values)
        for i in range(n_options):
            for j in range(n_outcomes):
                self.total[i][j] += sums[i][j]
                self.squares[i][j] += squares[i][j]
        self.low = np.fmin(self.low, values.min(axis=0))
        self.high = np.fmax(self.high, values.max(axis=0))
        self.count += int(counts[0])

    def to_xarray(self) -> xr.Dataset:
        n = max(self.count, 1)
        mean = np.array(self.total, dtype=np.float64) / _SUM_SCALE / n
        mean_square = np.array(self.squares, dtype=np.float64) / _SQUARE_SCALE / n
        sd = np.sqrt(np.maximum(mean_square - mean**2, 0.0))
        dims = ("option", "outcome")
        return xr.Dataset(
            {
                "mean": (dims, mean),
                "sd": (dims, sd),
                "min": (dims, self.low),
                "max": (dims, self.high),
            },
            coords={"option": list(self.options), "outcome": list(self.outcomes)},
            attrs={"n_futures": self.count},
        )


def _fixed_point_sums(values: FloatArray) -> tuple[list[list[int]], list[list[int]]]:
    """Per (option, outcome): the sum of the values and of their squares, each value rounded
    to the fixed point first (so that the sums are integers, exact in any order).

    Below 10^4 in magnitude, the rounded values and their sums over a chunk stay below
    2^53, where float64 holds integers exactly: the rounding and the sums run in float64
    (several times faster than through int64); larger values take the int64 path.
    """
    if len(values) * 1e4**2 * _SQUARE_SCALE < 2.0**53 and float(np.abs(values).max()) < 1e4:
        scaled = values * _SUM_SCALE
        np.rint(scaled, out=scaled)
        squared = values * values
        squared *= _SQUARE_SCALE
        np.rint(squared, out=squared)
        return (
            scaled.sum(axis=0).astype(np.int64).tolist(),
            squared.sum(axis=0).astype(np.int64).tolist(),
        )
    return (
        np.round(values * _SUM_SCALE).astype(np.int64).sum(axis=0).tolist(),
        np.round(values**2 * _SQUARE_SCALE).astype(np.int64).sum(axis=0).tolist(),
    )


@dataclass(frozen=True)
class RunSummary:
    """What a finished run returns: its id (if stored), settings and aggregates."""

    run_id: str | None
    scenario: Scenario
    n_samples: int
    seed: int
    sampler: str
    chunk_size: int
    aggregates: xr.Dataset
    seconds: float
    store_path: Path | None
    futures: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None


def scenario_text(scenario: Scenario) -> str:
    """The scenario file's text (the flagship's when it came from the package)."""
    if scenario.text is not None:
        return scenario.text
    if scenario.path is None:
        raise UsageError("a run needs a scenario loaded from a file")
    return Path(scenario.path).read_text(encoding="utf-8")


def evaluate_chunk(
    text: str,
    label: str,
    start: int,
    stop: int,
    seed: int,
    sampler: Sampler,
    data_dir: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Futures ``start`` to ``stop - 1`` and every option's outcomes on them.

    Takes the scenario as text so that any worker process can evaluate any chunk;
    ``data_dir`` is read instead of the scenario's ``data`` folder (a stored run's copy).
    """
    scenario, grid, varying = _prepared(text, label, data_dir)
    futures = draw(varying, start, stop, seed, sampler)
    names = [a.name for a in varying]
    sampled = futures[names].to_numpy(dtype=np.float64).T
    params = resolve(scenario.registry.values(), dict(zip(names, sampled, strict=True)))
    summary = summarise(scenario, grid, params)
    options = [o.id for o in scenario.options]
    n = stop - start
    columns: dict[str, Any] = {
        "future": np.repeat(futures["future"].to_numpy(), len(options)),
        "option": pd.Categorical.from_codes(
            np.tile(np.arange(len(options)), n), dtype=pd.CategoricalDtype(options)
        ),
    }
    columns |= {name: values.reshape(-1) for name, values in summary.items()}
    return futures, pd.DataFrame(columns)


def _remote_chunk(
    text: str,
    label: str,
    start: int,
    stop: int,
    seed: int,
    sampler: Sampler,
    with_futures: bool,
    data_dir: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`evaluate_chunk` on a worker; the futures' inputs only when they are wanted."""
    futures, outcomes = evaluate_chunk(text, label, start, stop, seed, sampler, data_dir)
    return (futures if with_futures else futures.iloc[:0]), outcomes


@lru_cache(maxsize=4)
def _prepared(text: str, label: str, data_dir: str | None) -> tuple[Scenario, Any, list[Any]]:
    # A worker evaluates many chunks of the same scenario: parse it once per process.
    scenario = parse_scenario(text, label, data_dir=data_dir)
    return scenario, layout(scenario), uncertainties(scenario.registry.values())


def _chunks(n_samples: int, chunk_size: int) -> Iterator[tuple[int, int, int]]:
    for index, start in enumerate(range(0, n_samples, chunk_size)):
        yield index, start, min(start + chunk_size, n_samples)


def run_ensemble(
    scenario: Scenario | str | Path | None,
    n_samples: int,
    seed: int,
    *,
    chunk_size: int = CHUNK_SIZE,
    sampler: Sampler = "lhs",
    workers: int | None = None,
    scheduler: str | None = None,
    store: Any | None = None,
    resume: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep: bool = False,
) -> RunSummary:
    """Evaluate every option of ``scenario`` on ``n_samples`` futures.

    Parameters
    ----------
    scenario
        A loaded scenario, a scenario file, or None for the flagship.
    n_samples, seed, sampler
        How many futures, from which seed, with which design (``lhs`` or ``sobol``).
    chunk_size
        Futures per chunk (memory per chunk grows with it; results do not depend on it).
    workers, scheduler
        Run chunks on a Dask LocalCluster of ``workers`` processes, or on the cluster at
        ``scheduler`` (``tcp://host:port``); in this process when both are None.
    store
        A :class:`umbrella.store.RunStore` to keep the run in; None keeps only aggregates.
    resume
        The id of an interrupted run in ``store`` to finish.
    progress
        Called with (futures done, futures in all) after each chunk.
    keep
        Also keep every future's inputs and outcomes in memory (for small runs without a
        store).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    check_run_settings(n_samples, seed, chunk_size, workers, scheduler)
    if resume is not None and store is not None:
        # A resumed run keeps the settings it was started with.
        record = store.run(resume)
        n_samples, seed = int(record.n_samples), int(record.seed)
        chunk_size = int(record.chunk_size)
        sampler = "sobol" if record.sampler == "sobol" else "lhs"
        text, label = store.scenario_text(resume), f"{scenario.name}.yaml"
        copy = store.data_folder(resume)
        data_dir = None if copy is None else str(copy)
    else:
        text, label = scenario_text(scenario), str(scenario.path)
        data_dir = None
    options = tuple(o.id for o in scenario.options)
    aggregates = Aggregates(options, tuple(summary_outcomes(layout(scenario))))
    run_id, done = _open_run(store, resume, scenario, text, n_samples, seed, chunk_size, sampler)
    if store is not None and done:
        for chunk in sorted(done):
            aggregates.add(store.read_chunk(run_id, chunk)[1])
    # Chunks are produced as they are evaluated: a list of every chunk of a very large run
    # would itself fill the memory.
    todo = (c for c in _chunks(n_samples, chunk_size) if c[0] not in done)
    started = time.perf_counter()
    finished = sum(min(chunk_size, n_samples - c * chunk_size) for c in done)

    kept: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def collect(index: int, futures: pd.DataFrame, outcomes: pd.DataFrame) -> None:
        nonlocal finished
        if keep:
            kept.append((futures, outcomes))
        if store is not None and run_id is not None:
            store.write_chunk(run_id, index, futures, outcomes)
        aggregates.add(outcomes)
        finished += len(outcomes) // max(len(options), 1)
        if progress is not None:
            progress(finished, n_samples)

    try:
        if workers is None and scheduler is None:
            keep_freed_memory()
            # The model's matrix products are tiny: a second BLAS thread only contends with
            # the first (and with other work on the machine), so ensembles run on one.
            with threadpool_limits(limits=1, user_api="blas"):
                for index, start, stop in todo:
                    drawn, outcomes = evaluate_chunk(
                        text, label, start, stop, seed, sampler, data_dir
                    )
                    collect(index, drawn, outcomes)
        else:
            # Futures can be drawn again from the seed: ship them back only when kept.
            wanted = keep or store is not None
            _run_on_dask(
                todo, text, label, seed, sampler, workers, scheduler, collect, wanted, data_dir
            )
    except BaseException as error:  # KeyboardInterrupt included: record, then re-raise
        if store is not None and run_id is not None:
            store.fail_run(run_id, f"stopped: {type(error).__name__}: {error}")
        raise
    if store is not None and run_id is not None:
        store.finish_run(run_id)
    return RunSummary(
        run_id=run_id,
        scenario=scenario,
        n_samples=n_samples,
        seed=seed,
        sampler=sampler,
        chunk_size=chunk_size,
        aggregates=aggregates.to_xarray(),
        seconds=time.perf_counter() - started,
        store_path=None if store is None else Path(store.path),
        futures=_concat([f for f, _ in kept], ["future"]) if keep else None,
        outcomes=_concat([o for _, o in kept], ["future", "option"]) if keep else None,
    )


def _concat(frames: list[pd.DataFrame], order: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    if frame["future"].is_monotonic_increasing:  # chunks came in order, each one sorted
        return frame
    return frame.sort_values(order, kind="stable", ignore_index=True)


def _open_run(
    store: Any | None,
    resume: str | None,
    scenario: Scenario,
    text: str,
    n_samples: int,
    seed: int,
    chunk_size: int,
    sampler: str,
) -> tuple[str | None, set[int]]:
    if store is None:
        if resume is not None:
            raise UsageError("--resume needs a run store")
        return None, set()
    if resume is not None:
        record = store.run(resume)
        if record.status == "complete":
            raise UsageError(f"run {resume} is already complete")
        store.reopen_run(resume)
        return resume, set(store.completed_chunks(resume))
    varying = uncertainties(scenario.registry.values())
    run_id = store.create_run(
        scenario_name=scenario.name,
        scenario_hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        scenario_text=text,
        data_version=_data_version(),
        seed=seed,
        n_samples=n_samples,
        chunk_size=chunk_size,
        sampler=sampler,
        package_version=version("umbrella"),
        options=[o.id for o in scenario.options],
        uncertainties=[a.name for a in varying],
        data_files=_data_files(scenario),
    )
    return run_id, set()


def _data_files(scenario: Scenario) -> dict[str, str] | None:
    """The YAML tables of the scenario's ``data`` folder, to keep with the run."""
    if scenario.data_dir is None:
        return None
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(Path(scenario.data_dir).iterdir())
        if path.suffix in TABLE_SUFFIXES
    }


def _data_version() -> str:
    from umbrella.data.read import shipped_dir

    digest = hashlib.sha256()
    for path in sorted(shipped_dir().glob("*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_WORKER_ENVIRONMENT = {
    # Dask runs tasks in worker threads, whose glibc arenas map every large array afresh
    # and return it on free; at these array sizes the page faults cost more than the model.
    # One arena, and freed memory kept for reuse (umbrella.explore.memory), make a worker
    # as fast as a plain process.
    "MALLOC_ARENA_MAX": 1,
    "MALLOC_MMAP_THRESHOLD_": KEEP_BYTES,
    "MALLOC_TRIM_THRESHOLD_": KEEP_BYTES,
    "OMP_NUM_THREADS": 1,
    "MKL_NUM_THREADS": 1,
    "OPENBLAS_NUM_THREADS": 1,
}


_CONNECT_SECONDS = 10


def _run_on_dask(
    todo: Iterable[tuple[int, int, int]],
    text: str,
    label: str,
    seed: int,
    sampler: Sampler,
    workers: int | None,
    scheduler: str | None,
    collect: Callable[[int, pd.DataFrame, pd.DataFrame], None],
    with_futures: bool = True,
    data_dir: str | None = None,
) -> None:
    # dask ships no type information; treat the modules as dynamic.
    distributed: Any = import_module("dask.distributed")
    dask_config: Any = import_module("dask.config")
    cluster = None
    if scheduler is None:
        # Any free port for the dashboard: a second run on the machine must not collide.
        with dask_config.set({"distributed.nanny.pre-spawn-environ": _WORKER_ENVIRONMENT}):
            cluster = distributed.LocalCluster(
                n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(scheduler, timeout=_CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            raise UsageError(
                f"--scheduler {scheduler}: no scheduler answered within {_CONNECT_SECONDS} s "
                f"({type(error).__name__}); start one (`dask scheduler`) or check the address"
            ) from None
    try:
        futures = {
            client.submit(
                _remote_chunk,
                text,
                label,
                start,
                stop,
                seed,
                sampler,
                with_futures,
                data_dir,
                pure=False,
            ): index
            for index, start, stop in todo
        }
        for future in distributed.as_completed(futures):
            collect(futures[future], *future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
