"""One flow in Chromium, by clicks from the dashboard: an operator writes a post and places it on
the calendar, submits it, reviewer A approves step 1, reviewer B step 2; the post is then on the
calendar as scheduled and in the publishing queue; "publish now" sends it, and the platform (the
sandbox, as under `make demo`) has received it exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.accounts.services import account_create
from socialops.content.models import ContentItem
from socialops.content.services import themes as theme_services
from socialops.platforms.services.sandbox import sandbox_connect, sandbox_username
from socialops.publishing import engine
from socialops.publishing.models import Publication
from socialops.review.services import chains as chain_services
from socialops.workspaces import services
from socialops.workspaces.roles import Role
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pa55-word-ok"
TITLE = "冬季新品预告"


def _setup(sandbox: Any) -> Any:
    workspace = services.workspace_create(actor=None, name="星曜科技", slug="xy")
    people = {"olivia": Role.OPERATOR, "anna": Role.REVIEWER, "bert": Role.REVIEWER, "boss": Role.ADMIN}
    users = {}
    for name, role in people.items():
        users[name] = services.user_create(actor=None, username=name, password=PASSWORD)
        services.membership_add(workspace=workspace, actor=None, user=users[name], role=role)
    # Two steps for the reviewer role: the chain's default wants a different reviewer on each.
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=users["boss"],
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[
            {"name": "编辑审核", "assignee_role": Role.REVIEWER},
            {"name": "终审", "assignee_role": Role.REVIEWER},
        ],
    )
    theme_services.theme_create(workspace=workspace, actor=None, name="产品介绍")
    account = account_create(
        workspace=workspace, actor=None, handle="xy_weibo", platform="weibo", display_name="星曜科技"
    )
    # Connected to the sandbox platform, as `make demo` connects the demo's accounts.
    sandbox_connect(workspace=workspace, actor=None, account=account, base_url=sandbox.url)
    return workspace


def _as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)
    page.goto(page.base + "/w/xy/")


def _open_menu(page: Any, menu: str, entry: str) -> None:
    page.locator("#mainnav").get_by_role("button", name=menu, exact=True).click()
    page.locator("#mainnav").get_by_role("link", name=entry, exact=True).click()
    page.wait_for_load_state("networkidle")


def test_operator_to_two_reviewers_to_the_calendar_the_queue_and_the_platform(
    page: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    workspace = _setup(sandbox)
    slot = (timezone.localtime(timezone.now(), workspace.tz) + dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )

    # The operator writes the post from the content library.
    _as(page, "olivia")
    _open_menu(page, "内容", "内容库")
    page.get_by_role("link", name="新建内容").click()
    form = page.get_by_test_id("item-form")
    form.locator("select[name=form]").select_option("short_post")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("select[name=theme]").select_option(label="产品介绍")
    form.locator("input[name=evergreen]").check()
    form.locator("textarea[name=body]").fill("冬季新品下周发布，敬请期待。")
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    item = ContentItem.objects.get(title=TITLE)
    assert "草稿" in page.get_by_test_id("review-status").inner_text()

    # …places it on the calendar by hand: a draft there, nothing scheduled yet.
    _open_menu(page, "日历", "发布日历")
    page.locator("main").get_by_role("link", name="人工排期").first.click()
    place = page.get_by_test_id("place-form")
    place.locator("select[name=item]").select_option(str(item.pk))
    place.locator("select[name=account]").select_option(label="星曜科技 (微博)")
    place.locator("input[name=starts_at]").fill(slot.strftime("%Y-%m-%dT%H:%M"))
    place.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    event = page.locator("#plan-calendar .fc-event.plan-event", has_text=TITLE)
    event.wait_for()
    assert "plan-state-draft" in (event.get_attribute("class") or "")
    assert "草稿" in event.inner_text() and "星曜科技 (微博)" in event.inner_text()
    assert not Publication.objects.filter(item=item).exists()

    # …opens it from the calendar and submits it.
    event.click()
    page.get_by_test_id("placement-detail").wait_for(state="visible")
    page.get_by_test_id("detail-item-link").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("review-submit").click()
    page.wait_for_load_state("networkidle")
    assert "审核中" in page.get_by_test_id("review-status").inner_text()

    # Reviewer A finds it on the dashboard's today panel and approves step 1.
    _as(page, "anna")
    page.get_by_test_id("today-review").get_by_role("link", name=TITLE).click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("review-approve").click()
    page.wait_for_load_state("networkidle")
    assert "审核中" in page.get_by_test_id("review-status").inner_text()
    assert not Publication.objects.filter(item=item).exists()

    # Reviewer B approves step 2 from the review queue: the post is scheduled by itself.
    _as(page, "bert")
    page.get_by_test_id("nav-review-queue").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("queue-row").get_by_role("link", name=TITLE).click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("review-approve").click()
    page.wait_for_load_state("networkidle")
    assert "已排期" in page.get_by_test_id("review-status").inner_text()
    assert "已排期" in page.get_by_test_id("item-publications").inner_text()
    pub = Publication.objects.get(item=item)
    assert pub.state == "scheduled" and timezone.localtime(pub.due_at, workspace.tz) == slot

    # From the dashboard: the calendar shows it as scheduled, the queue lists it.
    page.goto(page.base + "/w/xy/")
    _open_menu(page, "日历", "发布日历")
    event = page.locator("#plan-calendar .fc-event.plan-event", has_text=TITLE)
    event.wait_for()
    assert "plan-state-scheduled" in (event.get_attribute("class") or "")
    assert "已排期" in event.inner_text()
    page.get_by_test_id("nav-queue").click()
    page.wait_for_load_state("networkidle")
    row = page.get_by_test_id("queue-row").filter(has_text=TITLE)
    assert row.count() == 1 and "已排期" in row.inner_text() and "星曜科技" in row.inner_text()

    # The operator does not wait two days: from the queue to the item's publications, "publish now".
    _as(page, "olivia")
    page.get_by_test_id("nav-queue").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("queue-row").filter(has_text=TITLE).get_by_role("link", name="尝试次数").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="立即发布").click()
    page.wait_for_load_state("networkidle")
    # The worker's part: the task "publish now" queued runs once (a second run changes nothing).
    pub.refresh_from_db()
    assert engine.run(pub.pk, pub.version) == "published"
    assert engine.run(pub.pk, pub.version) == "skipped"
    page.reload()
    page.wait_for_load_state("networkidle")
    assert "已发布" in page.locator("main").inner_text()
    posts = sandbox_admin.posts(username=sandbox_username(pub.account))["posts"]
    assert len(posts) == 1 and "冬季新品下周发布" in str(posts[0])
    assert page.problems == []
