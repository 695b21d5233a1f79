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


def test_every_schema_class_has_its_own_name() -> None:
    """Two schema classes with one name share one component: the document then describes only one of them."""
    import inspect

    from ninja import Schema

    from socialops.config.api import api

    api.get_openapi_schema()  # imports every router, so every schema class exists
    names: dict[str, set[str]] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        module = inspect.getmodule(cls)
        if module is None or not module.__name__.startswith("socialops."):
            continue
        names.setdefault(cls.__name__, set()).add(f"{module.__name__}.{cls.__qualname__}")
    repeated = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not repeated, f"schema names used by more than one class: {repeated}"
