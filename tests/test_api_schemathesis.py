"""The JSON API against its published contract (docs/openapi.yaml), driven by schemathesis.

Generated requests run in-process against the real app, signed in as leadership: no 500s, and
every response conforms to the schema (status codes, content type, body).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth

from tests.conftest import PASSWORD, ROOT

SCHEMA_PATH = ROOT / "docs" / "openapi.yaml"


def demo_quarters() -> list[str]:
    """The fiscal quarters that ``seed-demo --waves 2`` fills."""
    from reports.quarters import quarter_of
    from survey.demo import quarterly_dates
    from survey.waves.services import today

    return [quarter_of(opens).label for opens, _closes in quarterly_dates(2, today())]


@pytest.fixture()
def api_schema(app: Flask, runner: Any) -> Any:
    """The published schema, bound to the app with a demo history (closed quarters)."""
    result = runner.invoke(args=["seed-demo", "--staff", "40", "--waves", "2", "--seed", "5"])
    assert result.exit_code == 0, result.output
    schema = schemathesis.openapi.from_path(SCHEMA_PATH)
    return schema


@pytest.fixture()
def leadership(app: Flask, make_user: Callable[..., Any]) -> FlaskClient:
    """A test client signed in as leadership (the API's session authentication)."""
    client = app.test_client()
    response = client.post("/login", data={"email": make_user("leadership").email,
                                           "password": PASSWORD})
    assert response.status_code == 302
    return client


def call_and_validate(client: FlaskClient, case: Any) -> Any:
    """Send a generated case with the signed-in client; check it against the schema."""
    response = client.get(case.formatted_path, query_string=case.query or {})
    # The signed-in client's session is what authenticates, so the generated (random) cookie of
    # the security scheme is not what the server sees: "ignored auth" does not apply here;
    # anonymous and wrong-role access is covered by test_survey_routes_roles.
    case.validate_response(response, excluded_checks=[ignored_auth])
    assert response.status_code < 500
    return response


def test_reports_api_conforms(api_schema: Any, leadership: FlaskClient) -> None:
    # Inner @given rather than schemathesis.pytest.from_fixture, which breaks on pytest 9.
    operation = api_schema["/api/v1/reports/{quarter}"]["GET"]

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        call_and_validate(leadership, case)

    call()
    seen: set[int] = set()
    for number, quarter in enumerate(demo_quarters()):  # real quarters, not only noise
        case = operation.Case(path_parameters={"quarter": quarter},
                              query={"by": "department"} if number else None)
        seen.add(call_and_validate(leadership, case).status_code)
    assert seen == {200}, seen


def test_the_schema_covers_every_json_route(app: Flask) -> None:
    documented = set(schemathesis.openapi.from_path(SCHEMA_PATH).raw_schema["paths"])
    served = {rule.rule.replace("<", "{").replace(">", "}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert served == documented
