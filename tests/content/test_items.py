"""Content items: each form's rules, deadlines, links, assets, versions and conflicts, the backlog."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from socialops.content.models import ContentItem
from socialops.content.selectors import items as selectors
from socialops.content.services import items as services
from socialops.content.services import variants as variant_services
from socialops.content.services.common import VersionConflict
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import image_bytes, make_account, make_item, make_theme, mp4_bytes, tomorrow, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _errors(**kwargs: Any) -> dict[str, list[str]]:
    """The field errors of creating an evergreen item titled "标题" (the service under test)."""
    fields: dict[str, Any] = {"title": "标题", "form": "article", "evergreen": True, **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.content_item_create(**fields)
    return exc.value.message_dict


def test_article_needs_title_and_body(workspace: Any, admin: Any, theme: Any) -> None:
    errors = _errors(workspace=workspace, actor=admin, theme=theme, title="", body="")
    assert errors["title"] == ["This field is required."]
    assert errors["body"] == ["An article needs a body (Markdown)."]
    item = make_item(
        workspace, theme, actor=admin, title="新品发布会", body="# 发布会\n\n**好消息**", digest="摘要"
    )
    assert (item.form, item.version, item.owner, item.created_by) == ("article", 1, admin, admin)
    entry = AuditEntry.objects.get(action="content_item.create")
    assert entry.actor == admin and entry.after["title"] == "新品发布会" and entry.after["images"] == []


def test_short_post_rules_and_title_from_body(workspace: Any, admin: Any, theme: Any) -> None:
    assert _errors(workspace=workspace, actor=admin, theme=theme, form="short_post", title="x", body="")[
        "body"
    ] == ["A short post needs its text."]
    images = [upload(workspace, image_bytes(200 + i, 200)) for i in range(10)]
    errors = _errors(
        workspace=workspace, actor=admin, theme=theme, form="short_post", body="九宫格", images=images
    )
    assert errors["images"] == ["A short post has at most 9 images (this has 10)."]
    chosen = [images[3], images[0], images[7]]
    item = make_item(
        workspace,
        theme,
        actor=admin,
        form="short_post",
        title="",
        body="今天发布了新品，快来看看吧！这是第一行很长很长的文字内容啊啊啊\n第二行",
        images=chosen,
    )
    assert item.title == "今天发布了新品，快来看看吧！这是第一行很长很长的文字内容啊啊…"
    # Images keep the order the writer chose.
    assert selectors.ordered_images(item) == chosen


def test_video_needs_a_video_asset(workspace: Any, other_workspace: Any, admin: Any, theme: Any) -> None:
    assert _errors(workspace=workspace, actor=admin, theme=theme, form="video")["video"] == [
        "A video item needs a video file from the media library."
    ]
    picture = upload(workspace, image_bytes(), "封面.png")
    errors = _errors(workspace=workspace, actor=admin, theme=theme, form="video", video=picture)
    assert errors["video"] == ["“封面.png” is not a video."]
    foreign = upload(other_workspace, mp4_bytes())
    errors = _errors(workspace=workspace, actor=admin, theme=theme, form="video", video=foreign.pk)
    assert "Not found in this workspace's media library" in errors["video"][0]
    assert (
        "At most 200 characters"
        in _errors(
            workspace=workspace,
            actor=admin,
            theme=theme,
            form="video",
            title="长" * 201,
            video=upload(workspace, mp4_bytes()),
        )["title"][0]
    )
    clip = upload(workspace, mp4_bytes(seconds=30))
    item = make_item(
        workspace, theme, actor=admin, form="video", video=clip.pk, cover=picture, body="视频简介"
    )
    assert item.video == clip and item.cover == picture


def test_cover_must_be_an_image(workspace: Any, admin: Any, theme: Any) -> None:
    clip = upload(workspace, mp4_bytes(), "clip.mp4")
    assert _errors(workspace=workspace, actor=admin, theme=theme, body="x", cover=clip)["cover"] == [
        "“clip.mp4” is not an image."
    ]


@time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_live_needs_future_start_host_and_outline(workspace: Any, admin: Any, theme: Any) -> None:
    errors = _errors(workspace=workspace, actor=admin, theme=theme, form="live")
    assert errors["live_starts_at"] == ["A live stream needs its start time."]
    assert errors["live_host"] == ["A live stream needs a host."]
    assert "topic outline" in errors["live_outline"][0]
    past = dt.datetime(2026, 2, 28, 20, 0, tzinfo=dt.UTC)
    assert _errors(
        workspace=workspace,
        actor=admin,
        theme=theme,
        form="live",
        live_starts_at=past,
        live_host="小李",
        live_outline="1. 开场",
    )["live_starts_at"] == ["The live stream must start in the future."]
    # A time without a zone is the workspace's (Asia/Shanghai) local time.
    item = make_item(
        workspace,
        theme,
        actor=admin,
        form="live",
        live_starts_at=dt.datetime(2026, 3, 5, 20, 0),
        live_host="小李",
        live_outline="1. 开场\n2. 新品讲解\n3. 抽奖",
        body="",
    )
    assert item.live_starts_at == dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)
    # Once it has happened, the outline can still be edited without moving the time.
    with time_machine.travel(dt.datetime(2026, 3, 6, tzinfo=dt.UTC), tick=False):
        services.content_item_update(
            workspace=workspace, actor=admin, item=item, expected_version=1, live_outline="复盘：观看 3 万"
        )


def test_qa_needs_the_question(workspace: Any, admin: Any, theme: Any) -> None:
    assert _errors(workspace=workspace, actor=admin, theme=theme, form="qa", body="")["body"] == [
        "Write the question the Q&A is about."
    ]
    item = make_item(workspace, theme, actor=admin, form="qa", title="", body="你最想要的新功能是什么？")
    assert item.title == "你最想要的新功能是什么？"


def test_fields_of_another_form_are_refused(workspace: Any, admin: Any, theme: Any) -> None:
    clip = upload(workspace, mp4_bytes())
    errors = _errors(workspace=workspace, actor=admin, theme=theme, body="x", video=clip, live_host="小李")
    assert errors["video"] == ["Not used by the form “Image-text article”; leave it empty."]
    assert "live_host" in errors


def test_deadline_or_evergreen(workspace: Any, admin: Any, theme: Any) -> None:
    errors = _errors(workspace=workspace, actor=admin, theme=theme, body="x", evergreen=False)
    assert errors["deadline"] == ["Give a deadline, or mark the item evergreen."]
    errors = _errors(
        workspace=workspace, actor=admin, theme=theme, body="x", evergreen=True, deadline=tomorrow()
    )
    assert errors["deadline"] == ["An evergreen item has no deadline: clear one of the two."]
    assert (
        make_item(workspace, theme, actor=admin, body="x", evergreen=False, deadline=tomorrow()).deadline
        == tomorrow()
    )


def test_theme_owner_accounts_importance_checked(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, make_user: Any, theme: Any
) -> None:
    foreign_theme = make_theme(other_workspace, "别人的")
    rival = make_account(workspace, "rival", display_name="对手", is_competitor=True)
    errors = _errors(
        workspace=workspace,
        actor=admin,
        theme=foreign_theme,
        body="x",
        owner=make_user(),
        accounts=[rival],
        importance="critical",
    )
    assert errors["theme"] == ["Unknown theme."]
    assert errors["owner"] == ["The owner must be a member of this workspace."]
    assert errors["accounts"] == ["Competitors' accounts cannot carry our content: 对手."]
    assert "Unknown importance: critical" in errors["importance"][0]
    assert _errors(workspace=workspace, actor=admin, theme=None, body="x")["theme"] == [
        "Choose one of this workspace's themes."
    ]
    writer = member(Role.OPERATOR)
    ours = make_account(workspace, "ours")
    item = make_item(
        workspace, theme.pk, actor=admin, body="x", owner=writer.pk, accounts=[ours.pk], importance="urgent"
    )
    assert item.owner == writer and list(item.accounts.all()) == [ours] and item.importance == "urgent"


def test_calendar_links_format_and_resolution(workspace: Any, admin: Any, theme: Any) -> None:
    errors = _errors(workspace=workspace, actor=admin, theme=theme, body="x", calendar_links=["中秋"])
    assert "is not a calendar link" in errors["calendar_links"][0]
    errors = _errors(
        workspace=workspace, actor=admin, theme=theme, body="x", calendar_links=["festival:no_such:2026"]
    )
    assert errors["calendar_links"] == [
        "“festival:no_such:2026” is not on this workspace's marketing calendar."
    ]
    errors = _errors(workspace=workspace, actor=admin, theme=theme, body="x", calendar_links=["entry:999"])
    assert "entry:999" in errors["calendar_links"][0]
    item = make_item(
        workspace,
        theme,
        actor=admin,
        body="x",
        calendar_links=["festival:mid_autumn:2026", "commerce:double11:2026", "festival:mid_autumn:2026"],
    )
    assert item.calendar_links == ["festival:mid_autumn:2026", "commerce:double11:2026"]


def test_writes_need_content_edit(workspace: Any, member: Any, theme: Any) -> None:
    item = make_item(workspace, theme)
    for role in (Role.ANALYST, Role.REVIEWER, Role.COMMUNITY):
        user = member(role)
        with pytest.raises(PermissionDenied):
            make_item(workspace, theme, actor=user, body="x")
        with pytest.raises(PermissionDenied):
            services.content_item_update(
                workspace=workspace, actor=user, item=item, expected_version=1, title="y"
            )
        with pytest.raises(PermissionDenied):
            services.content_item_delete(workspace=workspace, actor=user, item=item)


def test_update_bumps_version_and_audits_the_diff(workspace: Any, admin: Any, theme: Any) -> None:
    item = make_item(workspace, theme, "初稿")
    services.content_item_update(
        workspace=workspace, actor=admin, item=item, expected_version=1, title="二稿"
    )
    assert item.version == 2 and ContentItem.objects.get().title == "二稿"
    entry = AuditEntry.objects.get(action="content_item.update")
    assert entry.before == {"title": "初稿", "version": 1} and entry.after == {"title": "二稿", "version": 2}
    # Saving what is already stored changes nothing, not even the version.
    services.content_item_update(
        workspace=workspace, actor=admin, item=item, expected_version=2, title="二稿"
    )
    assert ContentItem.objects.get().version == 2


def test_stale_version_refused_with_who_and_when(workspace: Any, admin: Any, member: Any, theme: Any) -> None:
    colleague = member(Role.OPERATOR, username="xiaowang")
    item = make_item(workspace, theme, "双11 预热")
    mine = ContentItem.objects.get(pk=item.pk)
    with time_machine.travel(dt.datetime(2026, 10, 20, 2, 30, tzinfo=dt.UTC), tick=False):
        services.content_item_update(
            workspace=workspace, actor=colleague, item=item, expected_version=1, body="同事的改动"
        )
    with pytest.raises(VersionConflict) as exc:
        services.content_item_update(
            workspace=workspace, actor=admin, item=mine, expected_version=1, body="我的改动"
        )
    message = exc.value.message_dict["version"][0]
    # 02:30 UTC is 10:30 in the workspace's Asia/Shanghai.
    assert "“双11 预热” was changed by xiaowang at 2026-10-20 10:30 since you opened it" in message
    assert "version 1" in message and "version 2" in message
    stored = ContentItem.objects.get()
    assert stored.body == "同事的改动" and stored.version == 2
    with pytest.raises(VersionConflict) as exc:
        services.content_item_update(
            workspace=workspace, actor=colleague, item=mine, expected_version=1, body="再改"
        )
    assert "changed by you (in another window)" in exc.value.message_dict["version"][0]
    with pytest.raises(ValidationError) as exc:
        services.content_item_update(
            workspace=workspace, actor=admin, item=mine, expected_version=None, body="x"
        )  # type: ignore[arg-type]
    assert "version" in exc.value.message_dict


def test_changing_the_form_drops_the_old_forms_fields(workspace: Any, admin: Any, theme: Any) -> None:
    images = [upload(workspace, image_bytes(300, 300 + i)) for i in range(2)]
    item = make_item(workspace, theme, actor=admin, form="short_post", body="图集", images=images)
    clip = upload(workspace, mp4_bytes())
    services.content_item_update(
        workspace=workspace, actor=admin, item=item, expected_version=1, form="video", video=clip
    )
    item.refresh_from_db()
    assert item.form == "video" and item.images.count() == 0 and item.video == clip
    # Naming a field the new form does not use is an error, not silently dropped.
    with pytest.raises(ValidationError) as exc:
        services.content_item_update(
            workspace=workspace,
            actor=admin,
            item=item,
            expected_version=2,
            form="qa",
            video=clip,
            body="问题？",
        )
    assert exc.value.message_dict == {"video": ["Not used by the form “Interactive Q&A”; leave it empty."]}
    item.refresh_from_db()
    assert (item.form, item.version) == ("video", 2)
    # Switching back to a form with images, the writer picks them again.
    services.content_item_update(
        workspace=workspace,
        actor=admin,
        item=item,
        expected_version=2,
        form="article",
        images=images[::-1],
        body="x",
    )
    assert selectors.ordered_images(item) == images[::-1] and item.video is None


def test_failed_update_changes_nothing(workspace: Any, admin: Any, theme: Any) -> None:
    item = make_item(workspace, theme, "原标题")
    with pytest.raises(ValidationError):
        services.content_item_update(
            workspace=workspace, actor=admin, item=item, expected_version=1, title="", body=""
        )
    stored = ContentItem.objects.get()
    assert (stored.title, stored.version) == ("原标题", 1)
    assert not AuditEntry.objects.filter(action="content_item.update").exists()


def test_delete_keeps_variants_in_the_log(workspace: Any, admin: Any, theme: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    item = make_item(workspace, theme, "待删")
    variant_services.variant_create(workspace=workspace, actor=admin, item=item, account=account, body="预告")
    services.content_item_delete(workspace=workspace, actor=admin, item=item)
    assert not ContentItem.objects.exists()
    entry = AuditEntry.objects.get(action="content_item.delete")
    assert entry.before["title"] == "待删" and entry.before["variants"][0]["body"] == "预告"


def test_list_filters(workspace: Any, admin: Any, member: Any, theme: Any) -> None:
    other_theme = make_theme(workspace, "用户故事")
    account = make_account(workspace, "acme")
    a = make_item(workspace, theme, "新品发布", importance="urgent", accounts=[account])
    b = make_item(workspace, other_theme, "客户案例", body="张女士的故事")
    c = make_item(workspace, theme, "直播预告", form="qa", body="问大家")
    reader = member(Role.ANALYST)

    def titles(**kw: Any) -> set[str]:
        return {i.title for i in selectors.content_item_list(workspace=workspace, user=reader, **kw)}

    assert titles() == {a.title, b.title, c.title}
    assert titles(theme=other_theme.pk) == {"客户案例"}
    assert titles(form="qa") == {"直播预告"}
    assert titles(importance="urgent") == {"新品发布"}
    assert titles(account=account.pk) == {"新品发布"}
    assert titles(q="张女士") == {"客户案例"}
    assert titles(status="published") == set()


def test_backlog_for_system(workspace: Any, admin: Any, theme: Any) -> None:
    weibo = make_account(workspace, "weibo")
    wechat = make_account(workspace, "wechat", platform="wechat_mp")
    start, end = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
    evergreen = make_item(workspace, theme, "常青")
    due_in = make_item(workspace, theme, "五月截止", deadline=dt.date(2026, 5, 10))
    due_after = make_item(workspace, theme, "六月截止", deadline=dt.date(2026, 6, 10), importance="urgent")
    make_item(workspace, theme, "四月已过", deadline=dt.date(2026, 4, 30))
    make_item(workspace, theme, "只给公众号", accounts=[wechat])
    for_weibo = make_item(workspace, theme, "只给微博", accounts=[weibo], importance="important")
    published = make_item(workspace, theme, "已发")
    ContentItem.objects.filter(pk=published.pk).update(status="published")
    with time_machine.travel(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), tick=False):
        live_in, _july = (
            make_item(
                workspace,
                theme,
                title,
                form="live",
                live_starts_at=starts,
                live_host="小李",
                live_outline="大纲",
                body="",
            )
            for title, starts in (
                ("五月直播", dt.datetime(2026, 5, 20, 20, 0)),
                ("七月直播", dt.datetime(2026, 7, 1, 20, 0)),
            )
        )
    backlog = list(selectors.backlog_for_system(workspace=workspace, accounts=[weibo], start=start, end=end))
    # Urgent first, then important, then by deadline (evergreen last).
    assert [i.title for i in backlog] == ["六月截止", "只给微博", "五月截止", evergreen.title, live_in.title]
    assert due_in in backlog and due_after in backlog and for_weibo in backlog
    both = selectors.backlog_for_system(workspace=workspace, accounts=[weibo, wechat], start=start, end=end)
    assert "只给公众号" in {i.title for i in both} and len(both) == len(set(both))


def test_item_get_is_404_for_another_workspace(
    workspace: Any, other_workspace: Any, admin: Any, theme: Any
) -> None:
    from django.http import Http404

    foreign = make_item(other_workspace, make_theme(other_workspace))
    with pytest.raises(Http404):
        selectors.content_item_get(workspace=workspace, user=admin, item_id=foreign.pk)
    assert timezone.now()  # the selector never leaks another workspace's item
