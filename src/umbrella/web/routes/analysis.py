"""Analyses of stored runs: the numbers of ``umbrella runs diff`` and ``umbrella explore``,
Sobol indices, the trade-offs, the pathways and the value of information, and the brief of a
run (``umbrella brief --run``).

Run ids are checked against the store's pattern before any path is built from them. The
quick analyses (diff, robustness, PRIM, trade-offs, pathways) answer at once. Sobol indices
evaluate new futures, the value of information fits a regression per assumption group (about
30 s on 10^5 futures) and a brief takes 10-20 s: they run in the background, in the worker
threads of background runs and under their bound (``Limits.run_concurrency``; one more is
answered 503 with Retry-After). Finished Sobol indices and values of information are kept
inside the server's store, under ``analyses/RUN_ID/``, never in the run's folder. Briefs are
written inside the server's store, under ``briefs/RUN_ID/LANG-BASE/``: the store reads only
``runs/`` and its catalog, so it ignores these folders, and every worker process of the
server finds what another one built.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import re
import threading
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import AfterValidator, BaseModel

from umbrella.errors import UmbrellaError
from umbrella.settings import SATISFICING
from umbrella.web.routes.runs import RUN_ID, _store
from umbrella.web.schemas import (
    OUTCOME,
    SLUG,
    AnalysisProgress,
    BriefRequest,
    BriefStatus,
    ErrorBody,
    PathwaysOut,
    PrimOut,
    RobustnessOut,
    RunDiffOut,
    SobolOut,
    SobolRequest,
    TradeoffsOut,
    VoiOut,
    VoiProgress,
    VoiRequest,
    power_of_two,
)
from umbrella.web.state import TASKS_KEPT, ApiError, Context, Task, context

router = APIRouter(tags=["analysis"])
_log = logging.getLogger(__name__)


# A fresh parameter each time: FastAPI binds a parameter object to the name of its first use.
def _run_id() -> Any:
    return PathParam(pattern=RUN_ID, description="A run id, YYYYMMDD-HHMMSS-xxxx.")


def _outcome() -> Any:
    return Query(
        "holds_europe", pattern=OUTCOME, description="A summary outcome of the run's scenario."
    )


_BASE_DOC = "Base rows of the Sobol design: a power of two, 16 to 1,024."
# A query parameter checked as the request body's field is: 16 to 1024, a power of two.
BaseQuery = Annotated[
    int, Query(ge=16, le=1024, description=_BASE_DOC), AfterValidator(power_of_two)
]
Lang = Literal["en", "uk"]

_REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
_BUSY: dict[int | str, dict[str, Any]] = {503: {"model": ErrorBody}}

# The brief is one self-contained file: its own inline scripts (plotly.js and the charts) and
# styles run, and nothing may be loaded from, sent to or framed by any other host.
BRIEF_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)
_BRIEF_BUILT = ("html", "md")  # what each build writes; the zip is made from the folder
_MEDIA = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "zip": "application/zip",
}


# --- the quick analyses ---------------------------------------------------------------------


@router.get(
    "/runs/{a}/diff/{b}",
    summary="Compare two complete runs",
    description="Metadata that differ and each option's outcome means in both runs, as "
    "`umbrella runs diff A B --json` prints them (`difference` is `mean_b - mean_a`).",
    responses=_REFUSALS,
)
def diff(a: str = _run_id(), b: str = _run_id(), ctx: Context = Depends(context)) -> RunDiffOut:
    store = _store(ctx)
    _complete(store, a, "path.a")
    _complete(store, b, "path.b")
    found: Mapping[str, Any] = _jsonable(store.diff(a, b))
    return RunDiffOut(**found)


@router.get(
    "/runs/{run_id}/robustness",
    summary="The robustness table of a complete run",
    description="Per option: the outcome's spread, regret against the best option in each "
    "future, satisficing; and the most robust option under each rule, as `umbrella explore "
    "ID --outcome OUTCOME --json` gives them.",
    responses=_REFUSALS,
)
def robustness(
    run_id: str = _run_id(), outcome: str = _outcome(), ctx: Context = Depends(context)
) -> RobustnessOut:
    from umbrella.cli.explore import frame_records  # the CLI's conversion: the same numbers

    opened = _opened(ctx, run_id)
    _check_outcome(opened, outcome, "query.outcome")
    table = opened.robustness(outcome)
    return RobustnessOut(
        run_id=run_id,
        outcome=outcome,
        robustness=frame_records(table),
        most_robust=opened.most_robust(table),
    )


@router.get(
    "/runs/{run_id}/prim",
    summary="Where an option fails (PRIM)",
    description="The box of uncertainties where `option` fails (`outcome` below `fail_below`; "
    "above it for outcomes where less is better), as `umbrella explore ID --prim OPTION "
    "--json` gives it.",
    responses=_REFUSALS,
)
def prim(
    run_id: str = _run_id(),
    option: str = Query(..., pattern=SLUG, description="An option of the run's scenario."),
    outcome: str = _outcome(),
    fail_below: float = Query(SATISFICING, allow_inf_nan=False),
    ctx: Context = Depends(context),
) -> PrimOut:
    from umbrella.cli.explore import frame_records

    opened = _opened(ctx, run_id)
    _check_outcome(opened, outcome, "query.outcome")
    options = [o.id for o in opened.scenario.options]
    if option not in options:
        raise ApiError(
            422,
            f"unknown option '{option}'; the run's options: {', '.join(options)}",
            "query.option",
        )
    try:
        found = opened.prim(option, outcome, fail_below)
    except UmbrellaError as error:  # no future fails, or every one does
        raise ApiError(422, str(error), "query.fail_below") from None
    return PrimOut(
        run_id=run_id,
        option=option,
        outcome=outcome,
        fail_below=fail_below,
        coverage=float(found.coverage),
        density=float(found.density),
        mass=float(found.mass),
        n_failures=int(found.n_failures),
        n_futures=int(found.n_futures),
        box=frame_records(found.box),
    )


# --- Sobol indices, in the background ---------------------------------------------------------


@router.post(
    "/runs/{run_id}/sobol",
    status_code=202,
    summary="Compute Sobol indices of a run in the background",
    description="First- and total-order Sobol indices of `outcome` for every option, on "
    "Saltelli's design of `base` rows seeded from the run's seed (as `umbrella explore ID "
    "--sobol --sobol-base BASE`). Answers 202 at once; follow `progress_url`, which gives the "
    "indices once done (200 here if they are already). Kept in the store, for every server "
    "process of it. "
    "Beyond the server's concurrent runs and analyses: 503 with Retry-After.",
    response_model=AnalysisProgress,
    responses={200: {"model": AnalysisProgress}, **_REFUSALS, **_BUSY},
)
def start_sobol(
    body: SobolRequest, run_id: str = _run_id(), ctx: Context = Depends(context)
) -> AnalysisProgress | JSONResponse:
    opened = _opened(ctx, run_id)
    _check_outcome(opened, body.outcome, "outcome")
    key = _sobol_key(run_id, body.base, body.outcome)
    task, started = _admit(ctx, key, "sobol", run_id)
    if started:
        _submit(ctx, task, _sobol_work, ctx, task, opened, body.base, body.outcome)
    progress = _progress(task, _sobol_url(run_id, body.base, body.outcome))
    if progress.status == "complete":
        return JSONResponse(progress.model_dump(), status_code=200)
    return progress


@router.get(
    "/runs/{run_id}/sobol",
    summary="Sobol indices of a run, once computed",
    description="The indices `POST /api/runs/{run_id}/sobol` computed: one row per "
    "uncertainty and option with S1, S1_conf, ST and ST_conf (as `umbrella explore ID --sobol "
    "--format csv`). 202 with the progress while they are computed; 404 if no server "
    "process of the store has computed them.",
    response_model=SobolOut,
    responses={202: {"model": AnalysisProgress}, **_REFUSALS},
)
def sobol(
    run_id: str = _run_id(),
    base: BaseQuery = 256,
    outcome: str = _outcome(),
    ctx: Context = Depends(context),
) -> SobolOut | JSONResponse:
    store = _store(ctx)
    _complete(store, run_id, "path.run_id")

    def missing() -> str:
        from umbrella.explore.run import open_run

        _check_outcome(open_run(run_id, store), outcome, "query.outcome")
        return (
            f"no Sobol indices of run {run_id} for {outcome} with base {base} in this server; "
            f"POST api/runs/{run_id}/sobol computes them"
        )

    found = _finished(
        ctx,
        _sobol_key(run_id, base, outcome),
        _sobol_file(ctx, run_id, base, outcome),
        lambda task: _progress(task, _sobol_url(run_id, base, outcome)),
        missing,
        "the Sobol indices",
    )
    if isinstance(found, JSONResponse):
        return found
    return SobolOut(run_id=run_id, base=base, outcome=outcome, indices=found)


def _sobol_key(run_id: str, base: int, outcome: str) -> tuple[str, ...]:
    return ("sobol", run_id, str(base), outcome)


def _sobol_url(run_id: str, base: int, outcome: str) -> str:
    return f"api/runs/{run_id}/sobol?base={base}&outcome={outcome}"


def _sobol_file(ctx: Context, run_id: str, base: int, outcome: str) -> Path:
    """Where finished indices are kept in the store, for every server process of it (the
    run id and outcome are checked before: no request names another path)."""
    assert ctx.store is not None  # _store() answered 404 before
    return ctx.store / "analyses" / run_id / f"sobol-{outcome}-{base}.json"


def _keep(path: Path, found: Any) -> None:
    """``found`` (JSON-ready) written whole or not at all: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    staging.write_text(json.dumps(found, allow_nan=False), encoding="utf-8")
    os.replace(staging, path)


