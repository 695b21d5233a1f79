"""Schema-driven fuzzing of /api/v1/: no input may produce a server error.

Every operation in /api/v1/openapi.json is called with generated inputs by a workspace admin
(so requests get past authentication into validation and the services); path slugs point at a
real workspace so the generated bodies reach the code behind them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from socialops.workspaces import services
from socialops.workspaces.roles import Role

MAX_EXAMPLES = int(os.environ.get("SOCIALOPS_FUZZ_EXAMPLES", "25"))


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from socialops.config.wsgi import application

    # The WSGI app is called in-process; like Django's test client, keep the test's database
    # connection (and its transaction) open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def fuzz_token(db: Any) -> str:
    user = services.user_create(actor=None, username="fuzzer", password="fuzz-pass-word-1")
    workspace = services.workspace_create(actor=None, name="Fuzz", slug="fuzz")
    services.membership_add(workspace=workspace, actor=None, user=user, role=Role.ADMIN)
    _token, raw = services.api_token_create(user=user)
    return raw


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_errors(case: Any, fuzz_token: str) -> None:
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "fuzz"
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=[not_a_server_error])
