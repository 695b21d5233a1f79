"""Check pages: the four permission cases on every page, the term lists through the UI, the live
check of the editors (htmx) and an item's findings page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from socialops.accounts.models import Platform
from socialops.content.models import ContentItem
from socialops.content.services import variants as variant_services
from socialops.review.models import AdLawEntry, BannedTerm, BrandTerm, SensitiveList, SensitiveTerm
from socialops.review.services import runner as check_runner
from tests.access import assert_four_cases
from tests.factories import account_row, check_objects, import_posts, make_item

pytestmark = pytest.mark.django_db


def url(name: str, slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


@pytest.fixture
def lists(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    """One object of each kind in our workspace and in the other one."""
    return check_objects(workspace, other_workspace)


READ_PAGES = [
    ("checks_home", {}),
    ("checks_try", {}),
    ("checks_settings", {}),
    ("checks_links", {}),
    ("checks_adlaw", {}),
    ("checks_sensitive", {}),
    ("checks_brand", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), READ_PAGES)
def test_read_pages_four_cases(
    web: Any, admin: Any, other_admin: Any, name: str, kwargs: dict[str, Any]
) -> None:
    # Every member reads; "another workspace" is a workspace the member does not belong to.
    assert_four_cases(
        web, "GET", url(name, **kwargs), url(name, slug="other", **kwargs), permitted=admin, denied=None
    )


def test_object_pages_four_cases(web: Any, admin: Any, analyst: Any, lists: dict[str, Any]) -> None:
    lst, foreign = lists["list"], lists["foreign_list"]
    item, foreign_item = lists["item"], lists["foreign_item"]
    response = assert_four_cases(
        web, "GET", url("checks_sensitive_detail", list_id=lst.pk),
        url("checks_sensitive_detail", list_id=foreign.pk), permitted=analyst, denied=None,
    )  # fmt: skip
    assert "某品牌" in response.content.decode()
    response = assert_four_cases(
        web, "GET", url("item_checks", item_id=item.pk), url("item_checks", item_id=foreign_item.pk),
        permitted=analyst, denied=None,
    )  # fmt: skip
    page = response.content.decode()
    assert '<mark class="check-block"' in page and "全网最低价" in page
    assert_four_cases(
        web, "GET", url("checks_sensitive_edit", list_id=lst.pk),
        url("checks_sensitive_edit", list_id=foreign.pk), permitted=admin, denied=analyst,
    )  # fmt: skip
    assert_four_cases(
        web, "GET", url("checks_brand_edit", term_id=lists["brand"].pk),
        url("checks_brand_edit", term_id=lists["foreign_brand"].pk), permitted=admin, denied=analyst,
    )  # fmt: skip


def test_write_pages_four_cases(web: Any, reviewer: Any, operator: Any, lists: dict[str, Any]) -> None:
    cases = [
        ("checks_adlaw", {}, {"kind": "extra", "term": "顶流", "severity": "warn"}, "checks_adlaw", {}),
        ("checks_sensitive", {}, {"name": "新列表", "severity": "block"}, "checks_sensitive", {}),
        (
            "checks_brand",
            {},
            {"preferred": "云朵杯", "forbidden": "云朵被", "severity": "warn"},
            "checks_brand",
            {},
        ),
        (
            "checks_banned_create",
            {},
            {"term": "yyds", "replacement": "", "severity": "warn"},
            "checks_banned_create",
            {},
        ),
        (
            "checks_settings",
            {},
            {"originality_threshold": "0.7", "originality_block_threshold": "0.95"},
            "checks_settings",
            {},
        ),
        (
            "checks_sensitive_term_add",
            {"list_id": lists["list"].pk},
            {"term": "另一品牌"},
            "checks_sensitive_term_add",
            {"list_id": lists["foreign_list"].pk},
        ),
        (
            "checks_sensitive_edit",
            {"list_id": lists["list"].pk},
            {"name": "竞品名称", "severity": "block"},
            "checks_sensitive_edit",
            {"list_id": lists["foreign_list"].pk},
        ),
        (
            "checks_brand_edit",
            {"term_id": lists["brand"].pk},
            {"preferred": "星曜 X1 Pro", "forbidden": "星耀X1pro", "severity": "block"},
            "checks_brand_edit",
            {"term_id": lists["foreign_brand"].pk},
        ),
    ]
    for name, kwargs, data, foreign_name, foreign_kwargs in cases:
        foreign = (
            url(foreign_name, slug="other", **foreign_kwargs)
            if not foreign_kwargs
            else url(foreign_name, **foreign_kwargs)
        )
        response = assert_four_cases(
            web, "POST", url(name, **kwargs), foreign,
            permitted=reviewer, denied=operator, data=data, ok=(302,),
        )  # fmt: skip
        assert response.status_code == 302, name
    assert AdLawEntry.objects.filter(term="顶流", severity="warn").exists()
    assert SensitiveList.objects.filter(name="新列表", severity="block").exists()
    assert BrandTerm.objects.get(preferred="云朵杯").forbidden == ["云朵被"]
    assert BannedTerm.objects.filter(term="yyds").exists()
    assert SensitiveTerm.objects.filter(term="另一品牌", term_list=lists["list"]).exists()
    assert BrandTerm.objects.get(pk=lists["brand"].pk).severity == "block"
    assert SensitiveList.objects.get(pk=lists["list"].pk).name == "竞品名称"


def test_delete_pages_four_cases(web: Any, admin: Any, operator: Any, lists: dict[str, Any]) -> None:
    cases = [
        ("checks_adlaw_delete", {"entry_id": lists["entry"].pk}, {"entry_id": lists["foreign_entry"].pk}),
        (
            "checks_sensitive_term_delete",
            {"list_id": lists["list"].pk, "term_id": lists["term"].pk},
            {"list_id": lists["foreign_list"].pk, "term_id": lists["foreign_term"].pk},
        ),
        ("checks_sensitive_delete", {"list_id": lists["list"].pk}, {"list_id": lists["foreign_list"].pk}),
        ("checks_brand_delete", {"term_id": lists["brand"].pk}, {"term_id": lists["foreign_brand"].pk}),
        ("checks_banned_delete", {"term_id": lists["banned"].pk}, {"term_id": lists["foreign_banned"].pk}),
    ]
    for name, kwargs, foreign_kwargs in cases:
        assert_four_cases(
            web, "POST", url(name, **kwargs), url(name, **foreign_kwargs),
            permitted=admin, denied=operator, data={}, ok=(302,),
        )  # fmt: skip
    assert not AdLawEntry.objects.filter(pk=lists["entry"].pk).exists()
    assert not SensitiveList.objects.filter(pk=lists["list"].pk).exists()
    assert AdLawEntry.objects.filter(pk=lists["foreign_entry"].pk).exists()


def test_import_page(web: Any, reviewer: Any, operator: Any, lists: dict[str, Any]) -> None:
    lst = lists["list"]

    def upload(text: bytes) -> dict[str, Any]:
        return {"file": SimpleUploadedFile("words.txt", text, content_type="text/plain")}

    target = url("checks_sensitive_import", list_id=lst.pk)
    assert web(None).post(target, upload(b"a")).status_code == 302
    assert web(operator).post(target, upload("词".encode())).status_code == 403
    assert (
        web(reviewer)
        .post(url("checks_sensitive_import", list_id=lists["foreign_list"].pk), upload(b"x"))
        .status_code
        == 404
    )
    client = web(reviewer)
    bad = client.post(target, upload("好词\n\x01坏\n".encode()))
    assert bad.status_code == 400
    assert "Line 2: the term contains control characters." in bad.content.decode()
    ok = client.post(target, upload("词甲\n词乙\n某品牌\n".encode()), follow=True)
    assert "Imported: 2 added, 0 removed, 1 already on the list." in ok.content.decode()
    again = client.post(target, upload("词甲\n词乙\n某品牌\n".encode()), follow=True)
    assert "Imported: 0 added, 0 removed, 3 already on the list." in again.content.decode()


def test_live_check_returns_highlights_and_findings(
    web: Any, operator: Any, other_admin: Any, workspace: Any
) -> None:
    weibo = account_row(workspace, "acme_weibo", Platform.WEIBO, display_name="acme_weibo")
    item = make_item(workspace, body="正文")
    target = url("checks_live") + f"?item={item.pk}&account={weibo.pk}"
    data = {"body": "全网最低价！\r\n" + "微" * 140, "hashtags": "#春季上新", "is_advertising": "on"}
    assert web(None).post(target, data).status_code == 302
    assert web(other_admin).post(target, data).status_code == 404
    foreign_item = make_item(other_admin.memberships.first().workspace, body="x")
    assert web(operator).post(url("checks_live") + f"?item={foreign_item.pk}", data).status_code == 404
    response = web(operator).post(target, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    # The copy of the text with the findings marked; line ends counted as the editor does (\n).
    assert re.search(r'<mark class="check-block" title="[^"]*Advertising Law[^"]*">全网最低价</mark>', html)
    assert 'data-start="0" data-end="5"' in html
    # 全网最低价！ (6) + a line end (½, ASCII) + 133 × 微 = 139.5 汉字 units; the 134th 微 passes 140.
    assert (
        'data-check="platform" data-severity="block" data-field="body" data-start="140" data-end="147"'
        in html
    )
    assert 'data-field="hashtags"' in html  # 微博 wants #春季上新#
    assert "Weibo post (API share) needs" not in html
    assert "【广告】" in html and "check-insert" in html
    # GET is not allowed: the panel is only posted by htmx.
    assert web(operator).get(target).status_code == 405


def test_editor_templates_carry_the_live_check(web: Any, admin: Any, workspace: Any) -> None:
    weibo = account_row(workspace, "acme_weibo", Platform.WEIBO, display_name="acme_weibo")
    item = make_item(workspace, body="正文", accounts=[weibo.pk])
    variant = variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=weibo, body="x"
    )
    client = web(admin)
    for page, query in (
        (reverse("content_edit", kwargs={"slug": "acme", "item_id": item.pk}), f"?item={item.pk}"),
        (reverse("content_create", kwargs={"slug": "acme"}), ""),
        (
            reverse("variant_edit", kwargs={"slug": "acme", "variant_id": variant.pk}),
            f"?item={item.pk}&amp;account={weibo.pk}",
        ),
    ):
        html = client.get(page).content.decode()
        assert f'hx-post="{url("checks_live")}{query}"' in html, page
        assert 'hx-trigger="input changed delay:400ms' in html
        assert 'id="check-panel"' in html and "review/editor.js" in html


def test_item_form_saves_the_advertising_flag(web: Any, admin: Any, workspace: Any) -> None:
    item = make_item(workspace, title="春装上新", body="今天发布春装。")
    page = reverse("content_edit", kwargs={"slug": "acme", "item_id": item.pk})
    data = {
        "form": "article",
        "title": "春装上新",
        "theme": item.theme_id,
        "importance": "normal",
        "evergreen": "on",
        "body": "今天发布春装。",
        "is_advertising": "on",
        "version": item.version,
    }
    response = web(admin).post(page, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ContentItem.objects.get(pk=item.pk)
    assert item.is_advertising
    findings = check_runner.stored_findings(workspace=workspace, item=item)
    assert [f.message_code for f in findings if f.check == "disclosure"] == ["disclosure.missing"]
    html = web(admin).get(page).content.decode()
    assert re.search(r'name="is_advertising"[^>]*checked', html)


def test_item_checks_page_shows_similar_posts_side_by_side(
    web: Any, analyst: Any, operator: Any, workspace: Any
) -> None:
    rival = account_row(workspace, "rival", is_competitor=True, display_name="rival")
    earlier = "春天到了，我们的新品樱花拿铁正式上市，每一口都是春天的味道，欢迎大家到店品尝。"
    import_posts(workspace, rival, [("r1", "2026-02-01 09:00", earlier)])
    item = make_item(workspace, body=earlier.replace("到店", "来店"))
    client = web(analyst)
    html = client.get(url("item_checks", item_id=item.pk)).content.decode()
    assert 'data-testid="check-diff"' in html
    assert '<span class="diff-changed">' in html
    assert "rival" in html
    # Re-running replaces the stored findings: the read-only analyst sees no button and is refused;
    # those who edit content may.
    assert "Run the checks again" not in html
    assert client.post(url("item_checks", item_id=item.pk)).status_code == 403
    editor = web(operator)
    assert "Run the checks again" in editor.get(url("item_checks", item_id=item.pk)).content.decode()
    assert editor.post(url("item_checks", item_id=item.pk)).status_code == 302


def test_pages_in_chinese(web: Any, admin: Any, lists: dict[str, Any]) -> None:
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(url("item_checks", item_id=lists["item"].pk)).content.decode()
    assert "广告法" in html
    home = client.get(url("checks_home")).content.decode()
    assert "敏感词" in home
