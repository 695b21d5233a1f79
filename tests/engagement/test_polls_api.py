"""Polls over the API: the four permission cases of every endpoint, and what each answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.engagement.models.polls import Poll
from socialops.engagement.services import polls as svc
from tests.access import assert_four_cases
from tests.engagement.poll_support import answers
from tests.factories import make_account, make_poll

pytestmark = pytest.mark.django_db


def url(path: str, slug: str = "acme") -> str:
    return f"/api/v1/workspaces/{slug}/polls{path}"


@pytest.fixture
def pair(workspace: Any, other_workspace: Any) -> dict[str, Poll]:
    mine = make_poll(workspace)
    svc.response_submit(poll=mine, answers=answers(mine, text="包装很好看"), device_token="d-1")
    return {"mine": mine, "theirs": make_poll(other_workspace, title="别人的")}


def test_list_and_detail(api: Any, pair: dict[str, Poll], analyst: Any) -> None:
    listed = assert_four_cases(api, "GET", url(""), url("", "other"), permitted=analyst, denied=None).json()
    assert listed["count"] == 1 and listed["items"][0]["responses"] == 1
    mine, theirs = pair["mine"], pair["theirs"]
    detail = assert_four_cases(
        api, "GET", url(f"/{mine.pk}"), url(f"/{theirs.pk}"), permitted=analyst, denied=None
    ).json()
    assert detail["status"] == "open" and detail["public_path"] == f"/p/polls/{mine.token}/"


def test_create_patch_delete(
    api: Any, workspace: Any, pair: dict[str, Poll], operator: Any, analyst: Any
) -> None:
    account = make_account(workspace, "acme_mp", "mastodon")
    created = assert_four_cases(
        api,
        "POST",
        url(""),
        url("", "other"),
        permitted=operator,
        denied=analyst,
        data={"title": "会员日调查", "keyword_account_id": account.pk, "opens_at": "2026-12-01T10:00"},
        ok=(201,),
    ).json()
    assert created["status"] == "draft" and created["keyword_account_id"] == account.pk
    poll_id, theirs = created["id"], pair["theirs"].pk
    patched = assert_four_cases(
        api,
        "PATCH",
        url(f"/{poll_id}"),
        url(f"/{theirs}"),
        permitted=operator,
        denied=analyst,
        data={"title": "会员日问卷"},
    ).json()
    assert patched["title"] == "会员日问卷"
    refused = api(operator).patch(
        url(f"/{poll_id}"), json.dumps({"status": "open"}), content_type="application/json"
    )
    assert refused.status_code == 400 and "status" in refused.json()["errors"]
    bad = api(operator).post(
        url(""), json.dumps({"title": "x", "campaign_id": 999}), content_type="application/json"
    )
    assert bad.status_code == 400 and "campaign_id" in bad.json()["errors"]
    assert_four_cases(
        api, "DELETE", url(f"/{poll_id}"), url(f"/{theirs}"), permitted=operator, denied=analyst, ok=(204,)
    )
    assert not Poll.objects.filter(pk=poll_id).exists()


def test_questions(api: Any, workspace: Any, pair: dict[str, Poll], operator: Any, analyst: Any) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    listed = assert_four_cases(
        api,
        "GET",
        url(f"/{mine.pk}/questions"),
        url(f"/{theirs.pk}/questions"),
        permitted=analyst,
        denied=None,
    ).json()
    assert [q["kind"] for q in listed] == ["single", "multiple", "scale", "text"]
    assert [c["keyword"] for c in listed[0]["choices"]] == ["1", "2", "3"]

    draft = make_poll(workspace, title="草稿", open_it=False)
    theirs_draft = make_poll(pair["theirs"].workspace, title="别人的草稿", open_it=False)
    body = {"kind": "single", "text": "你几岁？", "choices": [{"label": "18-25"}, {"label": "26-35"}]}
    made = assert_four_cases(
        api,
        "POST",
        url(f"/{draft.pk}/questions"),
        url(f"/{theirs_draft.pk}/questions"),
        permitted=operator,
        denied=analyst,
        data=body,
        ok=(201,),
    ).json()
    assert [c["label"] for c in made["choices"]] == ["18-25", "26-35"]
    their_q = theirs_draft.questions.first()
    assert their_q is not None
    patched = assert_four_cases(
        api,
        "PATCH",
        url(f"/{draft.pk}/questions/{made['id']}"),
        url(f"/{theirs_draft.pk}/questions/{their_q.pk}"),
        permitted=operator,
        denied=analyst,
        data={"text": "你的年龄？", "required": False},
    ).json()
    assert patched["text"] == "你的年龄？" and patched["required"] is False
    frozen = api(operator).post(
        url(f"/{mine.pk}/questions"),
        json.dumps({"kind": "text", "text": "新的"}),
        content_type="application/json",
    )
    assert frozen.status_code == 400
    assert_four_cases(
        api,
        "DELETE",
        url(f"/{draft.pk}/questions/{made['id']}"),
        url(f"/{theirs_draft.pk}/questions/{their_q.pk}"),
        permitted=operator,
        denied=analyst,
        ok=(204,),
    )


def test_results_and_responses(api: Any, pair: dict[str, Poll], analyst: Any) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    results = assert_four_cases(
        api, "GET", url(f"/{mine.pk}/results"), url(f"/{theirs.pk}/results"), permitted=analyst, denied=None
    ).json()
    assert results["responses"] == 1 and results["questions"][0]["choices"][0]["count"] == 1
    assert results["questions"][3]["texts"][0]["text"] == "包装很好看"
    responses = assert_four_cases(
        api,
        "GET",
        url(f"/{mine.pk}/responses"),
        url(f"/{theirs.pk}/responses"),
        permitted=analyst,
        denied=None,
    ).json()
    assert responses["count"] == 1 and responses["items"][0]["channel"] == "page"
    assert len(responses["items"][0]["answers"]) == 5
