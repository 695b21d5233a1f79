"""Malformed or oversized requests get a 4xx JSON answer with a message, never a 500."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from socialops.workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    user = get_user_model().objects.create_user("ops-admin", password="x")
    workspace_create(actor=user, name="Ops", slug="ops")
    client = Client()
    client.force_login(user)
    return client


def test_multipart_without_boundary_is_400(admin_client: Client) -> None:
    response = admin_client.post(
        "/api/v1/workspaces/ops/metrics/import", data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json()["message"]


def test_body_over_the_upload_limit_is_413(admin_client: Client, settings: object) -> None:
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    response = admin_client.post("/api/v1/workspaces/ops/themes", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["message"]


def test_too_many_form_fields_is_400(admin_client: Client) -> None:
    fields = "&".join(f"f{i}=1" for i in range(5000))
    response = admin_client.post(
        "/api/v1/workspaces/ops/metrics/import",
        data=fields,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response.json()["message"]
