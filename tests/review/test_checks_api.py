"""Check API: running checks on a text, an item's findings, the term lists — four permission cases on every endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.accounts.models import Platform
from socialops.content.services import variants as variant_services
from socialops.review.models import (
    AdLawEntry,
    BannedTerm,
    BrandTerm,
    CheckSettings,
    SensitiveList,
    SensitiveTerm,
)
from tests.access import assert_four_cases
from tests.factories import account_row, check_objects, import_posts

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme"
OTHER = "/api/v1/workspaces/other"


@pytest.fixture
def objs(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    return check_objects(workspace, other_workspace)


def test_run_checks_endpoint(api: Any, analyst: Any, other_admin: Any, workspace: Any) -> None:
    body = "【新品】全网最低价，" + "好" * 140
    payload = {"title": "", "body": body, "platform": "weibo", "form": "post", "is_advertising": True}
    response = assert_four_cases(
        api, "POST", f"{BASE}/checks", f"{OTHER}/checks", permitted=analyst, denied=None, data=payload
    )
    out = response.json()
    assert out["blocking"] is True and out["count"] == len(out["findings"])
    by_code = {f["message_code"]: f for f in out["findings"]}
    adlaw = by_code["adlaw.scope_superlative"]
    assert (adlaw["start"], adlaw["end"], adlaw["matched"]) == (4, 9, "全网最低价")
    assert adlaw["message"].startswith("“全网最低价” claims")
    assert (by_code["platform.too_long"]["start"], by_code["platform.too_long"]["end"]) == (140, len(body))
    assert by_code["disclosure.missing"]["suggestion"] == "【广告】"


def test_run_checks_validates_platform_and_form(api: Any, analyst: Any) -> None:
    client = api(analyst)
    bad = client.post(
        f"{BASE}/checks",
        data=json.dumps({"body": "x", "platform": "myspace"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "platform" in bad.json()["errors"]
    bad = client.post(
        f"{BASE}/checks",
        data=json.dumps({"body": "x", "platform": "weibo", "form": "video"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "post, long" in bad.json()["errors"]["form"][0]
    huge = client.post(
        f"{BASE}/checks", data=json.dumps({"body": "x" * 200_001}), content_type="application/json"
    )
    assert huge.status_code == 422


def test_run_checks_in_chinese(api: Any, analyst: Any) -> None:
    client = api(analyst)
    response = client.post(
        f"{BASE}/checks",
        data=json.dumps({"body": "国内首款！", "platform": "weibo"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    messages = [f["message"] for f in response.json()["findings"]]
    assert any("广告法" in m for m in messages), messages


def test_originality_through_the_api(api: Any, analyst: Any, workspace: Any) -> None:
    earlier = "春天到了，我们的新品樱花拿铁正式上市，每一口都是春天的味道，欢迎大家到店品尝。"
    import_posts(
        workspace, account_row(workspace, "acme", display_name="acme"), [("p1", "2026-03-01 10:00", earlier)]
    )
    response = api(analyst).post(
        f"{BASE}/checks",
        data=json.dumps({"body": earlier.replace("到店", "来店")}),
        content_type="application/json",
    )
    found = [f for f in response.json()["findings"] if f["check"] == "originality"]
    assert len(found) == 1
    related = found[0]["related"]
    assert related["post_text"] == earlier and 0.6 <= related["similarity"] < 1
    assert any(kind == "changed" for kind, _a, _b in related["segments_a"])


def test_item_findings_endpoint(api: Any, analyst: Any, objs: dict[str, Any], workspace: Any) -> None:
    item = objs["item"]
    response = assert_four_cases(
        api, "GET", f"{BASE}/items/{item.pk}/findings", f"{BASE}/items/{objs['foreign_item'].pk}/findings",
        permitted=analyst, denied=None,
    )  # fmt: skip
    out = response.json()
    assert out["count"] >= 1
    assert any(f["matched"] == "全网最低价" and f["severity"] == "block" for f in out["items"])
    # The variant's findings carry the variant and its platform.
    weibo = account_row(workspace, "acme_weibo", Platform.WEIBO, display_name="acme_weibo")
    variant = variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=weibo, body="微" * 150
    )
    out = api(analyst).get(f"{BASE}/items/{item.pk}/findings?severity=block&limit=100").json()
    assert {(f["variant_id"], f["platform"]) for f in out["items"]} >= {(None, ""), (variant.pk, "weibo")}
    assert all(f["severity"] == "block" for f in out["items"])


def test_item_create_and_patch_expose_is_advertising(
    api: Any, operator: Any, workspace: Any, objs: dict[str, Any]
) -> None:
    theme_id = objs["item"].theme_id
    client = api(operator)
    created = client.post(
        f"{BASE}/items",
        data=json.dumps(
            {
                "title": "合作推广",
                "form": "short_post",
                "theme_id": theme_id,
                "body": "好物分享",
                "evergreen": True,
                "is_advertising": True,
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["is_advertising"] is True
    findings = client.get(f"{BASE}/items/{item['id']}/findings").json()["items"]
    assert [f["message_code"] for f in findings if f["check"] == "disclosure"] == ["disclosure.missing"]
    patched = client.patch(
        f"{BASE}/items/{item['id']}",
        data=json.dumps({"version": item["version"], "is_advertising": False}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["is_advertising"] is False
    findings = client.get(f"{BASE}/items/{item['id']}/findings").json()["items"]
    assert not [f for f in findings if f["check"] == "disclosure"]


def _four(
    api: Any,
    method: str,
    path: str,
    foreign: str,
    permitted: Any,
    denied: Any,
    data: Any = None,
    ok: tuple[int, ...] = (200,),
) -> Any:
    return assert_four_cases(
        api, method, BASE + path, foreign, permitted=permitted, denied=denied, data=data, ok=ok
    )


def test_term_list_reads_four_cases(api: Any, analyst: Any, objs: dict[str, Any]) -> None:
    lst, flst = objs["list"], objs["foreign_list"]
    for path, foreign in (
        ("/checks/settings", OTHER + "/checks/settings"),
        ("/checks/adlaw-entries", OTHER + "/checks/adlaw-entries"),
        ("/checks/sensitive-lists", OTHER + "/checks/sensitive-lists"),
        (f"/checks/sensitive-lists/{lst.pk}", f"{BASE}/checks/sensitive-lists/{flst.pk}"),
        (f"/checks/sensitive-lists/{lst.pk}/terms", f"{BASE}/checks/sensitive-lists/{flst.pk}/terms"),
        ("/checks/brand-terms", OTHER + "/checks/brand-terms"),
        ("/checks/banned-terms", OTHER + "/checks/banned-terms"),
        ("/checks/links", OTHER + "/checks/links"),
    ):
        response = _four(api, "GET", path, foreign, analyst, None)
        assert response.status_code == 200
    entries = api(analyst).get(f"{BASE}/checks/adlaw-entries").json()
    assert entries["count"] == 1 and entries["items"][0]["term"] == "神品"
    assert api(analyst).get(f"{BASE}/checks/sensitive-lists").json()["items"][0]["term_count"] == 1


def test_term_list_writes_four_cases(api: Any, reviewer: Any, operator: Any, objs: dict[str, Any]) -> None:
    lst, flst = objs["list"], objs["foreign_list"]
    creates = [
        ("/checks/adlaw-entries", {"kind": "allowed_name", "term": "最美时光"}, 201),
        ("/checks/sensitive-lists", {"name": "政治敏感", "severity": "block"}, 201),
        ("/checks/brand-terms", {"preferred": "云朵杯", "forbidden": ["云朵被"]}, 201),
        ("/checks/banned-terms", {"term": "yyds", "replacement": "永远的神"}, 201),
    ]
    for path, data, status in creates:
        _four(api, "POST", path, OTHER + path, reviewer, operator, data, ok=(status,))
    _four(
        api,
        "POST",
        f"/checks/sensitive-lists/{lst.pk}/terms",
        f"{BASE}/checks/sensitive-lists/{flst.pk}/terms",
        reviewer,
        operator,
        {"term": "另一品牌"},
        ok=(201,),
    )
    patched = _four(
        api,
        "PATCH",
        f"/checks/sensitive-lists/{lst.pk}",
        f"{BASE}/checks/sensitive-lists/{flst.pk}",
        reviewer,
        operator,
        {"severity": "block"},
    )
    assert patched.json()["severity"] == "block" and patched.json()["term_count"] == 2
    patched = _four(
        api,
        "PATCH",
        f"/checks/brand-terms/{objs['brand'].pk}",
        f"{BASE}/checks/brand-terms/{objs['foreign_brand'].pk}",
        reviewer,
        operator,
        {"forbidden": ["星耀X1pro"]},
    )
    assert patched.json()["forbidden"] == ["星耀X1pro"]
    settings = _four(
        api,
        "PATCH",
        "/checks/settings",
        OTHER + "/checks/settings",
        reviewer,
        operator,
        {"originality_threshold": 0.7},
    )
    assert settings.json()["originality_threshold"] == 0.7
    assert AdLawEntry.objects.filter(term="最美时光").exists()
    assert SensitiveList.objects.filter(name="政治敏感").exists()
    assert BrandTerm.objects.filter(preferred="云朵杯", forbidden=["云朵被"]).exists()
    assert BannedTerm.objects.filter(term="yyds", replacement="永远的神").exists()
    assert SensitiveTerm.objects.filter(term="另一品牌").exists()
    assert CheckSettings.objects.get(workspace=objs["item"].workspace).originality_threshold == 0.7
    # Service validation comes back as a 400 naming the field.
    dup = api(reviewer).post(
        f"{BASE}/checks/banned-terms", data=json.dumps({"term": "YYDS"}), content_type="application/json"
    )
    assert dup.status_code == 400 and "term" in dup.json()["errors"]


def test_term_list_deletes_four_cases(api: Any, admin: Any, operator: Any, objs: dict[str, Any]) -> None:
    lst, flst = objs["list"], objs["foreign_list"]
    for path, foreign in (
        (
            f"/checks/adlaw-entries/{objs['entry'].pk}",
            f"{BASE}/checks/adlaw-entries/{objs['foreign_entry'].pk}",
        ),
        (
            f"/checks/sensitive-lists/{lst.pk}/terms/{objs['term'].pk}",
            f"{BASE}/checks/sensitive-lists/{flst.pk}/terms/{objs['foreign_term'].pk}",
        ),
        (f"/checks/sensitive-lists/{lst.pk}", f"{BASE}/checks/sensitive-lists/{flst.pk}"),
        (f"/checks/brand-terms/{objs['brand'].pk}", f"{BASE}/checks/brand-terms/{objs['foreign_brand'].pk}"),
        (
            f"/checks/banned-terms/{objs['banned'].pk}",
            f"{BASE}/checks/banned-terms/{objs['foreign_banned'].pk}",
        ),
    ):
        _four(api, "DELETE", path, foreign, admin, operator, ok=(204,))
    assert not AdLawEntry.objects.filter(pk=objs["entry"].pk).exists()
    assert AdLawEntry.objects.filter(pk=objs["foreign_entry"].pk).exists()


def test_import_endpoint_four_cases(api: Any, reviewer: Any, operator: Any, objs: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    lst, flst = objs["list"], objs["foreign_list"]
    url = f"{BASE}/checks/sensitive-lists/{lst.pk}/import"

    def post(user: Any, target: str, content: bytes, **extra: Any) -> Any:
        return api(user).post(target, data={"file": SimpleUploadedFile("w.txt", content), **extra})

    assert post(None, url, b"a").status_code == 401
    assert post(operator, url, "词".encode()).status_code == 403
    assert post(reviewer, f"{BASE}/checks/sensitive-lists/{flst.pk}/import", b"x").status_code == 404
    bad = post(reviewer, url, ("好词\n\n" + "长" * 60 + "\n").encode())
    assert bad.status_code == 400
    assert bad.json()["errors"]["file"] == ["Line 3: the term has 60 characters; at most 50 are allowed."]
    ok = post(reviewer, url, "词甲\n词乙\n某品牌\n".encode())
    assert ok.status_code == 200 and ok.json() == {"added": 2, "removed": 0, "unchanged": 1, "duplicates": 0}
    again = post(reviewer, url, "词甲\n词乙\n某品牌\n".encode())
    assert again.json() == {"added": 0, "removed": 0, "unchanged": 3, "duplicates": 0}
    replaced = post(reviewer, url, "词甲\n".encode(), replace="true")
    assert replaced.json() == {"added": 0, "removed": 2, "unchanged": 1, "duplicates": 0}
