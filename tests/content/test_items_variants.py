"""Per-platform variants of an item: which accounts, platform fields, prefill, versions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.content.models import ContentVariant
from socialops.content.selectors import items as selectors
from socialops.content.services import variants as variant_services
from socialops.content.services.common import VersionConflict
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import image_bytes, make_account, make_item, mp4_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _variant_errors(**kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        variant_services.variant_create(**kwargs)
    return exc.value.message_dict


def test_wechat_variant_with_platform_fields(workspace: Any, admin: Any, theme: Any) -> None:
    wechat = make_account(workspace, "acme_mp", platform="wechat_mp", display_name="Acme 公众号")
    item = make_item(workspace, theme, "新品发布", accounts=[wechat])
    cover = upload(workspace, image_bytes())
    variant = variant_services.variant_create(
        workspace=workspace,
        actor=admin,
        item=item,
        account=wechat,
        title="新品发布 | 首发",
        author="运营部",
        media=[cover],
        hashtags="#新品# 科技, 新品",
        extra={
            "need_open_comment": True,
            "only_fans_can_comment": False,
            "content_source_url": "https://acme.cn/a",
        },
    )
    assert variant.hashtags == ["新品", "科技"] and variant.version == 1
    assert variant.extra["content_source_url"] == "https://acme.cn/a"
    assert selectors.ordered_media(variant) == [cover]
    assert AuditEntry.objects.get(action="variant.create").after["author"] == "运营部"


def test_platform_fields_are_checked_per_platform(workspace: Any, admin: Any, theme: Any) -> None:
    wechat = make_account(workspace, "mp", platform="wechat_mp")
    weibo = make_account(workspace, "wb", platform="weibo", display_name="Acme 微博")
    channels = make_account(workspace, "ch", platform="channels")
    item = make_item(workspace, theme)
    errors = _variant_errors(
        workspace=workspace, actor=admin, item=item, account=weibo, extra={"need_open_comment": True}
    )
    assert errors["extra"] == [
        "“need_open_comment” is not a field of Weibo variants (supported: safe_domain)."
    ]
    errors = _variant_errors(
        workspace=workspace,
        actor=admin,
        item=item,
        account=wechat,
        extra={"need_open_comment": "yes", "content_source_url": "javascript:alert(1)", "color": "red"},
    )
    assert len(errors["extra"]) == 3
    errors = _variant_errors(
        workspace=workspace,
        actor=admin,
        item=item,
        account=channels,
        extra={"short_title": "这个短标题实在是太长了超过十六个字了吧"},
    )
    assert "At most 16 characters" in errors["extra"][0]
    variant = variant_services.variant_create(
        workspace=workspace, actor=admin, item=item, account=channels, extra={"short_title": "新品首发"}
    )
    assert variant.extra == {"short_title": "新品首发"}
    # 公众号: how it goes out (发布 or 群发 to a tag) and the account type for the quota.
    errors = _variant_errors(
        workspace=workspace,
        actor=admin,
        item=item,
        account=wechat,
        extra={"send_mode": "broadcast", "tag_id": -1, "account_type": "vip"},
    )
    assert errors["extra"] == [
        "send_mode must be one of freepublish, mass.",
        "tag_id must be a whole number of at least 0.",
        "account_type must be one of subscription, service.",
    ]
    mass = variant_services.variant_create(
        workspace=workspace,
        actor=admin,
        item=item,
        account=wechat,
        extra={"send_mode": "mass", "tag_id": 2, "account_type": "service"},
    )
    assert mass.extra == {"send_mode": "mass", "tag_id": 2, "account_type": "service"}
    errors = _variant_errors(
        workspace=workspace, actor=admin, item=item, account=weibo, extra={"safe_domain": "not a domain"}
    )
    assert errors["extra"] == ["safe_domain must be a domain name such as shop.example.com."]
    weibo_variant = variant_services.variant_create(
        workspace=workspace,
        actor=admin,
        item=item,
        account=weibo,
        extra={"safe_domain": "https://Shop.Acme.cn/"},
    )
    assert weibo_variant.extra == {"safe_domain": "shop.acme.cn"}


def test_lengths_links_and_media_bounded(
    workspace: Any, other_workspace: Any, admin: Any, theme: Any
) -> None:
    weibo = make_account(workspace, "wb")
    item = make_item(workspace, theme)
    foreign = upload(other_workspace, image_bytes())
    errors = _variant_errors(
        workspace=workspace,
        actor=admin,
        item=item,
        account=weibo,
        title="长" * 201,
        link_url="ftp://x.cn/a",
        hashtags=["#" + "话" * 60],
        media=[foreign.pk],
        author="作" * 51,
    )
    assert set(errors) == {"title", "link_url", "hashtags", "media", "author"}


def test_account_must_be_ours_and_listed_and_unique(
    workspace: Any, other_workspace: Any, admin: Any, theme: Any
) -> None:
    wechat = make_account(workspace, "mp", platform="wechat_mp")
    weibo = make_account(workspace, "wb", display_name="Acme 微博")
    rival = make_account(workspace, "rival", is_competitor=True, display_name="对手")
    item = make_item(workspace, theme, "只给公众号", accounts=[wechat])
    assert (
        "add the account to the item first"
        in _variant_errors(workspace=workspace, actor=admin, item=item, account=weibo)["account"][0]
    )
    assert (
        "competitor"
        in _variant_errors(workspace=workspace, actor=admin, item=item, account=rival)["account"][0]
    )
    foreign = make_account(other_workspace, "theirs")
    assert _variant_errors(workspace=workspace, actor=admin, item=item, account=foreign)["account"] == [
        "Not found."
    ]
    variant_services.variant_create(workspace=workspace, actor=admin, item=item, account=wechat)
    assert (
        "already has a variant"
        in _variant_errors(workspace=workspace, actor=admin, item=item, account=wechat)["account"][0]
    )
    # An item that lists no accounts suits any of ours.
    open_item = make_item(workspace, theme, "通用")
    variant_services.variant_create(workspace=workspace, actor=admin, item=open_item, account=weibo)
    assert [a.pk for a in selectors.variant_accounts(workspace=workspace, user=admin, item=open_item)] == [
        wechat.pk
    ]


def test_update_versions_and_conflict(workspace: Any, admin: Any, member: Any, theme: Any) -> None:
    weibo = make_account(workspace, "wb")
    item = make_item(workspace, theme, "预告")
    variant = variant_services.variant_create(
        workspace=workspace, actor=admin, item=item, account=weibo, body="v1"
    )
    stale = ContentVariant.objects.get(pk=variant.pk)
    colleague = member(Role.OPERATOR, username="xiaoli")
    variant_services.variant_update(
        workspace=workspace, actor=colleague, variant=variant, expected_version=1, body="v2"
    )
    assert variant.version == 2
    with pytest.raises(VersionConflict) as exc:
        variant_services.variant_update(
            workspace=workspace, actor=admin, variant=stale, expected_version=1, body="mine"
        )
    assert "changed by xiaoli" in exc.value.message_dict["version"][0]
    assert ContentVariant.objects.get().body == "v2"
    with pytest.raises(ValidationError) as exc:
        variant_services.variant_update(
            workspace=workspace, actor=admin, variant=variant, expected_version=2, account=3
        )
    assert "account" in exc.value.message_dict


def test_writes_need_content_edit(workspace: Any, member: Any, theme: Any) -> None:
    weibo = make_account(workspace, "wb")
    item = make_item(workspace, theme)
    variant = variant_services.variant_create(workspace=workspace, actor=None, item=item, account=weibo)
    reviewer = member(Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        variant_services.variant_update(
            workspace=workspace, actor=reviewer, variant=variant, expected_version=1, body="x"
        )
    with pytest.raises(PermissionDenied):
        variant_services.variant_delete(workspace=workspace, actor=reviewer, variant=variant)
    variant_services.variant_delete(workspace=workspace, actor=member(Role.OPERATOR), variant=variant)
    assert AuditEntry.objects.filter(action="variant.delete").exists()


def test_prefill_weibo_teaser_from_digest_and_link(workspace: Any, admin: Any, theme: Any) -> None:
    wechat = make_account(workspace, "mp", platform="wechat_mp")
    weibo = make_account(workspace, "wb", platform="weibo")
    images = [upload(workspace, image_bytes(200, 200 + i)) for i in range(3)]
    item = make_item(
        workspace,
        theme,
        "秋季新品发布",
        digest="三款新品，一次看个够",
        body="# 正文\n\n很长的文章",
        images=images,
    )
    variant_services.variant_create(
        workspace=workspace, actor=admin, item=item, account=wechat, link_url="https://mp.weixin.qq.com/s/abc"
    )
    fields = selectors.variant_prefill(workspace=workspace, user=admin, item=item, account=weibo)
    assert fields["body"] == "【秋季新品发布】三款新品，一次看个够 https://mp.weixin.qq.com/s/abc"
    assert fields["link_url"] == "https://mp.weixin.qq.com/s/abc" and fields["media"] == images
    variant = variant_services.variant_create(
        workspace=workspace, actor=admin, item=item, account=weibo, **fields
    )
    assert variant.body.startswith("【秋季新品发布】")


def test_prefill_wechat_and_channels(workspace: Any, admin: Any, theme: Any) -> None:
    wechat = make_account(workspace, "mp", platform="wechat_mp")
    channels = make_account(workspace, "ch", platform="channels")
    cover = upload(workspace, image_bytes())
    clip = upload(workspace, mp4_bytes())
    article = make_item(workspace, theme, "深度长文", digest="摘要", body="# 标题\n\n正文", cover=cover)
    fields = selectors.variant_prefill(workspace=workspace, user=admin, item=article, account=wechat)
    assert (fields["title"], fields["digest"], fields["body"], fields["media"]) == (
        "深度长文",
        "摘要",
        "# 标题\n\n正文",
        [cover],
    )
    assert fields["extra"] == {"need_open_comment": True, "only_fans_can_comment": False}
    title = "三分钟带你看懂我们全新一代的智能手表"
    video = make_item(workspace, theme, title, form="video", video=clip, cover=cover, body="")
    fields = selectors.variant_prefill(workspace=workspace, user=admin, item=video, account=channels)
    assert fields["media"] == [clip, cover] and fields["extra"] == {"short_title": title[:15] + "…"}
    variant_services.variant_create(workspace=workspace, actor=admin, item=video, account=channels, **fields)