def _sobol_work(ctx: Context, task: Task, opened: Any, base: int, outcome: str) -> None:
    """The indices, in a worker thread, as long-form rows ready for JSON."""
    from umbrella.cli.explore import sobol_rows

    def progress(done: int, total: int) -> None:
        task.done, task.total = done, total

    try:
        indices = opened.sobol(base, (outcome,), progress=progress)
        columns, rows = sobol_rows(indices)
        task.result = [_jsonable(dict(zip(columns, row, strict=True))) for row in rows]
        _keep(_sobol_file(ctx, task.run_id, base, outcome), task.result)
    except Exception as error:
        task.error = _failure(error, f"Sobol indices of run {task.run_id}")
    finally:
        _release(ctx, task)


# --- trade-offs, at once ----------------------------------------------------------------------


@router.get(
    "/runs/{run_id}/tradeoffs",
    summary="The trade-offs between a run's options",
    description="Per option: the share of futures in which it is efficient (no other option "
    "at least as good on every objective and better on one), whether it is efficient on the "
    "means and on the robust values, who dominates it on the means, and each objective's "
    "mean, p10 and p90, as `umbrella explore ID --pareto --json` gives them under "
    "`tradeoffs`; with the parallel-coordinates figure of the means (plotly JSON) and its "
    "text (`alt`).",
    responses=_REFUSALS,
)
def tradeoffs(run_id: str = _run_id(), ctx: Context = Depends(context)) -> TradeoffsOut:
    # A sync route: FastAPI runs it in a worker thread, off the event loop (about 1 s).
    from plotly.io.json import to_json_plotly

    from umbrella.cli.explore import tradeoff_records  # the CLI's conversion: the same numbers
    from umbrella.explore.tradeoffs import parallel_coordinates
    from umbrella.explore.tradeoffs import tradeoffs as traded_off

    opened = _opened(ctx, run_id)
    try:
        table = traded_off(opened)
    except UmbrellaError as error:  # the run lacks an objective's outcome or assumption
        raise ApiError(409, _failure(error, "trade-offs"), "path.run_id") from None
    figure, alt = parallel_coordinates(table)
    return TradeoffsOut(
        run_id=run_id,
        objectives={
            o.name: {"unit": o.unit, "direction": o.direction, "definition": o.definition}
            for o in table.attrs["objectives"].values()
        },
        n_futures=int(table.attrs["n_futures"]),
        options=tradeoff_records(table),
        figure=json.loads(to_json_plotly(figure, engine="json")),
        alt=alt,
    )


