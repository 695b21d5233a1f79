"""Malformed or oversized requests get a 4xx answer with a message, never a 500.

The API answers JSON; pages answer the product's error page. Every upload endpoint of the OpenAPI
document is tried, so a new one is covered without being listed here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from socialops.config.api import api as ninja_api
from socialops.workspaces.models import Workspace
from tests import factories

pytestmark = pytest.mark.django_db

BOUNDARY = "b0undary"
MANY_FIELDS = 5000  # Django's DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000
BIG = 3 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


def _multipart_operations() -> list[str]:
    """The path templates of every operation that takes a multipart/form-data body."""
    document = ninja_api.get_openapi_schema()
    return sorted(
        path
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    )


UPLOADS = _multipart_operations()


def test_every_known_upload_endpoint_is_tried() -> None:
    tails = ("/posts/import", "/assets", "/import", "/fans/orders/imports", "/metrics/import")
    for tail in tails:
        assert any(path.endswith(tail) for path in UPLOADS), tail
    assert len(UPLOADS) >= 6


@pytest.fixture
def objects(workspace: Workspace, other_workspace: Workspace) -> dict[str, str]:
    """Real ids for the path parameters of the upload endpoints."""
    account = factories.make_account(workspace)
    lists = factories.check_objects(workspace, other_workspace)
    return {"slug": workspace.slug, "account_id": str(account.pk), "list_id": str(lists["list"].pk)}


def _url(template: str, objects: dict[str, str]) -> str:
    url = template
    for name, value in objects.items():
        url = url.replace("{" + name + "}", value)
    assert "{" not in url, f"no object for a path parameter of {template}"
    return url


def _many_fields_body() -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n1' for i in range(MANY_FIELDS)
    ]
    return ("\r\n".join(parts) + f"\r\n--{BOUNDARY}--\r\n").encode()


def _assert_json_refusal(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert words in response.json()["message"]


@pytest.mark.parametrize("template", UPLOADS)
def test_multipart_without_boundary_is_400_json(
    template: str, objects: dict[str, str], admin: Any, api: Any
) -> None:
    response = api(admin).post(_url(template, objects), data=b"--x\r\n", content_type="multipart/form-data")
    _assert_json_refusal(response, 400, "malformed multipart")


@pytest.mark.parametrize("template", UPLOADS)
def test_too_many_multipart_fields_is_400_json(
    template: str, objects: dict[str, str], admin: Any, api: Any
) -> None:
    response = api(admin).post(
        _url(template, objects),
        data=_many_fields_body(),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    _assert_json_refusal(response, 400, "too many fields")


def test_too_many_urlencoded_fields_is_400_json(objects: dict[str, str], admin: Any, api: Any) -> None:
    fields = "&".join(f"f{i}=1" for i in range(MANY_FIELDS))
    response = api(admin).post(
        _url("/api/v1/workspaces/{slug}/metrics/import", objects),
        data=fields,
        content_type="application/x-www-form-urlencoded",
    )
    _assert_json_refusal(response, 400, "too many fields")


@pytest.mark.parametrize(
    ("method", "template"),
    [("post", "/api/v1/workspaces/{slug}/items"), ("post", "/api/v1/workspaces/{slug}/themes")],
)
def test_json_body_over_the_limit_is_413_json(
    method: str, template: str, objects: dict[str, str], admin: Any, api: Any
) -> None:
    client = api(admin)
    before = client.get(_url(template, objects)).json()
    body = json.dumps({"title": "x" * BIG, "name": "x" * BIG})
    response = getattr(client, method)(_url(template, objects), data=body, content_type="application/json")
    _assert_json_refusal(response, 413, "too large")
    assert client.get(_url(template, objects)).json() == before


def test_refusal_is_in_chinese_for_a_chinese_client(objects: dict[str, str], admin: Any, api: Any) -> None:
    client = api(admin)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        _url("/api/v1/workspaces/{slug}/assets", objects), data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "无法读取上传的表单（multipart 格式有误）。"


# ---- pages: the error page, with a message, never a 500 ----------------------------------------

PAGES = ["/w/acme/themes/new/", "/w/acme/metrics/import/", "/login/"]


def _page_client(user: Any) -> Client:
    # A browser's request: CSRF enforced, the token sent in the header (as htmx sends it).
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/w/acme/themes/")
    return client


def _page_post(client: Client, url: str, data: bytes | str, content_type: str) -> Any:
    return client.post(
        url, data=data, content_type=content_type, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )


def _assert_error_page(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert words in page and "<nav" in page, page[:500]  # the product's own error page


@pytest.mark.parametrize("url", PAGES)
def test_page_multipart_without_boundary_is_the_400_page(url: str, workspace: Workspace, admin: Any) -> None:
    client = _page_client(admin)
    response = _page_post(client, url, b"--x\r\n", "multipart/form-data")
    _assert_error_page(response, 400, "malformed multipart")


@pytest.mark.parametrize("url", PAGES)
def test_page_with_too_many_fields_is_the_400_page(url: str, workspace: Workspace, admin: Any) -> None:
    client = _page_client(admin)
    response = _page_post(client, url, _many_fields_body(), f"multipart/form-data; boundary={BOUNDARY}")
    _assert_error_page(response, 400, "too many fields")


@pytest.mark.parametrize("url", PAGES)
def test_page_body_over_the_limit_is_the_413_page(url: str, workspace: Workspace, admin: Any) -> None:
    client = _page_client(admin)
    response = _page_post(client, url, "name=" + "x" * BIG, "application/x-www-form-urlencoded")
    _assert_error_page(response, 413, "too large")
