"""The OpenAPI document is valid JSON without repeated keys, so Swagger UI and clients can read it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    assert not repeated, f"keys repeated in one object of openapi.json: {repeated}"
    return dict(pairs)


def test_openapi_json_has_no_repeated_keys() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=_refuse_repeated_keys)
    assert document["openapi"].startswith("3.")
