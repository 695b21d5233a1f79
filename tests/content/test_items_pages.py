"""Pages of content items and variants: list and filters, forms per content form, stale saves, deletes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from socialops.content.models import ContentItem, ContentVariant
from socialops.content.services import items as services
from socialops.content.services import variants as variant_services
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import image_bytes, make_account, make_item, make_theme, mp4_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def theme(workspace: Any) -> Any:
    return make_theme(workspace, "产品介绍", color="#ff7f0e")


@pytest.fixture
def foreign_item(other_workspace: Any) -> ContentItem:
    return make_item(other_workspace, make_theme(other_workspace, "别人的"), "别人的文章")


def _form_data(**kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"form": "article", "title": "新品发布", "importance": "normal", "evergreen": "on"}
    data.update(kwargs)
    return data


def test_list_page_with_filters_and_badges(
    workspace: Any, admin: Any, member: Any, web: Any, theme: Any
) -> None:
    account = make_account(workspace, "acme", display_name="Acme 微博")
    make_item(
        workspace, theme, "双11 预热", importance="urgent", deadline=dt.date(2030, 11, 1), accounts=[account]
    )
    make_item(workspace, make_theme(workspace, "实用技巧"), "收纳技巧", form="qa", body="你家怎么收纳？")
    response = assert_four_cases(
        web, "GET", "/w/acme/content/", "/w/other/content/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert "双11 预热" in html and "收纳技巧" in html and "Urgent" in html and ">2030-11-01<" in html
    # The library says each item's status and each account's platform (two accounts may share a name).
    assert 'data-testid="item-status">Draft<' in html and "Acme 微博 · Weibo" in html
    assert (
        "Evergreen" in html
        and 'data-color="#ff7f0e"' in html
        and "Acme 微博" in html
        and "style=" not in html
    )
    client = web(member(Role.ANALYST))
    filtered = client.get("/w/acme/content/?form=qa").content.decode()
    assert "收纳技巧" in filtered and "双11 预热" not in filtered and "New item" not in filtered
    assert "双11 预热" in client.get(f"/w/acme/content/?account={account.pk}").content.decode()
    by_status = client.get("/w/acme/content/?status=approved").content.decode()
    assert "双11 预热" not in by_status and "收纳技巧" not in by_status
    assert "收纳技巧" in client.get("/w/acme/content/?status=draft").content.decode()
    assert "收纳技巧" not in client.get("/w/acme/content/?importance=urgent").content.decode()
    assert "双11 预热" not in client.get("/w/acme/content/?q=收纳").content.decode()
    # Nonsense filters are ignored rather than failing.
    assert client.get("/w/acme/content/?form=zzz&theme=abc&page=999").status_code == 200


def test_list_empty_state_in_chinese(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    assert "还没有内容" in client.get("/w/acme/content/").content.decode()


def test_create_page_adapts_to_the_form(
    workspace: Any, admin: Any, member: Any, web: Any, theme: Any
) -> None:
    upload(workspace, image_bytes(), "海报.png")
    response = assert_four_cases(
        web, "GET", "/w/acme/content/new/", "/w/other/content/new/",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    html = response.content.decode()
    assert "data-form-switch" in html and 'data-forms="live"' in html and 'data-forms="video"' in html
    assert "content/items.js" in html and "海报.png" in html and "Insert in text" in html
    assert "Mid-Autumn Festival" in html or "Double 11" in html  # calendar links to pick from
    assert "style=" not in html


def test_create_article_then_errors_per_field(workspace: Any, admin: Any, web: Any, theme: Any) -> None:
    client = web(admin)
    response = client.post("/w/acme/content/new/", _form_data(theme=theme.pk, body="", title=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "An article needs a body (Markdown)." in html and "This field is required." in html
    response = client.post(
        "/w/acme/content/new/",
        _form_data(
            theme=theme.pk, body="# 标题\n\n正文", digest="摘要", calendar_links=["commerce:double11:2026"]
        ),
    )
    item = ContentItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/content/{item.pk}/"
    assert item.calendar_links == ["commerce:double11:2026"] and item.owner == admin


def test_fields_of_a_hidden_form_are_not_saved(workspace: Any, admin: Any, web: Any, theme: Any) -> None:
    clip = upload(workspace, mp4_bytes())
    # The writer typed a host, then switched to a short post: the hidden live fields are not sent on.
    response = web(admin).post(
        "/w/acme/content/new/",
        _form_data(
            form="short_post", theme=theme.pk, body="短帖正文", live_host="小李", video=clip.pk, digest="x"
        ),
    )
    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert (item.form, item.live_host, item.video, item.digest) == ("short_post", "", None, "")


@time_machine.travel(dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC), tick=False)
def test_create_live_in_workspace_time(workspace: Any, admin: Any, web: Any, theme: Any) -> None:
    response = web(admin).post(
        "/w/acme/content/new/",
        _form_data(
            form="live",
            title="新品直播",
            theme=theme.pk,
            live_starts_at="2026-03-05T20:00",
            live_host="小李",
            live_outline="1. 开场\n2. 抽奖",
        ),
    )
    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert item.live_starts_at == dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)
    html = web(admin).get(f"/w/acme/content/{item.pk}/").content.decode()
    assert "2026-03-05 20:00" in html and "1. 开场" in html
    edit = web(admin).get(f"/w/acme/content/{item.pk}/edit/").content.decode()
    assert 'value="2026-03-05T20:00"' in edit


def test_detail_page(
    workspace: Any, admin: Any, member: Any, web: Any, theme: Any, foreign_item: Any
) -> None:
    weibo = make_account(workspace, "wb", display_name="Acme 微博")
    image = upload(workspace, image_bytes())
    item = make_item(
        workspace,
        theme,
        "秋季新品",
        body=f"# 亮点\n\n![海报](asset:{image.pk})\n\n<script>alert(1)</script>",
        images=[image],
    )
    variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=weibo, body="微博预告", hashtags=["新品"]
    )
    response = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/", f"/w/acme/content/{foreign_item.pk}/",
        permitted=member(Role.ANALYST), denied=None,
    )  # fmt: skip
    html = response.content.decode()
    preview = re.search(r'data-testid="article-preview">(.*?)</div>', html, re.S)
    assert (
        preview
        and "<h1>亮点</h1>" in preview.group(1)
        and f"/w/acme/assets/{image.pk}/file/" in preview.group(1)
    )
    assert "<script>alert(1)</script>" not in html
    assert "微博预告" in html and "#新品" in html and "Edit" not in html  # an analyst reads, no buttons
    admin_html = web(admin).get(f"/w/acme/content/{item.pk}/").content.decode()
    assert "Create variant for" not in admin_html or "Acme 微博" in admin_html
    assert f"/w/acme/content/{item.pk}/edit/" in admin_html


def test_edit_page_and_stale_save(
    workspace: Any, admin: Any, member: Any, web: Any, theme: Any, foreign_item: Any
) -> None:
    item = make_item(workspace, theme, "初稿", body="原文")
    assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/edit/", f"/w/acme/content/{foreign_item.pk}/edit/",
        permitted=admin, denied=member(Role.REVIEWER),
    )  # fmt: skip
    colleague = member(Role.OPERATOR, username="xiaowang")
    services.content_item_update(
        workspace=workspace, actor=colleague, item=item, expected_version=1, body="同事改了"
    )
    response = web(admin).post(
        f"/w/acme/content/{item.pk}/edit/",
        _form_data(title="我的标题", theme=theme.pk, body="我辛苦写的新段落", version=1),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "was changed by xiaowang" in html and "Open the current version in a new tab" in html
    # What the user typed is still in the form, nothing was overwritten.
    assert "我辛苦写的新段落" in html and 'value="我的标题"' in html
    assert ContentItem.objects.get(pk=item.pk).body == "同事改了"
    ok = web(admin).post(
        f"/w/acme/content/{item.pk}/edit/",
        _form_data(title="我的标题", theme=theme.pk, body="合并后的", version=2),
    )
    assert ok.status_code == 302 and ContentItem.objects.get(pk=item.pk).version == 3


def test_delete_with_confirm(
    workspace: Any, admin: Any, member: Any, web: Any, theme: Any, foreign_item: Any
) -> None:
    item = make_item(workspace, theme, "待删文章")
    confirm = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/delete/", f"/w/acme/content/{foreign_item.pk}/delete/",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    assert "Delete “待删文章”?" in confirm.content.decode()
    assert ContentItem.objects.filter(pk=item.pk).exists()
    assert_four_cases(
        web, "POST", f"/w/acme/content/{item.pk}/delete/", f"/w/acme/content/{foreign_item.pk}/delete/",
        permitted=admin, denied=member(Role.ANALYST), ok=(302,),
    )  # fmt: skip
    assert not ContentItem.objects.filter(pk=item.pk).exists()


def test_variant_pages(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any, theme: Any, foreign_item: Any
) -> None:
    wechat = make_account(workspace, "mp", platform="wechat_mp", display_name="Acme 公众号")
    weibo = make_account(workspace, "wb", display_name="Acme 微博")
    item = make_item(workspace, theme, "秋季新品", digest="三款新品")
    foreign_account = make_account(other_workspace, "x")
    page = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/variants/new/{weibo.pk}/",
        f"/w/acme/content/{foreign_item.pk}/variants/new/{foreign_account.pk}/", permitted=admin,
        denied=member(Role.ANALYST),
    ).content.decode()  # fmt: skip
    assert "【秋季新品】三款新品" in page and "need_open_comment" not in page
    wechat_page = web(admin).get(f"/w/acme/content/{item.pk}/variants/new/{wechat.pk}/").content.decode()
    assert 'name="need_open_comment"' in wechat_page and 'name="content_source_url"' in wechat_page
    assert (
        'value="mass"' in wechat_page
        and 'name="tag_id"' in wechat_page
        and 'name="safe_domain"' not in wechat_page
    )
    response = web(admin).post(
        f"/w/acme/content/{item.pk}/variants/new/{wechat.pk}/",
        {
            "title": "秋季新品 | 首发",
            "body": "正文",
            "need_open_comment": "on",
            "content_source_url": "https://acme.cn",
            "send_mode": "mass",
            "tag_id": "2",
            "account_type": "service",
        },
    )
    assert response.status_code == 302
    variant = ContentVariant.objects.get(account=wechat)
    assert variant.extra == {
        "need_open_comment": True,
        "only_fans_can_comment": False,
        "content_source_url": "https://acme.cn",
        "send_mode": "mass",
        "tag_id": 2,
        "account_type": "service",
    }
    foreign_variant = variant_services.variant_create(
        workspace=other_workspace, actor=None, item=foreign_item, account=foreign_account
    )
    assert_four_cases(
        web, "GET", f"/w/acme/variants/{variant.pk}/edit/", f"/w/acme/variants/{foreign_variant.pk}/edit/",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    variant_services.variant_update(
        workspace=workspace, actor=None, variant=variant, expected_version=1, body="别人改的"
    )
    stale = web(admin).post(
        f"/w/acme/variants/{variant.pk}/edit/", {"title": "t", "body": "我的", "version": 1}
    )
    assert stale.status_code == 409 and "我的" in stale.content.decode()
    assert_four_cases(
        web, "POST", f"/w/acme/variants/{variant.pk}/delete/",
        f"/w/acme/variants/{foreign_variant.pk}/delete/", permitted=admin, denied=member(Role.ANALYST),
        ok=(302,),
    )  # fmt: skip
    assert not ContentVariant.objects.filter(pk=variant.pk).exists()
