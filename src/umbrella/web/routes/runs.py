"""``/api/runs``: the runs of the server's store, and runs started in the background.

Run ids are checked against the store's own pattern (``YYYYMMDD-HHMMSS-xxxx``) before any
path is built from them, so no request names a file outside the store.
"""

from __future__ import annotations

import asyncio
import io
import math
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from umbrella.web import engine
from umbrella.web.schemas import ErrorBody, RunProgress, RunRequest, RunStarted
from umbrella.web.state import ApiError, Context, Job, context

router = APIRouter(tags=["runs"])

RUN_ID = r"^\d{8}-\d{6}-[0-9a-f]{4}$"
"""The store's run ids (``umbrella.store.lookup.RUN_ID``)."""
_ID = Path(pattern=RUN_ID, description="A run id, YYYYMMDD-HHMMSS-xxxx.")
_START_WAIT_S = 30.0


def _store(ctx: Context) -> Any:
    from umbrella.store import RunStore

    if ctx.store is None:
        raise ApiError(404, "this server keeps no run store (start it with --store)", "store")
    return RunStore(ctx.store)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _record(record: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in vars(record).items()} | {"n_chunks": record.n_chunks}


@router.get("/runs", summary="The stored runs, newest first")
def runs(ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    frame = _store(ctx).runs()
    records: list[dict[str, Any]] = [
        {str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]
    for row in records:
        for column in ("started_at", "finished_at"):
            if row.get(column) is not None and not isinstance(row[column], str):
                row[column] = str(row[column])
    return records


@router.get("/runs/{run_id}", summary="One stored run", responses={404: {"model": ErrorBody}})
def run(run_id: str = _ID, ctx: Context = Depends(context)) -> dict[str, Any]:
    return _record(_store(ctx).run(run_id))


@router.get("/runs/{run_id}/progress", summary="How far a run has come")
def progress(run_id: str = _ID, ctx: Context = Depends(context)) -> RunProgress:
    record = _store(ctx).run(run_id)
    n = int(record.n_samples)
    return RunProgress(
        run_id=run_id,
        status=record.status,
        futures_done=int(record.futures_done),
        n_samples=n,
        fraction=round(int(record.futures_done) / n, 6) if n else 0.0,
        reason=record.reason,
    )


@router.get(
    "/runs/{run_id}/results",
    summary="A complete run's results",
    description="`table=headline` (default): the headline table, one row per option, as "
    "`umbrella assess --json` gives it; `table=outcomes`: every future's outcomes per "
    "option. As JSON, CSV or Parquet.",
    responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}},
)
def results(
    run_id: str = _ID,
    format: Literal["json", "csv", "parquet"] = Query("json"),
    table: Literal["headline", "outcomes"] = Query("headline"),
    ctx: Context = Depends(context),
) -> Response:
    import pandas as pd

    from umbrella.explore.run import open_run

    store = _store(ctx)
    record = store.run(run_id)
    if record.status != "complete":
        raise ApiError(409, f"run {run_id} is {record.status}, not complete", "path.run_id")
    opened = open_run(run_id, store)
    if table == "headline":
        frame: pd.DataFrame = opened.headline().rename_axis("option").reset_index()
    else:
        frame = opened.data()[1]
        if format == "json" and len(frame) > ctx.limits.run_json_rows:
            raise ApiError(
                413,
                f"{len(frame):,} rows: more than {ctx.limits.run_json_rows:,} as JSON; "
                "ask for format=csv or format=parquet",
                "query.format",
            )
    name = f"{run_id}-{table}"
    if format == "csv":
        return Response(
            frame.to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return Response(
            buffer.getvalue(),
            media_type="application/vnd.apache.parquet",
            headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'},
        )
    from fastapi.responses import JSONResponse

    from umbrella.cli.headline import json_records

    rows = [{k: _plain(v) for k, v in row.items()} for row in json_records(frame)]
    return JSONResponse({"run_id": run_id, "table": table, "rows": rows})


@router.post(
    "/runs",
    status_code=202,
    summary="Start a run in the background",
    description="Runs the scenario's options over `samples` futures into the server's store "
    "(as `umbrella run`), in a worker thread. Answers once the run has its id; follow it at "
    "`progress_url`. Beyond the server's concurrent runs: 503 with Retry-After.",
    responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
async def start(body: RunRequest, ctx: Context = Depends(context)) -> RunStarted:
    limits = ctx.limits
    if body.samples > limits.run_max_samples:
        raise ApiError(
            422,
            f"use 100 to {limits.run_max_samples:,} futures here (`umbrella run` takes more)",
            "samples",
        )
    if body.scenario not in engine.scenario_names():
        raise ApiError(422, f"unknown scenario '{body.scenario}'", "scenario")
    store = _store(ctx)
    ctx.take_place("another run", limits.retry_after_s * 30)
    job = Job(total=body.samples)
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(ctx.pool("run"), _work, ctx, store, body, job)
    # Its error, if any, is reported through the store (status failed, with the reason).
    future.add_done_callback(lambda f: None if f.cancelled() else f.exception())
    # The id exists once the store has made the run's folder, moments after the start.
    await loop.run_in_executor(None, job.ready.wait, _START_WAIT_S)
    if job.run_id is None and job.error is not None:
        raise job.error  # before the run existed: a bad scenario, answered 422
    if job.run_id is None:
        raise ApiError(503, "the run did not start in time; see GET /api/runs", None)
    return RunStarted(
        run_id=job.run_id,
        status="running",
        futures_done=job.done,
        n_samples=body.samples,
        fraction=0.0,
        progress_url=f"api/runs/{job.run_id}/progress",
    )


def _work(ctx: Context, store: Any, body: RunRequest, job: Job) -> None:
    """The run, in a worker thread: the store reports the new id through ``job``."""
    from umbrella.explore.run import run

    class _Reporting(type(store)):  # type: ignore[misc]
        def create_run(self, **values: Any) -> str:
            run_id: str = super().create_run(**values)
            job.run_id = run_id
            ctx.jobs[run_id] = job
            job.ready.set()
            return run_id

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    try:
        run(
            engine.shipped(body.scenario),
            body.samples,
            body.seed,
            store=_Reporting(store.path),
            progress=progress,
        )
    except BaseException as error:
        job.error = error
        raise
    finally:
        job.ready.set()
        ctx.free_place()