# --- pathways, at once ------------------------------------------------------------------------


@router.get(
    "/runs/{run_id}/pathways",
    summary="The pathways of a run's scenario, step by step",
    description="Per step of every pathway (an option with a step that waits for a signpost): "
    "the option, delay and scale, the signpost (assumption, bound, threshold, the year it is "
    "read), the share of the run's futures in which the step starts, the year it starts and "
    "the year it first acts; with the pathway's holds_europe (mean, p10) and regret against "
    "every option of the run (mean, max), and whether its mean regret is below every single "
    "option's, as `umbrella explore ID --pathways --json` gives them under `pathways`. "
    "`steps` is empty when the scenario has no pathway.",
    responses=_REFUSALS,
)
def pathways(run_id: str = _run_id(), ctx: Context = Depends(context)) -> PathwaysOut:
    from umbrella.cli.explore import pathway_payload  # the CLI's payload: the same numbers
    from umbrella.explore.pathways import pathways as staged

    opened = _opened(ctx, run_id)
    try:
        table = staged(opened)
    except UmbrellaError as error:  # the run lacks a signpost's assumption or the outcome
        raise ApiError(409, _failure(error, "pathways"), "path.run_id") from None
    return PathwaysOut(run_id=run_id, **_jsonable(pathway_payload(table)))


