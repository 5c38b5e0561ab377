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
because each future's draw depends only on the seed and its index. On a cluster, a task
evaluates a few consecutive chunks, writes them to the store itself and folds them into
partial aggregates; only those (a few kilobytes) travel back, and the client keeps a bounded
number of tasks in flight, so its memory does not grow with the number of futures.
"""

from __future__ import annotations

import hashlib
import math
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import version
from itertools import islice
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
from umbrella.jit import compiled
from umbrella.model.evaluate import summarise, summary_outcomes
from umbrella.model.layout import Layout, layout
from umbrella.model.scenario import Scenario, load_scenario, parse_scenario
from umbrella.settings import check_run_settings

__all__ = ["Aggregates", "RunSummary", "evaluate_chunk", "prepare", "run_ensemble"]

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
        n_options, n_outcomes = len(self.options), len(self.outcomes)
        if np.array_equal(codes, np.tile(np.arange(n_options), int(counts[0]))):
            values = table.reshape(-1, n_options, n_outcomes)  # as evaluate_chunk writes them
        else:
            grouped = table[np.argsort(codes, kind="stable")]
            values = grouped.reshape(n_options, -1, n_outcomes).transpose(1, 0, 2)
        self.add_values(np.ascontiguousarray(values))

    def add_values(self, values: FloatArray) -> None:
        """Fold in one chunk's outcomes as an array (future, option, outcome), outcomes in
        the order of :attr:`outcomes`; a missing value (NaN) counts as 0."""
        shape = (len(self.options), len(self.outcomes))
        if values.ndim != 3 or values.shape[1:] != shape:
            raise ValueError(f"outcomes of shape (future, {shape[0]}, {shape[1]}) expected")
        sums, squares = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
        _fold(np.ascontiguousarray(values, dtype=np.float64), sums, squares, self.low, self.high)
        for i, (row, square_row) in enumerate(zip(sums.tolist(), squares.tolist(), strict=True)):
            for j in range(shape[1]):
                self.total[i][j] += row[j]
                self.squares[i][j] += square_row[j]
        self.count += values.shape[0]

    def merge(self, other: Aggregates) -> None:
        """Fold in aggregates of other futures of the same options and outcomes.

        Exact: sums are integers and minima and maxima do not depend on the order, so
        chunks folded into partial aggregates (one per Dask task) and then merged give the
        same aggregates as the chunks folded one by one.
        """
        if (other.options, other.outcomes) != (self.options, self.outcomes):
            raise ValueError("only aggregates of the same options and outcomes can be merged")
        for mine, theirs in zip(self.total, other.total, strict=True):
            mine[:] = [a + b for a, b in zip(mine, theirs, strict=True)]
        for mine, theirs in zip(self.squares, other.squares, strict=True):
            mine[:] = [a + b for a, b in zip(mine, theirs, strict=True)]
        self.low = np.fmin(self.low, other.low)
        self.high = np.fmax(self.high, other.high)
        self.count += other.count

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


def _fold_chunk(
    values: FloatArray,
    sums: npt.NDArray[np.int64],
    squares: npt.NDArray[np.int64],
    low: FloatArray,
    high: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Per (option, outcome), over the futures of ``values`` (future, option, outcome): the
    sum of the values and of their squares, each rounded to the fixed point first (integers,
    exact in any order), and the running minimum and maximum; NaN counts as 0. One pass."""
    n_f, n_o, n_k = values.shape
    for f in range(n_f):
        for o in range(n_o):
            for k in range(n_k):
                v = values[f, o, k]
                if v != v:
                    v = 0.0
                sums[o, k] += np.int64(np.rint(v * _SUM_SCALE))
                squares[o, k] += np.int64(np.rint(v * v * _SQUARE_SCALE))
                low[o, k] = min(low[o, k], v)
                high[o, k] = max(high[o, k], v)


_fold = compiled(_fold_chunk)


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
    futures, values, outcomes = _evaluate(text, label, start, stop, seed, sampler, data_dir)
    return futures, _long_table(text, label, data_dir, futures, values, outcomes)


def _evaluate(
    text: str,
    label: str,
    start: int,
    stop: int,
    seed: int,
    sampler: Sampler,
    data_dir: str | None = None,
) -> tuple[pd.DataFrame, FloatArray, tuple[str, ...]]:
    """The futures of a chunk, and their outcomes as one array (future, option, outcome)
    with the outcomes' names: what the aggregates need, without a table."""
    scenario, grid, varying = _prepared(text, label, data_dir)
    futures = draw(varying, start, stop, seed, sampler)
    names = [a.name for a in varying]
    sampled = futures[names].to_numpy(dtype=np.float64).T
    params = resolve(scenario.registry.values(), dict(zip(names, sampled, strict=True)))
    summary = summarise(scenario, grid, params)
    return futures, np.stack(list(summary.values()), axis=-1), tuple(summary)


