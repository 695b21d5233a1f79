"""The analyst role reads and never writes: every page URL that takes a POST refuses it and changes nothing.

Walks every URL under /w/<slug>/ of the demo workspace (all apps, from the URL resolver), filling
each id in the path with real rows of the kind its name says, and POSTs to it as the analyst.

Every page goes through ``workspace_view``, which makes a view say what a POST needs: a page that
declares no permission for writes is for reading and answers 405; one that does answers the
analyst 403 before the view runs. The few writes every member may make on their own things
(``write=EVERY_MEMBER``) are listed below by name, with the tables they may touch. Any other write
would show in a table's fingerprint (rows, largest key, latest times) or as a new audit entry.

Outside /w/ the pages are not about a workspace role (login, password, language, the signed
webhooks) and are covered by their own tests.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, Max, Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from socialops.content.models import ContentItem
from socialops.demo.seed import demo_seed
from socialops.review.models import Notification, NotificationKind
from socialops.review.services import terms as term_services
from socialops.review.services.notifications import notify
from socialops.workspaces.decorators import EVERY_MEMBER
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Path parameters whose name is not the end of their model's class name.
PARAM_MODELS = {"member_id": ["Membership"]}

AUDIT = "workspaces.AuditEntry"
# The views that let every member POST, each with the tables such a POST may change: the member's
# own notices, or nothing at all. A new entry here is a decision to review, not a formality.
EVERY_MEMBER_POSTS: dict[str, set[str]] = {
    "socialops.review.views.checks.checks_live": set(),  # the live check: findings shown, not stored
    "socialops.review.views.checks.checks_try": set(),  # its form without script: the page again
    "socialops.review.views.workflow.notification_read": {"review.Notification", AUDIT},
    "socialops.review.views.workflow.notifications_read_all": {"review.Notification", AUDIT},
    "socialops.publishing.views.publishing_alert_read": {"publishing.PublishingAlert", AUDIT},
    "socialops.publishing.views.publishing_alerts_read_all": {"publishing.PublishingAlert", AUDIT},
    "socialops.engagement.views.inbox.alerts_read": {"engagement.InboxAlert", AUDIT},
    # One's own ticket alerts marked read (the service touches only the caller's unread alerts).
    "socialops.community.views.tickets.ticket_alerts_read": {"community.TicketAlert", AUDIT},
}


def _workspace_urls() -> list[tuple[str, Any]]:
    """(path template, view) of every URL under w/<slug>/."""
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                full = prefix + str(pattern.pattern)
                if full.startswith("w/<slug:slug>/"):
                    found.append((full, pattern))

    walk(get_resolver().url_patterns, "")
    return found


def _our_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("socialops.")]


def _candidate_ids(name: str, workspace: Workspace) -> list[str]:
    """Real ids for a path parameter: the first rows of every model its name points to."""
    if name == "number":
        return ["1"]
    stem = name.removesuffix("_id").replace("_", "")
    wanted = PARAM_MODELS.get(name)
    ids: list[str] = []
    for model in _our_models():
        if wanted is not None and model.__name__ not in wanted:
            continue
        if wanted is None and not model.__name__.lower().endswith(stem):
            continue
        rows = model._default_manager.all()
        if any(f.name == "workspace" for f in model._meta.fields):
            rows = rows.filter(workspace=workspace)
        ids += [str(pk) for pk in rows.order_by("pk").values_list("pk", flat=True)[:2]]
    return ids or ["1"]


def _fingerprint() -> dict[str, Any]:
    """Per table: row count, largest primary key and latest time of every date-time column.

    A new row grows the count or the key (a replaced row too); a write to an existing row moves
    one of its times (updated_at, checked_at, read_at …) or leaves an audit entry.
    """
    out: dict[str, Any] = {}
    for model in _our_models():
        times = [f.name for f in model._meta.fields if isinstance(f, DateTimeField)]
        aggregates = {"pk": Max("pk"), **{name: Max(name) for name in times}}
        out[model._meta.label] = (
            model._default_manager.count(),
            model._default_manager.aggregate(**aggregates),
        )
    return out


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {label for label in after if before.get(label) != after[label]}


def _fill(template: str, values: dict[str, str]) -> str:
    return "/" + PARAM.sub(lambda m: values[m.group(2)], template)


def _seed_extra(workspace: Workspace, analyst: Any) -> None:
    """Rows the demo lacks, so every kind of id in a path has a real one: check lists, a notice."""
    term_services.adlaw_entry_create(workspace=workspace, actor=None, kind="extra", term="神品")
    terms = term_services.sensitive_list_create(workspace=workspace, actor=None, name="竞品", severity="warn")
    term_services.sensitive_term_create(workspace=workspace, actor=None, sensitive_list=terms, term="某品牌")
    term_services.brand_term_create(workspace=workspace, actor=None, preferred="星曜 X1 Pro")
    term_services.banned_term_create(workspace=workspace, actor=None, term="绝绝子")
    admin = get_user_model().objects.get(memberships__workspace=workspace, memberships__role=Role.ADMIN)
    item = ContentItem.objects.filter(workspace=workspace).order_by("pk").first()
    assert item is not None
    notify(workspace, admin, item, [analyst.pk], NotificationKind.COMMENTED, "看一下")


def test_every_post_as_analyst_is_refused_and_changes_nothing() -> None:
    demo_seed()
    workspace = Workspace.objects.get(slug="demo")
    analyst = get_user_model().objects.get(memberships__workspace=workspace, memberships__role=Role.ANALYST)
    assert Membership.objects.get(workspace=workspace, user=analyst).role == Role.ANALYST
    _seed_extra(workspace, analyst)
    client = Client()
    client.force_login(analyst)

    posted = refused = read_only = 0
    every_member_seen: set[str] = set()
    for template, pattern in _workspace_urls():
        access = getattr(pattern.callback, "workspace_access", None)
        assert access is not None, f"{template} ({pattern.lookup_str}) does not go through workspace_view"
        every_member = EVERY_MEMBER in access["write"]
        if every_member:
            assert pattern.lookup_str in EVERY_MEMBER_POSTS, (
                f"{pattern.lookup_str} lets every member POST: review it and list it in EVERY_MEMBER_POSTS"
            )
            every_member_seen.add(pattern.lookup_str)
        takes_writes = access["perm"] is not None or bool(access["write"])

        names = [m.group(2) for m in PARAM.finditer(template) if m.group(2) != "slug"]
        choices = []
        for name in names:
            if name == "date":
                choices.append(["2026-10-01"])
            elif name == "preset":
                choices.append(["facebook-page-export"])
            else:
                choices.append(_candidate_ids(name, workspace))
        for combo in itertools.product(*choices):
            url = _fill(template, {"slug": workspace.slug, **dict(zip(names, combo, strict=True))})
            # Reading first: a page may create what it shows on first use (the default approval
            # chain), which is the system's doing, not the reader's.
            client.get(url)
            before = _fingerprint()
            response = client.post(url, data={"confirm": "1"})
            posted += 1
            changed = _changed(before, _fingerprint())
            status = response.status_code
            if every_member:
                assert status < 500, f"POST {url} → {status}"
                allowed = EVERY_MEMBER_POSTS[pattern.lookup_str]
                assert changed <= allowed, f"POST {url} as analyst changed {sorted(changed - allowed)}"
                continue
            if takes_writes:
                assert status == 403, f"POST {url} as analyst → {status}, expected 403"
                refused += 1
            else:
                assert status == 405, f"POST {url} to a page for reading → {status}, expected 405"
                read_only += 1
            assert not changed, f"POST {url} as analyst changed {sorted(changed)} ({status})"
    assert every_member_seen == set(EVERY_MEMBER_POSTS), set(EVERY_MEMBER_POSTS) - every_member_seen
    assert posted > 150 and refused > 100 and read_only > 40, (posted, refused, read_only)


def test_every_member_writes_work_for_the_analyst(
    workspace: Workspace, admin: Any, analyst: Any, web: Any
) -> None:
    """The analyst may still mark their own notifications read (the one write the role keeps)."""
    item = factories.make_item(workspace, body="新品预告")
    notify(workspace, admin, item, [analyst.pk], NotificationKind.COMMENTED, "看一下")
    response = web(analyst).post(f"/w/{workspace.slug}/review/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(workspace=workspace, user=analyst, read_at__isnull=True).exists()


def test_a_page_for_reading_answers_405_to_a_post_for_every_role(
    workspace: Workspace, admin: Any, web: Any
) -> None:
    response = web(admin).post(f"/w/{workspace.slug}/content/", data={"title": "x"})
    assert response.status_code == 405