# --- the value of information, in the background ----------------------------------------------


@router.post(
    "/runs/{run_id}/voi",
    status_code=202,
    summary="Compute the value of information of a run in the background",
    description="EVPI and the EVPPI of each assumption group, in percentage points of the "
    "probability that deterrence holds, for the decision that chooses the option with the "
    "highest mean of `100 * holds_europe - cost_weight * npv_eur_bn` (as `umbrella explore "
    "ID --voi --cost-weight W`): about 30 s on 10^5 futures. Answers 202 at once; follow "
    "`progress_url`, which gives the table once done (200 here if it is already). Kept in the "
    "store, for every server process of it. Beyond the server's concurrent runs and "
    "analyses: 503 with Retry-After.",
    response_model=VoiProgress,
    responses={200: {"model": VoiProgress}, **_REFUSALS, **_BUSY},
)
def start_voi(
    body: VoiRequest, run_id: str = _run_id(), ctx: Context = Depends(context)
) -> VoiProgress | JSONResponse:
    opened = _opened(ctx, run_id)
    weight = _weight_name(body.cost_weight, "cost_weight")
    url = _voi_url(run_id, weight)
    key = _voi_key(run_id, weight)
    task = ctx.tasks.get(key)
    if (task is None or task.error is not None) and _voi_file(ctx, run_id, weight).is_file():
        # Computed by this or another server process over the same store: nothing to start.
        done = VoiProgress(
            run_id=run_id, status="complete", done=0, total=0, fraction=1.0, progress_url=url
        )
        return JSONResponse(done.model_dump(), status_code=200)
    task, started = _admit(ctx, key, "voi", run_id)
    if started:
        _submit(ctx, task, _voi_work, ctx, task, opened, body.cost_weight, weight)
    progress = _voi_progress(task, url)
    if progress.status == "complete":
        return JSONResponse(progress.model_dump(), status_code=200)
    return progress