def _long_table(
    text: str,
    label: str,
    data_dir: str | None,
    futures: pd.DataFrame,
    values: FloatArray,
    outcomes: tuple[str, ...],
) -> pd.DataFrame:
    """The long outcomes table of a chunk: one row per future and option."""
    options = [o.id for o in _prepared(text, label, data_dir)[0].options]
    n = len(futures)
    columns: dict[str, Any] = {
        "future": np.repeat(futures["future"].to_numpy(), len(options)),
        "option": pd.Categorical.from_codes(
            np.tile(np.arange(len(options)), n), dtype=pd.CategoricalDtype(options)
        ),
    }
    by_outcome = np.ascontiguousarray(values.reshape(n * len(options), len(outcomes)).T)
    columns |= {name: by_outcome[k] for k, name in enumerate(outcomes)}
    return pd.DataFrame(columns)


_Prepared = tuple[Scenario, Layout, list[Any]]
_PREPARED: OrderedDict[tuple[str, str, str | None], _Prepared] = OrderedDict()
_PREPARED_KEPT = 4
_PREPARED_LOCK = threading.Lock()


def _prepared(text: str, label: str, data_dir: str | None) -> _Prepared:
    """Scenario ``text`` parsed, laid out, and its uncertainties: once per process for the
    last few scenarios (a worker evaluates many chunks of the same scenario)."""
    key = (text, label, data_dir)
    with _PREPARED_LOCK:
        found = _PREPARED.get(key)
        if found is not None:
            _PREPARED.move_to_end(key)
            return found
    scenario = parse_scenario(text, label, data_dir=data_dir)
    return _keep(key, (scenario, layout(scenario), uncertainties(scenario.registry.values())))


def _keep(key: tuple[str, str, str | None], prepared: _Prepared) -> _Prepared:
    with _PREPARED_LOCK:
        _PREPARED[key] = prepared
        _PREPARED.move_to_end(key)
        while len(_PREPARED) > _PREPARED_KEPT:
            _PREPARED.popitem(last=False)
    return prepared


