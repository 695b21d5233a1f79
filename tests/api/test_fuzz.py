"""Schema-driven fuzzing of /api/v1/ with every schemathesis check.

Every operation in /api/v1/openapi.json is called with generated inputs by a workspace admin
(so requests get past authentication into validation and the services); path slugs point at a
real workspace so the generated bodies reach the code behind them. Each answer must be no server
error, carry a documented status with the documented content type and schema (errors included:
docs/api.md), refuse input the schema forbids and accept input it allows.

"Accept" follows the API's split of refusals (docs/api.md): 422 means the request does not fit
the documented schema, 400 means it fits but a service refused it (a business rule the schema
cannot state: an end before its start, an unknown theme id, the default chain). So schema-valid
input may get a 400 but never a 422.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

from socialops.workspaces import services
from socialops.workspaces.roles import Role

# Small on purpose: ~320 operations on 2 shared cores; SOCIALOPS_FUZZ_EXAMPLES=50 for a deep run.
MAX_EXAMPLES = int(os.environ.get("SOCIALOPS_FUZZ_EXAMPLES", "5"))

CONFIG = SchemathesisConfig.from_dict(
    {
        # The coverage phase adds dozens of boundary cases per operation whatever max_examples
        # says; the fuzzing phase with MAX_EXAMPLES keeps the run bounded.
        "phases": {"coverage": {"enabled": False}},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "413", "429"]
            },
        },
    }
)

# Checks an operation skips, each with the reason; the rest of its checks still run. Known
# limits of the schema language or of pydantic's lax parsing, not silenced failures: keep it short.
_MONEY = (
    "positive_data_acceptance",
    "a money field (Decimal, 2 places) is documented as number or string; JSON Schema cannot say "
    "'at most 2 decimal places' in a way generators honour, so 0.001 or '' fits the document and "
    "gets a 422",
)
KNOWN_GAPS: dict[tuple[str, str], tuple[str, str]] = {
    ("PUT", "/api/v1/workspaces/{slug}/accounts/{account_id}/metrics/{date}"): _MONEY,
    ("POST", "/api/v1/workspaces/{slug}/fans/coupons/campaigns"): _MONEY,
    ("PATCH", "/api/v1/workspaces/{slug}/fans/coupons/campaigns/{campaign_id}"): _MONEY,
    ("POST", "/api/v1/workspaces/{slug}/campaigns"): _MONEY,
    ("PATCH", "/api/v1/workspaces/{slug}/campaigns/{campaign_id}"): _MONEY,
    ("POST", "/api/v1/workspaces/{slug}/fans/coupons/redeem"): _MONEY,
}
# Uploads: schemathesis may send a binary property as a plain form field instead of a file part,
# which the endpoint rightly refuses (422 "file is required"); every other check still runs.
_UPLOAD_GAP = ("positive_data_acceptance", "a binary field sent as a plain form part")


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
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
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


def _skipped(case: Any) -> list[Any]:
    gap = KNOWN_GAPS.get((case.operation.method.upper(), case.operation.path))
    if gap is None and (case.media_type or "").startswith("multipart/"):
        gap = _UPLOAD_GAP
    if gap is None:
        return []
    return [getattr(openapi_checks, gap[0])]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    # The same examples on every run, so CI's verdict does not depend on the draw; a change of
    # the document changes them.
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case: Any, fuzz_token: str) -> None:
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "fuzz"
    # No `checks=`: every check schemathesis has (not_a_server_error, status_code_conformance,
    # content_type_conformance, response_schema_conformance, response_headers_conformance,
    # negative_data_rejection, positive_data_acceptance, and the rest it enables by default).
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, excluded_checks=_skipped(case))