@router.get(
    "/runs/{run_id}/voi",
    summary="The value of information of a run, once computed",
    description="What `POST /api/runs/{run_id}/voi` computed, as `umbrella explore ID --voi "
    "--json` prints it under `voi`: EVPI first (group `all (EVPI)`), then each assumption "
    "group's EVPPI with its 95% interval (`low`, `high`), the share of futures whose decision "
    "would change (`changed`) and to which option (`changed_to`). 202 with the progress while "
    "it is computed; 404 if no server process of the store has computed it.",
    response_model=VoiOut,
    responses={202: {"model": VoiProgress}, **_REFUSALS},
)
def voi(
    run_id: str = _run_id(),
    cost_weight: float = Query(
        0.0,
        ge=0,
        allow_inf_nan=False,
        description="Percentage points of deterrence one bn EUR of present-value cost is "
        "worth (0: deterrence only).",
    ),
    ctx: Context = Depends(context),
) -> VoiOut | JSONResponse:
    store = _store(ctx)
    _complete(store, run_id, "path.run_id")
    weight = _weight_name(cost_weight, "query.cost_weight")
    found = _finished(
        ctx,
        _voi_key(run_id, weight),
        _voi_file(ctx, run_id, weight),
        lambda task: _voi_progress(task, _voi_url(run_id, weight)),
        lambda: (
            f"no value of information of run {run_id} with cost_weight {weight} in this "
            f"server; POST api/runs/{run_id}/voi computes it"
        ),
        "the value of information",
    )
    if isinstance(found, JSONResponse):
        return found
    return VoiOut(run_id=run_id, **found)


def _finished(
    ctx: Context,
    key: tuple[str, ...],
    kept: Path,
    progress: Callable[[Task], BaseModel],
    missing: Callable[[], str],
    what: str,
) -> Any:
    """A background analysis's result, for its GET route: the task's result once finished,
    or what a server process of the store kept of it (when this process has no task, or
    its task failed); 202 with the progress while it runs; 404 with ``missing()`` where no
    process has computed it; 409 where it failed."""
    task = ctx.tasks.get(key)
    if (task is None or task.error is not None) and kept.is_file():
        # Computed by this or another server process over the same store.
        return json.loads(kept.read_text(encoding="utf-8"))
    if task is None:
        raise ApiError(404, missing())
    if task.error is not None:
        raise ApiError(409, f"{what} failed: {task.error}; POST again to retry")
    if not task.finished:
        return JSONResponse(progress(task).model_dump(), status_code=202)
    return task.result


def _weight_name(weight: float, field: str) -> str:
    """The cost weight as it names the file and the task: the float's repr (``0.0``,
    ``0.1``, ``1e-05``), so that 0, 0.0 and 0e0 are one. Checked finite and >= 0 here too,
    before any path is built from it."""
    if not (math.isfinite(weight) and weight >= 0):
        raise ApiError(422, "cost_weight must be a finite number of 0 or more", field)
    name = repr(float(weight))
    if not re.fullmatch(r"[0-9][0-9.e+-]*", name):  # never a separator: a file name only
        raise ApiError(422, f"cost_weight {name} cannot be used", field)
    return name


def _voi_key(run_id: str, weight: str) -> tuple[str, ...]:
    return ("voi", run_id, weight)


def _voi_url(run_id: str, weight: str) -> str:
    return f"api/runs/{run_id}/voi?cost_weight={weight}"


def _voi_file(ctx: Context, run_id: str, weight: str) -> Path:
    """Where a finished value of information is kept in the store, for every server process
    of it (the run id and the weight's name are checked before: no request names another
    path)."""
    assert ctx.store is not None  # _store() answered 404 before
    return ctx.store / "analyses" / run_id / f"voi-{weight}.json"


