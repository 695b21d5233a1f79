"""Poll results: the figures, the XLSX export (same totals as the API), free text kept as ideas."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from socialops.engagement.models.campaigns import Idea
from socialops.engagement.models.polls import PollAnswer
from socialops.engagement.selectors import polls as sel
from socialops.engagement.services import polls as svc
from tests.engagement.poll_support import answers
from tests.factories import make_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(workspace: Any) -> Any:
    cache.clear()
    poll = make_poll(workspace)
    # Six responses: flavours 0,0,0,1,1,2; scale 5,4,4,3,5,2; two with text.
    for i, (flavour, scale) in enumerate([(0, 5), (0, 4), (0, 4), (1, 3), (1, 5), (2, 2)]):
        text = {0: "希望出低糖款", 3: "价格太贵了，不满意"}.get(i, "")
        svc.response_submit(
            poll=poll,
            answers=answers(poll, flavour=flavour, scale=scale, text=text),
            device_token=f"device-{i}",
        )
    return poll


def test_results_figures(workspace: Any, admin: Any, poll: Any) -> None:
    results = sel.poll_results(workspace=workspace, user=admin, poll=poll)
    assert results["responses"] == 6 and results["by_channel"] == {"page": 6, "keyword": 0}
    single, multiple, scale, text = results["questions"]
    assert [c["count"] for c in single["choices"]] == [3, 2, 1]
    assert [c["share"] for c in single["choices"]] == [0.5, 0.3333, 0.1667]
    assert single["answered"] == 6
    assert [c["count"] for c in multiple["choices"]] == [6, 6, 0]
    assert scale["scale"]["average"] == round(23 / 6, 2)
    assert [d["count"] for d in scale["scale"]["distribution"]] == [0, 1, 1, 2, 2]
    assert text["answered"] == 2 and {t["text"] for t in text["texts"]} == {
        "希望出低糖款",
        "价格太贵了，不满意",
    }
    negative = next(t for t in text["texts"] if t["text"] == "价格太贵了，不满意")
    assert negative["sentiment"] == "negative"
    assert sum(d["count"] for d in results["days"]) == 6


def test_export_opens_and_holds_the_api_totals(
    workspace: Any, admin: Any, poll: Any, web: Any, api: Any
) -> None:
    response = web(admin).get(f"/w/{workspace.slug}/polls/{poll.pk}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = load_workbook(io.BytesIO(response.content))
    summary, rows = book.worksheets
    api_results = api(admin).get(f"/api/v1/workspaces/{workspace.slug}/polls/{poll.pk}/results").json()
    assert summary["B2"].value == api_results["responses"] == 6
    counts = {
        (r[0].value, r[1].value): r[2]
        for r in summary.iter_rows(min_row=7)
        if r[0].value and r[2].value is not None
    }
    for q in api_results["questions"]:
        for c in q.get("choices", []):
            cell = counts[(q["text"], c["label"])]
            assert cell.value == c["count"] and cell.number_format == "0"
    average = counts[("整体满意度", "Average")]
    assert (
        average.value == api_results["questions"][2]["scale"]["average"] and average.number_format == "0.00"
    )
    share = summary.cell(7, 4)
    assert share.number_format == "0.0%" and share.value == 0.5
    assert rows.max_row == 1 + 6
    assert rows.cell(2, 2).is_date and rows.cell(2, 2).number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(rows.cell(2, 6).value, int)  # the scale answer is a number


def test_a_text_answer_is_kept_as_an_idea_once(
    workspace: Any, operator: Any, analyst: Any, poll: Any, web: Any
) -> None:
    answer = PollAnswer.objects.filter(response__poll=poll).exclude(text="").first()
    assert answer is not None
    url = f"/w/{workspace.slug}/polls/{poll.pk}/answers/{answer.pk}/idea/"
    assert web(analyst).post(url).status_code == 403
    assert web(operator).post(url).status_code == 302
    assert web(operator).post(url, HTTP_HX_REQUEST="true").status_code == 200
    idea = Idea.objects.get(workspace=workspace)
    assert idea.source == "poll" and idea.source_id == str(answer.pk) and idea.text == answer.text
    results = sel.poll_results(workspace=workspace, user=operator, poll=poll)
    assert [t["kept"] for t in results["questions"][3]["texts"] if t["id"] == answer.pk] == [True]
    choice = PollAnswer.objects.filter(response__poll=poll, choice__isnull=False).first()
    assert choice is not None
    web(operator).post(f"/w/{workspace.slug}/polls/{poll.pk}/answers/{choice.pk}/idea/")
    assert Idea.objects.count() == 1


def test_questions_are_frozen_once_answered(workspace: Any, poll: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        svc.question_create(workspace=workspace, actor=None, poll=poll, kind="text", text="新问题")
