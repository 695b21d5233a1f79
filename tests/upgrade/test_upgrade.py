"""A database made by an earlier release migrates to the current code with its data intact.

The test database is migrated back to the release's state (config/releases.py), filled with
rows through that release's historical models, migrated forward to the latest migrations, and
read back. Transactional, and migrated forward again whatever happens, so the following tests
find the usual schema.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from socialops.config.releases import RELEASES

SOURCE = Path(__file__).resolve().parents[2] / "src" / "socialops"
WHEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def _targets(release: str) -> list[tuple[str, str]]:
    return sorted(RELEASES[release].items())


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_every_app_with_migrations_is_listed_for_each_release() -> None:
    ours = {
        config.label
        for config in current_apps.get_app_configs()
        if config.name.startswith("socialops.") and (Path(config.path) / "migrations").is_dir()
    }
    for release, apps in RELEASES.items():
        assert set(apps) == ours, release
        for label, name in apps.items():
            config = current_apps.get_app_config(label)
            assert (Path(config.path) / "migrations" / f"{name}.py").is_file(), (release, label, name)


def _write_release_rows(apps: Any) -> dict[str, int]:
    """A workspace with a member, an account, an item placed and published, an audit entry, a fan."""
    User = apps.get_model("auth", "User")
    Workspace = apps.get_model("workspaces", "Workspace")
    Membership = apps.get_model("workspaces", "Membership")
    AuditEntry = apps.get_model("workspaces", "AuditEntry")
    SocialAccount = apps.get_model("accounts", "SocialAccount")
    Theme = apps.get_model("content", "Theme")
    ContentItem = apps.get_model("content", "ContentItem")
    Placement = apps.get_model("content", "Placement")
    Publication = apps.get_model("publishing", "Publication")
    Person = apps.get_model("fans", "Person")
    Fan = apps.get_model("fans", "Fan")

    user = User.objects.create(username="laowang", email="wang@example.com", password="!")
    ws = Workspace.objects.create(
        name="老字号食品", slug="laozihao", timezone="Asia/Shanghai", locale="zh-hans"
    )
    Membership.objects.create(workspace=ws, user=user, role="admin", is_subject_expert=True)
    account = SocialAccount.objects.create(
        workspace=ws,
        platform="weibo",
        handle="laozihao",
        display_name="老字号官方微博",
        positioning="传统糕点",
    )
    theme = Theme.objects.create(workspace=ws, name="节日营销", color="#aa3300")
    item = ContentItem.objects.create(
        workspace=ws,
        title="中秋月饼礼盒上市",
        form="short_post",
        theme=theme,
        owner=user,
        status="approved",
        body="今年的**五仁月饼**回来了。",
        calendar_links=["festival:mid_autumn:2026"],
    )
    item.accounts.add(account)
    placement = Placement.objects.create(
        workspace=ws, account=account, item=item, starts_at=WHEN, locked=True
    )
    publication = Publication.objects.create(
        workspace=ws,
        item=item,
        account=account,
        placement=placement,
        due_at=WHEN,
        state="published",
        idempotency_key="release-0-1-0-key",
        external_id="4890001",
        url="https://weibo.com/laozihao/4890001",
        published_at=WHEN,
        attempts=1,
    )
    audit = AuditEntry.objects.create(
        workspace=ws,
        actor=user,
        actor_name="laowang",
        action="publication.publish",
        object_type="publishing.publication",
        object_id=str(publication.pk),
        object_repr="中秋月饼礼盒上市",
        after={"state": "published"},
    )
    person = Person.objects.create(
        workspace=ws, display_name="月饼爱好者", union_id="union-1", orders_count=3
    )
    fan = Fan.objects.create(
        workspace=ws,
        account=account,
        person=person,
        external_id="uid-77",
        handle="mooncake_fan",
        is_following=True,
    )
    return {
        "user": user.pk,
        "workspace": ws.pk,
        "account": account.pk,
        "item": item.pk,
        "placement": placement.pk,
        "publication": publication.pk,
        "audit": audit.pk,
        "person": person.pk,
        "fan": fan.pk,
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("release", sorted(RELEASES))
def test_release_database_migrates_with_its_data(release: str) -> None:
    targets = _targets(release)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        executor.loader.build_graph()
        ids = _write_release_rows(executor.loader.project_state(targets).apps)

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        fresh = MigrationExecutor(connection)  # reads what is applied now
        assert not fresh.migration_plan(fresh.loader.graph.leaf_nodes())
    finally:
        _migrate_to_latest()

    # Read back with today's models.
    from django.contrib.auth.models import User

    from socialops.accounts.models import SocialAccount
    from socialops.content.models import ContentItem, Placement
    from socialops.fans.models import Fan
    from socialops.publishing.models import Publication
    from socialops.workspaces.models import AuditEntry, Membership, Workspace

    ws = Workspace.objects.get(pk=ids["workspace"])
    assert (ws.name, ws.slug, ws.timezone, ws.locale) == (
        "老字号食品",
        "laozihao",
        "Asia/Shanghai",
        "zh-hans",
    )
    membership = Membership.objects.get(workspace=ws, user_id=ids["user"])
    assert (membership.role, membership.is_subject_expert) == ("admin", True)
    assert User.objects.get(pk=ids["user"]).username == "laowang"
    account = SocialAccount.objects.get(pk=ids["account"])
    assert (account.workspace_id, account.platform, account.handle, account.display_name) == (
        ws.pk,
        "weibo",
        "laozihao",
        "老字号官方微博",
    )
    item = ContentItem.objects.get(pk=ids["item"])
    assert (item.title, item.form, item.status, item.theme.name, item.body) == (
        "中秋月饼礼盒上市",
        "short_post",
        "approved",
        "节日营销",
        "今年的**五仁月饼**回来了。",
    )
    assert item.calendar_links == ["festival:mid_autumn:2026"]
    assert list(item.accounts.values_list("pk", flat=True)) == [account.pk]
    placement = Placement.objects.get(pk=ids["placement"])
    assert (placement.item_id, placement.account_id, placement.starts_at, placement.locked) == (
        item.pk,
        account.pk,
        WHEN,
        True,
    )
    publication = Publication.objects.get(pk=ids["publication"])
    assert (
        publication.item_id,
        publication.placement_id,
        publication.state,
        publication.idempotency_key,
        publication.external_id,
        publication.published_at,
    ) == (item.pk, placement.pk, "published", "release-0-1-0-key", "4890001", WHEN)
    audit = AuditEntry.objects.get(pk=ids["audit"])
    assert (audit.workspace_id, audit.actor_id, audit.action, audit.object_id, audit.after) == (
        ws.pk,
        ids["user"],
        "publication.publish",
        str(publication.pk),
        {"state": "published"},
    )
    fan = Fan.objects.select_related("person").get(pk=ids["fan"])
    assert (
        fan.person_id,
        fan.person.display_name,
        fan.person.orders_count,
        fan.external_id,
        fan.is_following,
    ) == (
        ids["person"],
        "月饼爱好者",
        3,
        "uid-77",
        True,
    )
