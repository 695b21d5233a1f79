"""HTTP API of content items and variants: the four cases, field errors, 409 on a stale version."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.content.models import ContentItem, ContentVariant
from socialops.content.services import variants as variant_services
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import image_bytes, make_account, make_item, make_theme, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

BASE = "/api/v1/workspaces/acme"


@pytest.fixture
def foreign_item(other_workspace: Any) -> ContentItem:
    return make_item(other_workspace, make_theme(other_workspace, "别人的"), "别人的文章")


def _send(client: Any, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_list_and_filters(workspace: Any, admin: Any, member: Any, api: Any, foreign_item: Any) -> None:
    theme = make_theme(workspace, "产品介绍")
    account = make_account(workspace, "acme")
    make_item(workspace, theme, "新品发布", importance="urgent", accounts=[account])
    make_item(workspace, theme, "问答", form="qa", body="大家怎么看？")
    response = assert_four_cases(
        api, "GET", f"{BASE}/items", "/api/v1/workspaces/other/items",
        permitted=member(Role.ANALYST), denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["count"] == 2
    first = next(i for i in body["items"] if i["title"] == "新品发布")
    assert first["form_label"] == "Image-text article" and first["importance_label"] == "Urgent"
    assert (
        first["theme_name"] == "产品介绍" and first["account_ids"] == [account.pk] and first["version"] == 1
    )
    client = api(admin)
    assert [i["title"] for i in client.get(f"{BASE}/items?form=qa").json()["items"]] == ["问答"]
    assert [i["title"] for i in client.get(f"{BASE}/items?account_id={account.pk}").json()["items"]] == [
        "新品发布"
    ]
    assert client.get(f"{BASE}/items?q=" + "x" * 101).status_code == 422


def test_create_four_cases_and_field_errors(workspace: Any, admin: Any, member: Any, api: Any) -> None:
    theme = make_theme(workspace, "产品介绍")
    image = upload(workspace, image_bytes())
    data = {
        "title": "九宫格",
        "form": "short_post",
        "theme_id": theme.pk,
        "body": "新品图集",
        "image_ids": [image.pk],
        "deadline": "2030-01-31",
        "calendar_links": ["commerce:double11:2026"],
    }
    response = assert_four_cases(
        api, "POST", f"{BASE}/items", "/api/v1/workspaces/other/items",
        permitted=admin, denied=member(Role.ANALYST), data=data, ok=(201,),
    )  # fmt: skip
    created = response.json()
    assert (
        created["image_ids"] == [image.pk]
        and created["owner"] == "boss"
        and created["deadline"] == "2030-01-31"
    )
    bad = _send(api(admin), "post", f"{BASE}/items", {"form": "live", "theme_id": theme.pk, "title": "直播"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"live_starts_at", "live_host", "live_outline", "deadline"}
    schema = _send(api(admin), "post", f"{BASE}/items", {"form": "article", "theme_id": 0})
    assert schema.status_code == 422


def test_detail_patch_delete_four_cases(
    workspace: Any, admin: Any, member: Any, api: Any, foreign_item: ContentItem
) -> None:
    theme = make_theme(workspace, "产品介绍")
    item = make_item(workspace, theme, "初稿")
    url, foreign_url = f"{BASE}/items/{item.pk}", f"{BASE}/items/{foreign_item.pk}"
    assert_four_cases(api, "GET", url, foreign_url, permitted=admin, denied=None)
    patched = assert_four_cases(
        api, "PATCH", url, foreign_url, permitted=admin, denied=member(Role.REVIEWER),
        data={"version": 1, "title": "二稿", "evergreen": False, "deadline": "2030-05-01"},
    ).json()  # fmt: skip
    assert (patched["title"], patched["version"], patched["evergreen"]) == ("二稿", 2, False)
    # The same request again is based on version 1, now stale.
    stale = _send(api(admin), "patch", url, {"version": 1, "title": "三稿"})
    assert stale.status_code == 409
    assert (
        "was changed by you (in another window)" in stale.json()["message"]
        and "version" in stale.json()["errors"]
    )
    assert _send(api(admin), "patch", url, {"title": "无版本"}).status_code == 422
    assert_four_cases(
        api, "DELETE", url, foreign_url, permitted=admin, denied=member(Role.ANALYST), ok=(204,)
    )
    assert not ContentItem.objects.filter(pk=item.pk).exists()


def test_rendered(workspace: Any, admin: Any, api: Any, foreign_item: ContentItem) -> None:
    theme = make_theme(workspace)
    image = upload(workspace, image_bytes())
    item = make_item(workspace, theme, body=f"# 标题\n\n![图](asset:{image.pk})<script>x()</script>")
    response = assert_four_cases(
        api, "GET", f"{BASE}/items/{item.pk}/rendered", f"{BASE}/items/{foreign_item.pk}/rendered",
        permitted=admin, denied=None,
    )  # fmt: skip
    body = response.json()
    assert "<h1>标题</h1>" in body["article_html"] and "<script" not in body["article_html"]
    assert f"http://testserver/w/acme/assets/{image.pk}/file/" in body["article_html"]
    assert body["asset_ids"] == [image.pk]


def test_variants_endpoints(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any, foreign_item: ContentItem
) -> None:
    theme = make_theme(workspace)
    weibo = make_account(workspace, "wb", platform="weibo")
    wechat = make_account(workspace, "mp", platform="wechat_mp")
    item = make_item(workspace, theme, "秋季新品", digest="三款新品")
    foreign_variant = variant_services.variant_create(
        workspace=other_workspace, actor=None, item=foreign_item, account=make_account(other_workspace, "x")
    )
    list_url = f"{BASE}/items/{item.pk}/variants"
    foreign_list = f"{BASE}/items/{foreign_item.pk}/variants"
    created = assert_four_cases(
        api, "POST", list_url, foreign_list, permitted=admin, denied=member(Role.ANALYST),
        data={"account_id": weibo.pk, "from_item": True, "hashtags": ["新品"]}, ok=(201,),
    ).json()  # fmt: skip
    assert (
        created["body"] == "【秋季新品】三款新品"
        and created["hashtags"] == ["新品"]
        and created["platform"] == "weibo"
    )
    listing = assert_four_cases(api, "GET", list_url, foreign_list, permitted=admin, denied=None).json()
    assert listing["count"] == 1
    bad = _send(api(admin), "post", list_url, {"account_id": wechat.pk, "extra": {"short_title": "x"}})
    assert bad.status_code == 400 and "short_title" in bad.json()["errors"]["extra"][0]
    missing = _send(api(admin), "post", list_url, {"account_id": 10**9})
    assert missing.status_code == 400 and "account_id" in missing.json()["errors"]
    url, foreign_url = f"{BASE}/variants/{created['id']}", f"{BASE}/variants/{foreign_variant.pk}"
    assert_four_cases(api, "GET", url, foreign_url, permitted=admin, denied=None)
    patched = assert_four_cases(
        api, "PATCH", url, foreign_url,
        permitted=admin, denied=member(Role.COMMUNITY), data={"version": 1, "body": "改写后的预告"},
    ).json()  # fmt: skip
    assert patched["version"] == 2
    stale = _send(api(admin), "patch", url, {"version": 1, "body": "旧的"})
    assert stale.status_code == 409
    assert_four_cases(
        api, "DELETE", url, foreign_url, permitted=admin, denied=member(Role.ANALYST), ok=(204,)
    )
    assert not ContentVariant.objects.filter(workspace=workspace).exists()
