"""A person who found a failed or unknown publication on the platform marks it published: it is
recorded as out, its item moves on, and it is never sent again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from socialops.publishing import engine
from socialops.publishing.models import Publication
from socialops.publishing.services import publication_mark_published
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import approved_item, connect, make_account, make_publication

pytestmark = pytest.mark.django_db


def _stuck(workspace: Any, state: str = "failed", title: str = "新品发布") -> Publication:
    account = make_account(workspace, handle=f"acct_{title}", platform="mastodon")
    connect(account, "manual")
    pub = make_publication(workspace, approved_item(workspace, title), account)
    Publication.objects.filter(pk=pub.pk).update(state=state, last_error="no answer from the platform")
    pub.refresh_from_db()
    return pub


@pytest.mark.parametrize("state", ["failed", "unknown"])
def test_marked_published_is_out_and_never_sent_again(workspace: Any, member: Any, state: str) -> None:
    editor = member(Role.OPERATOR)
    pub = _stuck(workspace, state)
    version = pub.version

    publication_mark_published(
        workspace=workspace, actor=editor, publication=pub, url="https://mastodon.example/@shop/1"
    )

    pub.refresh_from_db()
    assert (pub.state, pub.url, pub.last_error) == ("published", "https://mastodon.example/@shop/1", "")
    assert pub.version == version + 1 and pub.published_at is not None
    assert pub.item.status == "published"
    assert AuditEntry.objects.filter(action="publishing.mark_published", actor=editor).count() == 1
    # A task queued before the mark carries the old version: it does nothing.
    assert engine.run(pub.pk, version) == "skipped"
    assert engine.run(pub.pk, None) == "skipped"  # nor does the sweeper: it is out
    pub.refresh_from_db()
    assert pub.state == "published" and pub.attempts == 0


def test_only_failed_or_unknown_and_a_bad_url_are_refused(workspace: Any, member: Any) -> None:
    editor = member(Role.OPERATOR)
    scheduled = make_publication(
        workspace,
        approved_item(workspace, "排期中"),
        make_account(workspace, handle="s", platform="mastodon"),
    )
    with pytest.raises(ValidationError) as caught:
        publication_mark_published(workspace=workspace, actor=editor, publication=scheduled)
    assert "state" in caught.value.message_dict
    failed = _stuck(workspace, "failed", "失败的")
    with pytest.raises(ValidationError) as caught:
        publication_mark_published(
            workspace=workspace, actor=editor, publication=failed, url="javascript:alert(1)"
        )
    assert "url" in caught.value.message_dict
    failed.refresh_from_db()
    assert failed.state == "failed"


def test_api_and_page_four_cases(
    workspace: Any, other_workspace: Any, member: Any, api: Any, web: Any
) -> None:
    editor, analyst = member(Role.OPERATOR), member(Role.ANALYST)
    member(Role.OPERATOR, ws=other_workspace)
    pub, other = _stuck(workspace, "unknown", "一"), _stuck(other_workspace, "unknown", "二")
    base = "/api/v1/workspaces"
    res = assert_four_cases(
        api, "POST", f"{base}/acme/publications/{pub.pk}/mark-published",
        f"{base}/acme/publications/{other.pk}/mark-published", permitted=editor, denied=analyst,
        data={"url": "https://mastodon.example/@shop/2"},
    )  # fmt: skip
    assert res.json()["state"] == "published"
    page_pub = _stuck(workspace, "failed", "三")
    assert_four_cases(
        web, "POST", f"/w/acme/publications/{page_pub.pk}/mark-published/",
        f"/w/acme/publications/{other.pk}/mark-published/", permitted=editor, denied=analyst, ok=(302,),
    )  # fmt: skip
    page_pub.refresh_from_db()
    assert page_pub.state == "published"
    page = web(editor).get(f"/w/acme/content/{_stuck(workspace, 'failed', '四').item_id}/publications/")
    assert 'data-testid="mark-published"' in page.content.decode()