def _voi_progress(task: Task, url: str) -> VoiProgress:
    fields = _progress(task, url).model_dump()
    fields["kind"] = "voi"
    return VoiProgress(**fields)


def _voi_work(ctx: Context, task: Task, opened: Any, weight: float, name: str) -> None:
    """The value of information, in a worker thread, as ``umbrella explore --voi --json``
    prints it under ``voi``."""
    from umbrella.cli.explore import voi_payload
    from umbrella.explore.voi import run_voi

    def progress(done: int, total: int) -> None:
        task.done, task.total = done, total

    try:
        information = run_voi(opened, weight, progress=progress)
        task.result = _jsonable(voi_payload(information))
        _keep(_voi_file(ctx, task.run_id, name), task.result)
    except Exception as error:
        task.error = _failure(error, f"the value of information of run {task.run_id}")
    finally:
        _release(ctx, task)


# --- the brief of a run ----------------------------------------------------------------------


@router.post(
    "/runs/{run_id}/brief",
    status_code=202,
    summary="Build the brief of a run in the background",
    description="Writes the brief of the stored run (as `umbrella brief --run ID --lang LANG "
    "--sobol-base BASE`) into the server's store, in a worker thread: 10-20 s. Answers 202 "
    "with its progress (follow `progress_url`), or 200 with the addresses of its files "
    "(`files`) once built. Beyond the server's concurrent runs and analyses: 503 with "
    "Retry-After.",
    response_model=BriefStatus,
    responses={200: {"model": BriefStatus}, **_REFUSALS, **_BUSY},
)
def start_brief(
    body: BriefRequest, run_id: str = _run_id(), ctx: Context = Depends(context)
) -> BriefStatus | JSONResponse:
    _complete(_store(ctx), run_id, "path.run_id")
    status = _start_brief(ctx, run_id, body.lang, body.sobol_base)
    if status.status == "complete":
        return JSONResponse(status.model_dump(), status_code=200)
    return status


@router.get(
    "/runs/{run_id}/brief/progress",
    summary="How far the brief of a run has come",
    description="`absent` (not built, nor building), `running` with the phase, `failed` with "
    "the reason, or `complete` with the addresses of its files. Starts nothing.",
    responses=_REFUSALS,
)
def brief_progress(
    run_id: str = _run_id(),
    lang: Lang = Query("en"),
    sobol_base: BaseQuery = 256,
    ctx: Context = Depends(context),
) -> BriefStatus:
    _complete(_store(ctx), run_id, "path.run_id")
    return _brief_status(ctx, run_id, lang, sobol_base)


