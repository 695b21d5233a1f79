"""Rich-text article bodies (docs/editor.md): sanitised on save by the page and the API, rendered
without the Markdown step, and clean in what the 公众号 connector sends; Markdown items unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx

from socialops.content.models import ContentItem
from socialops.content.rendering import body_text, stored_html
from socialops.publishing import engine
from socialops.review.services import runner
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import connect, image_bytes, make_account, make_item, make_publication, upload
from tests.platforms.test_wechat import connect as wechat_connect
from tests.platforms.wechat_fake import FakeWeChat

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

BASE = "/api/v1/workspaces/acme"
ATTACK = (
    '<h2 onclick="steal()">新品</h2><p><strong>限时</strong><span style="color:#c0392b;position:fixed">红字</span>'
    '<script>alert(1)</script><img src=x onerror="alert(1)"><a href="javascript:alert(1)">点我</a>'
    '<iframe src="https://evil.example"></iframe></p><img src="/w/acme/assets/{own}/file/">'
    '<img src="asset:{foreign}"><p><a href="https://shop.example/x">商城</a></p>'
)
BAD = ("<script", "onerror", "onclick", "javascript:", "<iframe", "position", "alert(")


def _clean(html: str) -> None:
    for bad in BAD:
        assert bad not in html, (bad, html)


@pytest.fixture
def images(workspace: Any, other_workspace: Any) -> tuple[Any, Any]:
    own = upload(workspace, image_bytes(), "own.png")
    foreign = upload(other_workspace, image_bytes(color=(0, 0, 200)), "foreign.png")
    return own, foreign


def _attack(images: tuple[Any, Any]) -> str:
    return ATTACK.format(own=images[0].pk, foreign=images[1].pk)


def _expect_stored(item: ContentItem, own: Any) -> None:
    assert item.body_format == "html"
    _clean(item.body)
    assert "<h2>新品</h2>" in item.body and "<strong>限时</strong>" in item.body
    assert '<span style="color:#c0392b">红字</span>' in item.body
    # Our own file view's URL becomes the asset reference; another workspace's image is dropped.
    assert f'<img src="asset:{own.pk}">' in item.body and item.body.count("<img") == 1
    assert '<a href="https://shop.example/x" rel="noopener noreferrer">商城</a>' in item.body


def test_page_save_sanitises_and_the_item_page_renders_rich_text(
    web: Any, workspace: Any, operator: Any, theme: Any, images: tuple[Any, Any]
) -> None:
    own, _foreign = images
    response = web(operator).post(
        "/w/acme/content/new/",
        {
            "form": "article",
            "title": "秋季新品",
            "theme": theme.pk,
            "evergreen": "on",
            "importance": "normal",
            "body": _attack(images),
            "body_format": "html",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ContentItem.objects.get(title="秋季新品")
    _expect_stored(item, own)
    page = web(operator).get(f"/w/acme/content/{item.pk}/").content.decode()
    preview = page.split('data-testid="article-preview">', 1)[1].split("</div>", 1)[0]
    _clean(preview)
    assert "<h2>新品</h2>" in preview and f'src="/w/acme/assets/{own.pk}/file/"' in preview
    # The edit page mounts the editor on it (format html) and offers the library's images.
    edit = web(operator).get(f"/w/acme/content/{item.pk}/edit/").content.decode()
    assert 'name="body_format" value="html"' in edit and f'data-pick-asset="{own.pk}"' in edit


def test_api_create_and_patch_sanitise_and_rendered_is_clean(
    api: Any, workspace: Any, operator: Any, theme: Any, images: tuple[Any, Any]
) -> None:
    own, _foreign = images
    payload = {
        "title": "API 图文",
        "form": "article",
        "theme_id": theme.pk,
        "evergreen": True,
        "body": _attack(images),
        "body_format": "html",
    }
    created = api(operator).post(f"{BASE}/items", data=json.dumps(payload), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["body_format"] == "html"
    item = ContentItem.objects.get(pk=created.json()["id"])
    _expect_stored(item, own)
    patched = api(operator).patch(
        f"{BASE}/items/{item.pk}",
        data=json.dumps({"version": item.version, "body": '<p>改<img src="x" onerror="alert(1)"></p>'}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["body"] == "<p>改</p>"
    rendered = api(operator).get(f"{BASE}/items/{item.pk}/rendered").json()
    assert rendered["article_html"] == rendered["preview_html"] == "<p>改</p>"


def test_rich_text_is_for_articles_and_the_format_is_checked(
    api: Any, workspace: Any, operator: Any, theme: Any
) -> None:
    base = {"title": "短帖", "theme_id": theme.pk, "evergreen": True, "body": "<p>文字</p>"}
    short = api(operator).post(
        f"{BASE}/items",
        data=json.dumps({**base, "form": "short_post", "body_format": "html"}),
        content_type="application/json",
    )
    assert short.status_code == 400 and "body_format" in short.json()["errors"]
    odd = api(operator).post(
        f"{BASE}/items",
        data=json.dumps({**base, "form": "article", "body_format": "docx"}),
        content_type="application/json",
    )
    assert odd.status_code == 400 and "body_format" in odd.json()["errors"]


def test_markdown_items_render_as_before(api: Any, workspace: Any, operator: Any, theme: Any) -> None:
    item = make_item(workspace, theme, body="# 标题\n\n**粗体** <script>x</script>")
    assert item.body_format == "markdown" and item.body.startswith("# 标题")
    rendered = api(operator).get(f"{BASE}/items/{item.pk}/rendered").json()
    assert rendered["article_html"] == "<h1>标题</h1>\n<p><strong>粗体</strong> </p>"


def test_wechat_payload_from_a_rich_text_item_is_clean(
    workspace: Any, theme: Any, images: tuple[Any, Any]
) -> None:
    own, _foreign = images
    item = make_item(workspace, theme, title="公众号图文", body=_attack(images), body_format="html")
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    account = make_account(workspace, handle="gzh", platform="wechat_mp")
    connect(account, "manual")
    pub = make_publication(workspace, ContentItem.objects.get(pk=item.pk), account)
    post = engine.build_post(pub)
    _clean(post.body_html)
    assert f'src="asset:{own.pk}"' in post.body_html and [m.asset_id for m in post.media] == [own.pk]
    with respx.mock(assert_all_called=False) as router:
        fake = FakeWeChat(router)
        connector = wechat_connect(fake)
        post = engine.fit_kind(post, connector)  # what the engine hands the 公众号: an article
        assert connector.check(post) == []
        connector.publish(post, idempotency_key="k")
        connector.close()
    content = fake.by_path("/cgi-bin/draft/add")[0]["articles"][0]["content"]
    _clean(content)
    assert "<h2>新品</h2>" in content and "asset:" not in content and fake.image_urls[0] in content


def test_checks_read_the_words_not_the_markup(workspace: Any, theme: Any) -> None:
    item = make_item(
        workspace, theme, body="<h2>最好的</h2><p>产品<strong>第一</strong></p>", body_format="html"
    )
    (target, *_rest) = runner.check_targets(workspace=workspace, item=item)
    assert target.text_fields["body"] == "最好的\n产品第一"
    assert body_text("<p>a</p><ul><li><p>b</p></li></ul>", "html") == "a\nb"


def test_stored_html_keeps_the_allow_list() -> None:
    html = stored_html(
        '<h3 style="text-align:center">小标题</h3><blockquote><p>引用</p></blockquote><ol><li><p>一</p></li></ol>'
        "<hr><p><em>斜</em><br>行</p><table><tr><td>格</td></tr></table><form><input></form><u>u</u>",
        image_url=lambda asset_id: None,
    )
    assert html == (
        '<h3 style="text-align:center">小标题</h3><blockquote><p>引用</p></blockquote><ol><li><p>一</p></li></ol>'
        "<hr><p><em>斜</em><br>行</p><table><tbody><tr><td>格</td></tr></tbody></table>u"
    )


def test_phone_preview_four_cases_and_sanitised(
    web: Any, workspace: Any, other_workspace: Any, member: Any, images: tuple[Any, Any]
) -> None:
    own, _foreign = images
    data = {"body": _attack(images), "body_format": "html"}
    response = assert_four_cases(
        web,
        "POST",
        "/w/acme/content/preview/",
        "/w/other/content/preview/",
        permitted=member(Role.OPERATOR),
        denied=member(Role.ANALYST),
        data=data,
    )
    html = response.content.decode()
    _clean(html)
    assert "<h2>新品</h2>" in html and f'src="/w/acme/assets/{own.pk}/file/"' in html
    assert '<span style="color:#c0392b">红字</span>' in html
