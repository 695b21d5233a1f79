"""What the engine hands a connector: the variant's text, its media with bytes, the article's HTML."""

from __future__ import annotations

from typing import Any

from socialops.content.models import ContentItem
from socialops.content.services import variants as variant_services
from socialops.content.services.media import media_asset_upload
from socialops.platforms.connectors.base import Capability, Connector, PostKind
from socialops.platforms.connectors.manual import ManualConnector
from socialops.publishing import engine
from tests.factories import approved_item, connect, image_bytes, make_account, make_publication


def _asset(workspace: Any, name: str, colour: tuple[int, int, int]) -> Any:
    return media_asset_upload(
        workspace=workspace, actor=None, file_name=name, content=image_bytes(color=colour)
    ).asset


def test_variant_media_and_body_images(workspace: Any) -> None:
    account = make_account(workspace, handle="gzh", platform="wechat_mp")
    connect(account, "manual")
    cover = _asset(workspace, "cover.png", (255, 0, 0))
    inline = _asset(workspace, "inline.png", (0, 0, 255))
    item = approved_item(workspace, "年度发布会", body=f"# 标题\n\n正文第一段\n\n![图](asset:{inline.pk})\n")
    variant_services.variant_create(
        workspace=workspace,
        actor=None,
        item=item,
        account=account,
        title="发布会回顾",
        author="小编",
        media=[cover.pk],
        extra={"need_open_comment": True},
    )
    # A new variant sends the item back to review; the workflow's own tests cover that.
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    pub = make_publication(workspace, item, account)
    post = engine.build_post(pub)
    assert post.title == "发布会回顾"
    # The cover first (the variant's media), then the image the body shows.
    assert [(m.asset_id, m.inline) for m in post.media] == [(cover.pk, False), (inline.pk, True)]
    assert post.media[0].data == cover.file.open("rb").read()
    assert post.media[0].url == f"/w/acme/assets/{cover.pk}/file/"
    # Connectors that hand over links (manual, webhook) get no bytes: the files are not read.
    assert not ManualConnector.uploads_media
    links_only = engine.build_post(pub, media_bytes=False)
    assert [m.data for m in links_only.media] == [None, None]
    assert [m.url for m in links_only.media] == [m.url for m in post.media]
    assert f'src="asset:{inline.pk}"' in post.body_html and "<h1>标题</h1>" in post.body_html
    assert post.options == {"need_open_comment": True, "author": "小编"}
    # A platform that takes posts, not articles, gets the attached media only.
    as_post = engine.fit_kind(post, _Everything())
    assert as_post.kind is None and [m.asset_id for m in as_post.media] == [cover.pk]
    assert engine.fit_kind(post, _ArticleOnly()).media == post.media


class _ArticleOnly(Connector):
    kind = "article-only"
    capabilities = frozenset({Capability.PUBLISH_ARTICLE})

    def verify(self) -> Any:
        raise NotImplementedError


class _Everything(_ArticleOnly):
    capabilities = frozenset({Capability.PUBLISH_ARTICLE, Capability.PUBLISH_TEXT, Capability.PUBLISH_IMAGES})


def test_article_only_platforms_get_an_article(workspace: Any) -> None:
    account = make_account(workspace, handle="gzh2", platform="mastodon")
    connect(account, "manual")
    item = approved_item(workspace, "纯文字")
    pub = make_publication(workspace, item, account)
    post = engine.build_post(pub)
    assert post.effective_kind == PostKind.TEXT
    assert engine.fit_kind(post, _ArticleOnly()).kind == PostKind.ARTICLE
    assert engine.fit_kind(post, _Everything()).kind is None
