"""Every operation of ``/openapi.json``, fuzzed in-process by schemathesis: no request, however
odd, gets a 5xx (a bad one is a 4xx with ``{file, line, field, message}``), and every answer
matches the schema the app publishes.

The app here has small limits, so that a generated ensemble or background run stays small;
the 503 of a second background run while one is going is declared in the schema and is fine.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from umbrella.web import Limits, create_app

# Every ensemble at the smallest size the API accepts: 100 futures, about a tenth of a second.
_SMALL = Limits(assess_samples=100, assess_max_samples=100, run_max_samples=100)


# The schema is read when the module is collected (schemathesis makes one test per operation
# of it), before any fixture: the app gets its store, a temporary folder, once tests run.
_APP = create_app(store=None, limits=_SMALL)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.fixture(scope="module", autouse=True)
def _store(tmp_path_factory: pytest.TempPathFactory) -> None:
    _APP.state.umbrella.store = tmp_path_factory.mktemp("schema") / "runs"


def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """``not_a_server_error``, except the load shedding the API documents: a 503 with
    Retry-After where the operation declares one (a second background run while one goes)."""
    declared = case.operation.definition.raw.get("responses", {})
    if response.status_code == 503 and "503" in declared and "retry-after" in response.headers:
        return True
    result: bool | None = not_a_server_error(ctx, response, case)
    return result


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,  # the first assessment loads the model's kernels (seconds)
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases on every run: a failure here is reproducible
)
def test_no_server_error_and_answers_match_the_schema(case: Any) -> None:
    case.call_and_validate(checks=[no_server_error, response_schema_conformance])
