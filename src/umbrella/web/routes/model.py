"""The model: ``/api/assumptions``, ``/api/scenarios``, ``/api/assess``."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from umbrella.web import engine
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
    sliders = [
        AssumptionOut(**vars(loaded.registry[n])) for n in engine.SLIDERS if n in loaded.registry
    ]
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
async def assess(body: AssessRequest, ctx: Context = Depends(context)) -> AssessResponse:
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
        with ctx.lock:
            if ctx.assess_in_flight >= limits.assess_in_flight:
                raise BusyError("other assessments", limits.retry_after_s)
            ctx.assess_in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            payload = await loop.run_in_executor(
                ctx.pool("assess"),
                engine.compute,
                body.scenario,
                body.overrides,
                body.stress,
                samples,
                body.seed,
            )
        finally:
            with ctx.lock:
                ctx.assess_in_flight -= 1
        ctx.cache.put(key, payload)
    shown = set(body.options) if body.options else None
    rows = [row for row in payload["options"] if shown is None or row["option"] in shown]
    return AssessResponse(
        **{**payload, "options": rows}, overrides=dict(body.overrides), stress=dict(body.stress)
    )
