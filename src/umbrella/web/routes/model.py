"""The model: ``/api/assumptions``, ``/api/scenarios``, ``/api/assess``, ``/api/figures``."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from umbrella.web import engine
from umbrella.web.figures import FigureOut, FiguresRequest, compute_figures
from umbrella.web.schemas import (
    SLUG,
    AssessRequest,
    AssessResponse,
    AssumptionOut,
    ErrorBody,
    ScenarioDetail,
    ScenarioSummary,
    ValidationResult,
)
from umbrella.web.state import ApiError, BusyError, Context, context

router = APIRouter(tags=["model"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "A field is invalid: which, and why."}
}
_SCENARIO_QUERY = Query("europe-2026", pattern=SLUG, description="A shipped scenario.")


def _known(name: str, field: str = "scenario") -> None:
    if name not in engine.scenario_names():
        known = ", ".join(engine.scenario_names())
        raise ApiError(422, f"unknown scenario '{name}'; shipped scenarios: {known}", field)


@router.get(
    "/assumptions",
    summary="The assumption registry",
    description="Every assumption of the scenario: name, meaning, default, low, high, unit, "
    "basis and how ensembles sample it (as `umbrella assumptions --json`).",
    responses=_ERRORS,
)
async def assumptions(
    scenario: str = _SCENARIO_QUERY,
    contains: str | None = Query(None, max_length=100, description="Only names containing this."),
) -> list[AssumptionOut]:
    _known(scenario, "query.scenario")
    loaded = await run_in_threadpool(engine.shipped, scenario)
    return [
        AssumptionOut(**vars(a))
        for a in loaded.registry.values()
        if contains is None or contains in a.name
    ]


def _summary(scenario: Any) -> dict[str, Any]:
    span = (scenario.start_year, scenario.horizon)
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": " ".join(scenario.description.split()),
        "as_of": scenario.as_of.isoformat(),
        "start_year": scenario.start_year,
        "horizon": scenario.horizon,
        "options": [{"id": o.id, "name": o.name} for o in scenario.options],
        "stresses": [
            {
                "id": s.id,
                "label": s.label,
                "description": s.description,
                "test_year": s.test_year,
                "years": span,
            }
            for s in scenario.stresses
        ],
    }


@router.get("/scenarios", summary="The shipped scenarios")
async def scenarios() -> list[ScenarioSummary]:
    loaded = [await run_in_threadpool(engine.shipped, n) for n in engine.scenario_names()]
    return [ScenarioSummary(**_summary(s)) for s in loaded]


@router.get("/scenarios/{name}", summary="One shipped scenario", responses=_ERRORS)
async def scenario(name: str = Path(pattern=SLUG)) -> ScenarioDetail:
    if name not in engine.scenario_names():
        raise ApiError(404, f"unknown scenario '{name}'", "path.name")
    loaded = await run_in_threadpool(engine.shipped, name)
    # The scenario's Sobol drivers first: computed once per process (about 1.5 s, begun
    # when the server starts), then kept.
    names = await run_in_threadpool(engine.slider_names, name)
    sliders = [AssumptionOut(**vars(loaded.registry[n])) for n in names]
    return ScenarioDetail(**_summary(loaded), sliders=sliders, text=loaded.text or "")


@router.post(
    "/scenarios/validate",
    summary="Check a scenario file",
    description="The body is a scenario (YAML, or JSON, which is YAML too), checked as "
    "`umbrella assess FILE` checks a file. A problem is a 422 `{file, line, field, "
    "message}`: the first in file order, as the command line's `FILE:LINE: FIELD: message`. "
    "A posted scenario may not name a `data` folder.",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
async def validate(request: Request) -> ValidationResult:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "the scenario is not UTF-8 text", "body") from None
    if not text.strip():
        raise ApiError(422, "the body is empty: send the scenario file", "body")
    json_body = "json" in request.headers.get("content-type", "")
    label = "scenario.json" if json_body else "scenario.yaml"
    checked = await run_in_threadpool(engine.check_posted, text, label)
    return ValidationResult(
        name=checked.name,
        title=checked.title,
        options=[o.id for o in checked.options],
        assumptions=len(checked.registry),
    )


@router.post(
    "/assess",
    summary="A what-if assessment: the headline table",
    description="The rows of `umbrella assess --json` (same scenario, samples, seed, "
    "assumptions and stresses: the same numbers) and the central future per option and "
    "year. The ensemble is small by default so that the answer follows a slider; busy "
    "servers answer 503 with Retry-After.",
    responses={**_ERRORS, 503: {"model": ErrorBody, "description": "BusyError: retry later."}},
)
async def assess(
    body: AssessRequest, request: Request, ctx: Context = Depends(context)
) -> AssessResponse:
    samples = await _checked(body, ctx)
    key = (
        body.scenario,
        tuple(sorted(body.overrides.items())),
        tuple(sorted(body.stress.items())),
        samples,
        body.seed,
    )
    payload = ctx.cache.get(key)
    if payload is not None:
        payload = {**payload, "elapsed_ms": 0.0}
    else:
        payload = await _computed(
            ctx,
            request,
            engine.compute,
            body.scenario,
            body.overrides,
            body.stress,
            samples,
            body.seed,
        )
        ctx.cache.put(key, payload)
    shown = set(body.options) if body.options else None
    rows = [row for row in payload["options"] if shown is None or row["option"] in shown]
    return AssessResponse(
        **{**payload, "options": rows}, overrides=dict(body.overrides), stress=dict(body.stress)
    )


@router.post(
    "/figures",
    summary="A what-if's charts, as in the brief",
    description="The body of `POST /api/assess`, and `lang` (`en` or `uk`). Answers "
    "`{chart id: {title, alt, figure, config, selector, data}}` for `map`, `ukraine`, "
    "`value-per-eur` (where an option costs more than the status quo), `holds-by-year` and "
    "`trust`: the plotly figures of `umbrella brief`, drawn by its code for this what-if, "
    "with the table behind each. The series by year and by country come from the first "
    "64 futures of the assessment; every option is drawn. Busy servers answer 503 with "
    "Retry-After.",
    responses={
        200: {"model": dict[str, FigureOut], "description": "The charts by id."},
        **_ERRORS,
        503: {"model": ErrorBody, "description": "BusyError: retry later."},
    },
    response_class=Response,
)
async def figures(
    body: FiguresRequest, request: Request, ctx: Context = Depends(context)
) -> Response:
    samples = await _checked(body, ctx)
    key = (
        "figures",
        body.lang,
        body.scenario,
        tuple(sorted(body.overrides.items())),
        tuple(sorted(body.stress.items())),
        samples,
        body.seed,
    )
    # Kept in the assessments' cache: a slider moved back redraws at once.
    cached = ctx.cache.get(key)
    if cached is not None:
        content: bytes = cached["body"]
    else:
        content = await _computed(
            ctx,
            request,
            compute_figures,
            body.scenario,
            body.overrides,
            body.stress,
            samples,
            body.seed,
            body.lang,
        )
        ctx.cache.put(key, {"body": content})
    # Already JSON: written once by the worker, not validated and encoded again here.
    return Response(content, media_type="application/json")


async def _checked(body: AssessRequest, ctx: Context) -> int:
    """The futures of an assessment, once its scenario, options and size are checked."""
    limits = ctx.limits
    samples = body.samples if body.samples is not None else limits.assess_samples
    if samples > limits.assess_max_samples:
        raise ApiError(
            422,
            f"use 100 to {limits.assess_max_samples:,} futures here (`umbrella run` takes more)",
            "samples",
        )
    _known(body.scenario)
    loaded = await run_in_threadpool(engine.shipped, body.scenario)
    ids = [o.id for o in loaded.options]
    for option in body.options or []:
        if option not in ids:
            raise ApiError(422, f"unknown option '{option}'; options: {', '.join(ids)}", "options")
    return samples


_T = TypeVar("_T")


async def _computed(ctx: Context, request: Request, work: Callable[..., _T], *args: Any) -> _T:
    """``work(*args, cancelled=event)`` in an assessment's worker thread, counted among the
    assessments in flight: one more than the server allows is refused (503), never queued
    without end. If the client goes away meanwhile (the page moved on to another what-if),
    ``event`` is set and the work stops at its next chunk, freeing the worker for the
    what-if now wanted."""
    with ctx.lock:
        if ctx.assess_in_flight >= ctx.limits.assess_in_flight:
            raise BusyError("other assessments", ctx.limits.retry_after_s)
        ctx.assess_in_flight += 1
    cancelled = threading.Event()
    try:
        loop = asyncio.get_running_loop()
        done = loop.run_in_executor(
            ctx.pool("assess"), functools.partial(work, *args, cancelled=cancelled)
        )
        watcher = asyncio.create_task(_watch(request, cancelled, done))
        try:
            return await done
        except engine.AbandonedError:
            # Nobody is left to read this answer.
            raise ApiError(503, "the request was cancelled by its client") from None
        finally:
            watcher.cancel()
    finally:
        with ctx.lock:
            ctx.assess_in_flight -= 1


async def _watch(request: Request, cancelled: threading.Event, done: Awaitable[Any]) -> None:
    """Set ``cancelled`` once the client has gone, checked every 50 ms until ``done``."""
    future = asyncio.ensure_future(done)
    while not future.done():
        if await request.is_disconnected():
            cancelled.set()
            return
        await asyncio.sleep(0.05)
