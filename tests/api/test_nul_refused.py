"""No API input may carry a NUL character: every text field of every JSON body, query and form says so by name."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from socialops.config.api import api
from socialops.workspaces.services import workspace_create

pytestmark = pytest.mark.django_db

NUL_TEXT = "ab\x00cd"


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_user("nul-admin", password="x")
    workspace_create(actor=user, name="Ops", slug="ops")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _json_text_fields() -> list[tuple[str, str, str]]:
    """(method, path, field) for every top-level text field of every JSON request body."""
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            schema = _resolve(body["schema"], components)
            for name, prop in schema.get("properties", {}).items():
                prop = _resolve(prop, components)
                types = {prop.get("type")} | {
                    _resolve(p, components).get("type") for p in prop.get("anyOf", [])
                }
                if "string" in types:
                    found.append((method, path, name))
    return found


JSON_FIELDS = _json_text_fields()


def test_the_api_has_text_fields_to_check() -> None:
    assert len(JSON_FIELDS) >= 40


@pytest.mark.parametrize(("method", "path", "field"), JSON_FIELDS)
def test_json_text_field_with_nul_is_refused_by_name(
    admin_client: Client, method: str, path: str, field: str
) -> None:
    url = re.sub(r"\{slug\}", "ops", path)
    url = re.sub(r"\{[^}]+\}", "1", url)
    response = getattr(admin_client, method)(
        url, data=json.dumps({field: NUL_TEXT}), content_type="application/json"
    )
    assert response.status_code == 400, (url, response.content[:200])
    body = response.json()
    assert body["errors"] == {field: ["The NUL character is not allowed."]}


def test_nested_json_text_is_refused_with_its_path(admin_client: Client) -> None:
    response = admin_client.post(
        "/api/v1/workspaces/ops/themes",
        data=json.dumps({"name": "ok", "keywords": ["fine", NUL_TEXT]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["keywords.1"]


def test_query_parameter_with_nul_is_refused(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/workspaces/ops/items", {"q": NUL_TEXT})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["q"]


def test_form_field_with_nul_is_refused_and_nothing_is_imported(admin_client: Client) -> None:
    response = admin_client.post(
        "/api/v1/workspaces/ops/metrics/import",
        {"account": NUL_TEXT, "file": _csv_upload()},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["account"]


def test_refusal_is_in_chinese_for_a_chinese_client(admin_client: Client) -> None:
    response = admin_client.get(
        "/api/v1/workspaces/ops/items", {"q": NUL_TEXT}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["message"]
    assert "不允许" in response.json()["message"]


def _csv_upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("m.csv", b"date,followers_total\n2026-01-01,10\n", content_type="text/csv")