@router.get(
    "/runs/{run_id}/brief",
    summary="The brief of a run: HTML, Markdown or a zip of its folder",
    description="Once built: `format=html` (self-contained, charts and scripts inline), "
    "`md` (its charts are in the zip) or `zip` (the brief's folder: brief.html, brief.md, "
    "charts/, data/). Not yet built: starts building it and answers 202 with the progress; "
    "ask again once `progress_url` says complete.",
    responses={
        200: {"content": {"text/html": {}, "text/markdown": {}, "application/zip": {}}},
        202: {"model": BriefStatus},
        **_REFUSALS,
        **_BUSY,
    },
)
def brief(
    run_id: str = _run_id(),
    format: Literal["html", "md", "zip"] = Query("html"),
    lang: Lang = Query("en"),
    sobol_base: BaseQuery = 256,
    ctx: Context = Depends(context),
) -> Response:
    _complete(_store(ctx), run_id, "path.run_id")
    folder = _brief_folder(ctx, run_id, lang, sobol_base)
    if not _built(folder):
        key = _brief_key(run_id, lang, sobol_base)
        with ctx.lock:
            task = ctx.tasks.get(key)
            if task is not None and task.error is not None:
                # Said once; the next request builds it again.
                del ctx.tasks[key]
                raise ApiError(409, f"the brief failed: {task.error}; ask again to retry")
        status = _start_brief(ctx, run_id, lang, sobol_base)
        if status.status != "complete":
            return JSONResponse(status.model_dump(), status_code=202)
    name = f"brief-{run_id}-{lang}"
    if format == "zip":
        return Response(
            _zipped(folder, name),
            media_type=_MEDIA["zip"],
            headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
        )
    return FileResponse(
        folder / f"brief.{format}",
        media_type=_MEDIA[format],
        headers={
            "Content-Disposition": f'inline; filename="{name}.{format}"',
            "Content-Security-Policy": BRIEF_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )


def _brief_key(run_id: str, lang: str, base: int) -> tuple[str, ...]:
    return ("brief", run_id, lang, str(base))


def _brief_folder(ctx: Context, run_id: str, lang: str, base: int) -> Path:
    # Only from a checked run id, a language of a fixed list and a number: inside the store.
    assert ctx.store is not None  # _store() has refused a server without one
    return ctx.store / "briefs" / run_id / f"{lang}-{base}"


def _built(folder: Path) -> bool:
    # write_brief moves a finished brief into place at once: its files are there or not.
    return all((folder / f"brief.{kind}").is_file() for kind in _BRIEF_BUILT)


def _brief_status(ctx: Context, run_id: str, lang: str, base: int) -> BriefStatus:
    from umbrella.report.build import PHASES

    query = f"lang={lang}&sobol_base={base}"
    url = f"api/runs/{run_id}/brief/progress?{query}"
    steps = len(PHASES)
    if _built(_brief_folder(ctx, run_id, lang, base)):
        files = {kind: f"api/runs/{run_id}/brief?format={kind}&{query}" for kind in _MEDIA}
        return BriefStatus(
            run_id=run_id,
            kind="brief",
            status="complete",
            done=steps,
            total=steps,
            fraction=1.0,
            progress_url=url,
            files=files,
        )
    task = ctx.tasks.get(_brief_key(run_id, lang, base))
    if task is None or (task.finished and task.error is None):  # a built brief since removed
        return BriefStatus(
            run_id=run_id,
            kind="brief",
            status="absent",
            done=0,
            total=steps,
            fraction=0.0,
            progress_url=url,
        )
    return BriefStatus(**_progress(task, url).model_dump())


def _start_brief(ctx: Context, run_id: str, lang: str, base: int) -> BriefStatus:
    """The brief's status, its build started first unless it is built or building."""
    status = _brief_status(ctx, run_id, lang, base)
    if status.status in ("complete", "running"):
        return status
    assert ctx.store is not None
    task, started = _admit(ctx, _brief_key(run_id, lang, base), "brief", run_id, restart=True)
    if started:
        from umbrella.report.build import PHASES

        task.total = len(PHASES)
        folder = _brief_folder(ctx, run_id, lang, base)
        _submit(ctx, task, _brief_work, ctx, task, ctx.store, folder, lang, base)
    return _brief_status(ctx, run_id, lang, base)


def _brief_work(ctx: Context, task: Task, store: Path, folder: Path, lang: str, base: int) -> None:
    """The brief, in a worker thread, written into its folder inside the store."""
    from umbrella.report.build import PHASES, write_brief

    def phase(name: str) -> None:
        # A stored run is opened instead of evaluated: its first phase counts as done.
        task.phase = name
        task.done = PHASES.index(name) if name in PHASES else 1

    try:
        write_brief(
            None,
            run_id=task.run_id,
            store=store,
            out=folder,
            formats=list(_BRIEF_BUILT),
            sobol_base=base,
            lang=lang,
            phase=phase,
        )
        task.done = task.total
    except Exception as error:
        task.error = _failure(error, f"the brief of run {task.run_id}")
    finally:
        _release(ctx, task)


def _zipped(folder: Path, name: str) -> bytes:
    """The brief's folder as a zip whose entries sit in one folder, ``name``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not any(p.startswith(".") for p in relative.parts):
                archive.write(path, f"{name}/{relative.as_posix()}")
    return buffer.getvalue()


# --- shared ---------------------------------------------------------------------------------


def _complete(store: Any, run_id: str, field: str) -> Any:
    """The run's record: 404 if the store has no such run, 409 unless it is complete."""
    record = store.run(run_id)
    if record.status != "complete":
        raise ApiError(
            409,
            f"run {run_id} is {record.status}, not complete; only a complete run can be analysed",
            field,
        )
    return record


def _opened(ctx: Context, run_id: str) -> Any:
    from umbrella.explore.run import open_run

    store = _store(ctx)
    _complete(store, run_id, "path.run_id")
    return open_run(run_id, store)


def _check_outcome(opened: Any, outcome: str, field: str) -> None:
    from umbrella.model import layout
    from umbrella.model.evaluate import summary_outcomes

    names = summary_outcomes(layout(opened.scenario))
    if outcome not in names:
        raise ApiError(422, f"unknown outcome '{outcome}'; outcomes: {', '.join(names)}", field)


def _admit(
    ctx: Context, key: tuple[str, ...], kind: str, run_id: str, *, restart: bool = False
) -> tuple[Task, bool]:
    """The task for ``key``, and whether it is new: one already running or done is returned
    as it is (asking twice starts nothing); a failed one is started again. A new one takes a
    slot of the background runs, or is refused with 503 when none is free."""
    limits = ctx.limits
    with ctx.lock:
        task = ctx.tasks.get(key)
        if task is not None and task.error is None and not (restart and task.finished):
            return task, False
        ctx.take_place("another run or analysis", limits.retry_after_s * 5)
        task = Task(kind=kind, run_id=run_id)
        ctx.tasks.pop(key, None)
        ctx.tasks[key] = task  # the newest last: the oldest finished ones are forgotten first
        finished = [k for k, t in ctx.tasks.items() if t.finished]
        for old in finished[: max(0, len(finished) - TASKS_KEPT)]:
            del ctx.tasks[old]
        return task, True


def _submit(ctx: Context, task: Task, work: Any, *args: Any) -> None:
    try:
        ctx.pool("run").submit(work, *args)
    except RuntimeError:  # the server is shutting down: give the slot back
        task.error = "the server is shutting down"
        _release(ctx, task)
        raise ApiError(503, "the server is shutting down; try again later") from None


def _release(ctx: Context, task: Task) -> None:
    # The slot is free before the task reads as finished: whoever waits for the one may at
    # once start another.
    ctx.free_place()
    with ctx.lock:
        task.finished = True


def _progress(task: Task, url: str) -> AnalysisProgress:
    status: Literal["running", "complete", "failed"] = (
        "failed" if task.error is not None else "complete" if task.finished else "running"
    )
    total = max(task.total, 0)
    done = task.total if status == "complete" and task.total else task.done
    return AnalysisProgress(
        run_id=task.run_id,
        kind="sobol" if task.kind == "sobol" else "brief",
        status=status,
        done=done,
        total=total,
        fraction=round(done / total, 6) if total else float(status == "complete"),
        phase=task.phase,
        message=task.error,
        progress_url=url,
    )


def _failure(error: Exception, what: str) -> str:
    """One line for a client; the traceback of an unexpected error goes to the log."""
    if isinstance(error, UmbrellaError):
        return " ".join(str(error).split())
    _log.exception("%s failed", what)
    return f"internal error ({type(error).__name__}); see the server's log"


def _jsonable(value: Any) -> Any:
    """A value as JSON holds it, as ``umbrella runs ... --json`` writes it: times in ISO
    8601, NumPy scalars as numbers, tuples as lists, and a missing number as null (JSON has
    no NaN)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return None if value != value else value.isoformat()  # NaT is not equal to itself
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