def prepare(scenario: Scenario, grid: Layout | None = None) -> Layout:
    """Make ``scenario`` ready for ensembles in this process, so that running it parses
    and lays out nothing again; returns its layout.

    ``grid`` is its layout where the caller already has it: a scenario that differs from
    another only in its ``assumptions:`` has that scenario's layout, since a layout reads
    no assumption (the states, groups, years and options only). ``scenario`` must be as
    read from its own text (``scenario.text``), as every loaded scenario is.
    """
    text, label = scenario_text(scenario), str(scenario.path)
    key = (text, label, None)
    with _PREPARED_LOCK:
        found = _PREPARED.get(key)
    if found is not None:
        return found[1]
    grid = layout(scenario) if grid is None else grid
    return _keep(key, (scenario, grid, uncertainties(scenario.registry.values())))[1]


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
        ``scheduler`` (``tcp://host:port``); in this process when both are None. A Dask
        task evaluates a few consecutive chunks (:func:`chunks_per_task`), writes them to
        ``store`` itself and sends back only their partial aggregates, so with
        ``scheduler`` the store must be on storage that every worker shares, at the same
        path.
    store
        A :class:`umbrella.store.RunStore` to keep the run in; None keeps only aggregates.
    resume
        The id of an interrupted run in ``store`` to finish.
    progress
        Called with (futures done, futures in all) after each chunk (on Dask, each task).
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
    # The layout of the scenario the chunks evaluate (parsed once per process).
    grid = _prepared(text, label, data_dir)[1]
    aggregates = Aggregates(options, tuple(summary_outcomes(grid)))
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

    def collect(
        index: int, futures: pd.DataFrame, outcomes: pd.DataFrame | None, values: FloatArray
    ) -> None:
        nonlocal finished
        if keep and outcomes is not None:
            kept.append((futures, outcomes))
        if store is not None and run_id is not None and outcomes is not None:
            store.write_chunk(run_id, index, futures, outcomes)
        aggregates.add_values(values)
        finished += len(values)
        if progress is not None:
            progress(finished, n_samples)

    try:
        if workers is None and scheduler is None:
            keep_freed_memory()
            # The model's matrix products are tiny: a second BLAS thread only contends with
            # the first (and with other work on the machine), so ensembles run on one.
            with threadpool_limits(limits=1, user_api="blas"):
                for index, start, stop in todo:
                    drawn, values, names = _evaluate(
                        text, label, start, stop, seed, sampler, data_dir
                    )
                    if names != aggregates.outcomes:
                        raise ValueError("the model's outcomes are not the run's")
                    # The long table only where it is kept or stored.
                    table = None
                    if keep or store is not None:
                        table = _long_table(text, label, data_dir, drawn, values, names)
                    collect(index, drawn, table, values)
        else:
            task = _Task(
                text=text,
                label=label,
                seed=seed,
                sampler=sampler,
                data_dir=data_dir,
                options=options,
                outcomes=aggregates.outcomes,
                keep=keep,
                # Workers open the store by path: an absolute one, the same on every worker
                # (with --scheduler, on storage that every worker shares).
                store=None if store is None else str(Path(store.path).absolute()),
                run_id=run_id,
            )

            def merge(result: TaskResult) -> None:
                nonlocal finished
                aggregates.merge(result.aggregates)
                if keep:
                    kept.extend(result.detail)
                finished += result.futures
                if progress is not None:
                    progress(finished, n_samples)

            n_todo = max(math.ceil(n_samples / chunk_size) - len(done), 0)
            _run_on_dask(todo, n_todo, chunk_size, task, workers, scheduler, merge)
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
    n_todo: int,
    chunk_size: int,
    task: _Task,
    workers: int | None,
    scheduler: str | None,
    on_result: Callable[[TaskResult], None],
) -> None:
    """Evaluate the chunks ``todo`` (``n_todo`` of them) in Dask tasks; hand each task's
    result to ``on_result`` as it arrives."""
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
        _drive(client, distributed.as_completed(), iter(todo), n_todo, chunk_size, task, on_result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_TASKS_PER_THREAD = 8
_TASK_SECONDS = 1.0
_ASSUMED_RATE = 10_000.0  # futures per second and worker thread, until tasks report theirs
# Tasks in flight per worker thread: one running, and the next ones already on the worker
# while the client handles a result, so no worker waits for the client.
_IN_FLIGHT_PER_THREAD = 3
_RECOUNT_SECONDS = 10.0


def chunks_per_task(chunks_left: int, chunk_size: int, threads: int, rate: float) -> int:
    """How many chunks one Dask task evaluates.

    Two aims, at ``rate`` futures per second on one worker thread (measured from the tasks
    finished so far; 10,000 until the first one reports):

    - *overhead*: a task costs the cluster some 10 to 30 ms whatever its size (scheduling,
      the transfers, the client's turn; docs/performance.md), so a task should compute for
      at least a second: ``ceil(rate * 1 s / chunk_size)`` chunks;
    - *load balance*: the chunks left should still make at least 8 tasks for each of the
      cluster's ``threads`` worker threads, so that a slow or late worker does not hold up
      the end of the run: at most ``chunks_left // (8 * threads)`` chunks.

    The smaller of the two wins, and a task has at least one chunk: a run too small to give
    every thread 8 one-second tasks gets shorter tasks, and, since the rule is applied to
    the chunks left each time a task is submitted, tasks shrink towards the end of a run,
    so the workers finish together. Only the grouping changes: a chunk (the unit of storage,
    ``chunk_size`` futures) is never split, so the results do not depend on it.

    >>> chunks_per_task(4883, 2048, threads=2, rate=13_000.0)  # 10^7 futures, 2 workers
    7
    >>> chunks_per_task(48829, 2048, threads=256, rate=13_000.0)  # 10^8 futures, 16 x 16
    7
    >>> chunks_per_task(4, 300, threads=2, rate=13_000.0)
    1
    """
    balance = chunks_left // (_TASKS_PER_THREAD * max(threads, 1))
    overhead = math.ceil(_TASK_SECONDS * rate / chunk_size)
    return max(1, min(balance, overhead))


def _drive(
    client: Any,
    pending: Any,
    todo: Iterator[tuple[int, int, int]],
    n_todo: int,
    chunk_size: int,
    task: _Task,
    on_result: Callable[[TaskResult], None],
) -> None:
    """Keep a few tasks per worker thread in flight until every chunk is done.

    Submitting every task of a very large run at once would hold each one's description
    (and the scheduler's record of it) in memory at the same time; a bounded window keeps
    the client's memory flat while the workers always have the next task queued.
    """
    threads = _threads(client)
    counted = time.monotonic()
    left = n_todo
    futures_timed, seconds_timed = 0, 0.0

    def submit() -> bool:
        nonlocal left
        rate = futures_timed / seconds_timed if seconds_timed > 0 else _ASSUMED_RATE
        batch = tuple(islice(todo, chunks_per_task(left, chunk_size, threads, rate)))
        if not batch:
            return False
        left -= len(batch)
        pending.add(client.submit(_remote_task, task, batch, pure=False))
        return True

    def top_up() -> None:
        while pending.count() < max(2, _IN_FLIGHT_PER_THREAD * threads) and submit():
            pass

    top_up()
    for future in pending:
        result = _result_of(future)
        on_result(result)
        futures_timed += result.futures
        seconds_timed += result.seconds
        if time.monotonic() - counted > _RECOUNT_SECONDS:
            # Workers may join (or leave) an existing cluster during the run.
            threads, counted = _threads(client), time.monotonic()
        top_up()


def _threads(client: Any) -> int:
    """The worker threads of the cluster (at least one: workers may not have joined yet)."""
    return max(1, sum(int(n) for n in client.nthreads().values()))


def _result_of(future: Any) -> TaskResult:
    """A finished task's result: the one place where results reach the client."""
    result: TaskResult = future.result()
    return result


@dataclass(frozen=True)
class _Task:
    """What every task of a run is given besides its chunks."""

    text: str
    label: str
    seed: int
    sampler: Sampler
    data_dir: str | None
    options: tuple[str, ...]
    outcomes: tuple[str, ...]
    keep: bool
    store: str | None
    run_id: str | None


@dataclass(frozen=True)
class TaskResult:
    """What one Dask task sends back: partial aggregates of its chunks, not their detail.

    ``detail`` holds each chunk's futures and outcomes only for a run that keeps them
    (``keep=True``, small runs held in memory); otherwise the chunks are on the worker's
    disk (a stored run) or nowhere, and a result is a few kilobytes whatever its size.
    """

    aggregates: Aggregates
    futures: int
    chunks: tuple[int, ...]
    seconds: float
    """Wall-clock seconds the task took on its worker."""
    cpu_seconds: float
    """CPU seconds of the worker thread: below ``seconds`` where the worker shares its core."""
    detail: tuple[tuple[pd.DataFrame, pd.DataFrame], ...] = ()


def _remote_task(task: _Task, chunks: tuple[tuple[int, int, int], ...]) -> TaskResult:
    """Evaluate ``chunks`` (index, start, stop) on a worker: store each, fold them all."""
    started, cpu = time.perf_counter(), time.thread_time()
    keep_freed_memory()
    runs = None if task.store is None or task.run_id is None else _worker_store(task)
    partial = Aggregates(task.options, task.outcomes)
    detail = []
    for index, start, stop in chunks:
        futures, values, names = _evaluate(
            task.text, task.label, start, stop, task.seed, task.sampler, task.data_dir
        )
        if names != task.outcomes:
            raise ValueError("the model's outcomes are not the run's")
        partial.add_values(values)
        if runs is None and not task.keep:
            continue  # the long table only where it is stored or kept
        outcomes = _long_table(task.text, task.label, task.data_dir, futures, values, names)
        if runs is not None and task.run_id is not None:
            # Written before the task returns: a chunk is recorded once it is on disk, so a
            # run killed now resumes from it, whether or not the client heard of it.
            runs.write_chunk(task.run_id, index, futures, outcomes, wait=True)
        if task.keep:
            detail.append((futures, outcomes))
    return TaskResult(
        aggregates=partial,
        futures=sum(stop - start for _, start, stop in chunks),
        chunks=tuple(index for index, _, _ in chunks),
        seconds=time.perf_counter() - started,
        cpu_seconds=time.thread_time() - cpu,
        detail=tuple(detail),
    )


def _worker_store(task: _Task) -> Any:
    """The run store at ``task.store``, as this worker sees it."""
    from umbrella.store import RunStore, StoreError
    from umbrella.store.files import run_folder
    from umbrella.store.manifest import MANIFEST

    path = Path(str(task.store))
    if not (run_folder(path, str(task.run_id)) / MANIFEST).is_file():
        raise StoreError(
            f"{path}: run {task.run_id} is not in the store as worker {socket.gethostname()} "
            "sees it; with --scheduler the store must be on storage that every worker "
            "shares, at the same path"
        )
    return RunStore(path)
