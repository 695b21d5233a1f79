"""API of the analytics app: column mappings, presets, post imports and history, best time; four cases each."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from socialops.analytics.models import ColumnMapping, PostImport, PostRecord
from tests.access import assert_four_cases

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces"
SIMPLE = {
    "name": "weibo export",
    "columns": {
        "published_at": "发布时间",
        "likes": "点赞",
        "comments": "评论",
        "shares": "转发",
        "reach": "阅读",
    },
    "options": {"engagements_from": "sum"},
}


class Rewinding(SimpleUploadedFile):
    """An upload the test client can send more than once (each request reads it from the start)."""

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        self.seek(0)
        return super().read(*args, **kwargs)


def test_mapping_list_and_presets(api: Any, operator: Any, analyst: Any, preset: ColumnMapping) -> None:
    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/column-mappings", f"{BASE}/other/column-mappings",
        permitted=analyst, denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["name"] == "facebook-page-export"
    assert body["items"][0]["options"]["weekday_numbering"] == "sun1"

    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/column-mappings/presets", f"{BASE}/other/column-mappings/presets",
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert response.json()["items"][0]["key"] == "facebook-page-export"


def test_mapping_create(api: Any, operator: Any, analyst: Any) -> None:
    response = assert_four_cases(
        api, "POST", f"{BASE}/acme/column-mappings", f"{BASE}/other/column-mappings",
        permitted=operator, denied=analyst, data=SIMPLE, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["columns"]["likes"] == "点赞" and body["created_by"] == "olivia"
    assert body["options"] == {
        "delimiter": "auto",
        "weekday_numbering": "iso",
        "type_to_form": {},
        "engagements_from": "sum",
    }
    # The same name again, and a mapping that cannot work, are 400 with the field named.
    again = api(operator).post(f"{BASE}/acme/column-mappings", SIMPLE, content_type="application/json")
    assert again.status_code == 400 and "name" in again.json()["errors"]
    bad = api(operator).post(
        f"{BASE}/acme/column-mappings",
        {"name": "no time", "columns": {"likes": "点赞"}, "options": {"engagements_from": "sum"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "publication time" in bad.json()["errors"]["columns"][0]
    # Unknown targets and options are refused by the schema.
    schema = api(operator).post(
        f"{BASE}/acme/column-mappings",
        {"name": "x", "columns": {"colour": "c"}, "options": {"weekday_numbering": "us"}},
        content_type="application/json",
    )
    assert schema.status_code == 422


def test_preset_create(api: Any, operator: Any, analyst: Any) -> None:
    response = assert_four_cases(
        api, "POST", f"{BASE}/acme/column-mappings/presets/facebook-page-export",
        f"{BASE}/other/column-mappings/presets/facebook-page-export", permitted=operator, denied=analyst,
        ok=(201,),
    )  # fmt: skip
    assert response.json()["columns"]["weekday"] == "Post Weekday"
    again = api(operator).post(f"{BASE}/acme/column-mappings/presets/facebook-page-export")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    unknown = api(operator).post(f"{BASE}/acme/column-mappings/presets/myspace")
    assert unknown.status_code == 400 and "preset" in unknown.json()["errors"]


def test_mapping_get_patch_delete(
    api: Any, operator: Any, analyst: Any, preset: ColumnMapping, foreign_mapping: ColumnMapping
) -> None:
    url = f"{BASE}/acme/column-mappings/{preset.pk}"
    foreign = f"{BASE}/acme/column-mappings/{foreign_mapping.pk}"
    response = assert_four_cases(api, "GET", url, foreign, permitted=analyst, denied=None)
    assert response.json()["name"] == "facebook-page-export"

    response = assert_four_cases(
        api, "PATCH", url, foreign, permitted=operator, denied=analyst,
        data={"name": "Facebook 导出", "options": {**preset.options, "delimiter": "auto"}},
    )  # fmt: skip
    assert response.json()["name"] == "Facebook 导出" and response.json()["options"]["delimiter"] == "auto"
    assert response.json()["columns"] == preset.columns  # left out: unchanged

    assert_four_cases(api, "DELETE", url, foreign, permitted=operator, denied=analyst, ok=(204,))
    assert not ColumnMapping.objects.filter(pk=preset.pk).exists()
    assert ColumnMapping.objects.filter(pk=foreign_mapping.pk).exists()


def _upload(content: bytes, name: str = "dataset_Facebook.csv") -> Rewinding:
    return Rewinding(name, content, content_type="text/csv")


def test_post_import_four_cases(
    api: Any,
    operator: Any,
    analyst: Any,
    fb_account: Any,
    foreign_account: Any,
    preset: ColumnMapping,
    facebook_bytes: bytes,
) -> None:
    url = f"{BASE}/acme/accounts/{fb_account.pk}/posts/import"
    data = {"file": _upload(facebook_bytes), "mapping": "facebook-page-export"}
    anonymous = Client().post(url, data)
    assert anonymous.status_code == 401
    denied = api(analyst).post(url, data)
    assert denied.status_code == 403 and "message" in denied.json()
    foreign = api(operator).post(f"{BASE}/acme/accounts/{foreign_account.pk}/posts/import", data)
    assert foreign.status_code == 404
    other_ws = api(operator).post(f"{BASE}/other/accounts/{foreign_account.pk}/posts/import", data)
    assert other_ws.status_code == 404
    assert not PostRecord.objects.exists()

    ok = api(operator).post(url, data)
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (500, 500, 0, 0)
    assert body["mapping_id"] == preset.pk and body["created_by"] == "olivia"
    again = api(operator).post(url, {"file": _upload(facebook_bytes), "mapping": str(preset.pk)})
    assert again.json()["unchanged"] == 500 and again.json()["created"] == 0


def test_post_import_rejections(api: Any, operator: Any, fb_account: Any, preset: ColumnMapping) -> None:
    url = f"{BASE}/acme/accounts/{fb_account.pk}/posts/import"
    header = (
        b"Type;Post Month;Post Weekday;Post Hour;Paid;Lifetime Post Total Reach;Lifetime Post Total Impressions;"
        b"comment;like;share;Total Interactions\n"
    )
    bad = header + b"Photo;12;4;3;0;-2;5091;4;79;17;100\nPhoto;12;9;25;0;2752;5091;4;x;17;100\n"
    response = api(operator).post(url, {"file": _upload(bad, "bad.csv"), "mapping": "facebook-page-export"})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "The file was not imported: 4 problems found; nothing was changed."
    assert {"line": 2, "field": "Lifetime Post Total Reach", "message": "must be ≥ 0"} in body["errors"]
    assert {"line": 3, "field": "Post Weekday", "message": "must be between 1 and 7"} in body["errors"]
    assert {"line": 3, "field": "Post Hour", "message": "must be between 0 and 23"} in body["errors"]
    assert {"line": 3, "field": "like", "message": "must be a whole number"} in body["errors"]
    assert not PostRecord.objects.exists() and not PostImport.objects.exists()

    missing = api(operator).post(url, {"file": _upload(b"a;b\n1;2\n"), "mapping": "facebook-page-export"})
    assert missing.status_code == 400
    assert all(e["line"] is None for e in missing.json()["errors"])
    assert [e["field"] for e in missing.json()["errors"]][:3] == ["month", "weekday", "hour"]

    no_mapping = api(operator).post(url, {"file": _upload(header), "mapping": "nope"})
    assert no_mapping.status_code == 400 and no_mapping.json()["errors"][0]["field"] == "mapping"
    no_file = api(operator).post(url, {"mapping": "nope"})
    assert no_file.status_code == 422


def test_post_list_imports_and_best_time(
    api: Any,
    operator: Any,
    analyst: Any,
    fb_account: Any,
    foreign_account: Any,
    preset: ColumnMapping,
    facebook_bytes: bytes,
) -> None:
    api(operator).post(
        f"{BASE}/acme/accounts/{fb_account.pk}/posts/import",
        {"file": _upload(facebook_bytes), "mapping": "facebook-page-export"},
    )
    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/accounts/{fb_account.pk}/posts?limit=5",
        f"{BASE}/acme/accounts/{foreign_account.pk}/posts", permitted=analyst, denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["count"] == 500 and len(body["items"]) == 5
    first = body["items"][0]
    assert first["weekday"] in range(1, 8) and first["post_type"] in ("Photo", "Status", "Link", "Video")

    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/accounts/{fb_account.pk}/posts/imports",
        f"{BASE}/acme/accounts/{foreign_account.pk}/posts/imports", permitted=analyst, denied=None,
    )  # fmt: skip
    assert response.json()["count"] == 1

    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/accounts/{fb_account.pk}/best-time",
        f"{BASE}/acme/accounts/{foreign_account.pk}/best-time", permitted=analyst, denied=None,
    )  # fmt: skip
    body = response.json()
    assert (
        body["source"] == "learned"
        and body["posts"] == 500
        and body["source_label"] == "learned from 500 posts"
    )
    assert len(body["cells"]) == 168 and sum(c["posts"] for c in body["cells"]) == 500
    assert len(body["top_hours"]) == 10
