"""Polls rendered: ECharts options of the results, labels of codes, and the XLSX export."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ..models import Intent, Sentiment
from ..models.polls import Poll, PollResponse, QuestionKind, ResponseChannel

COLORS = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#0dcaf0", "#ffc107"]
SENTIMENT_COLORS = {"positive": "success", "neutral": "secondary", "negative": "danger"}


def _title(text: str) -> dict[str, Any]:
    return {"text": text, "left": "center", "textStyle": {"fontSize": 14}}


def choice_chart(question: dict[str, Any]) -> dict[str, Any]:
    """Responses per choice of one question, as horizontal bars."""
    choices = list(reversed(question["choices"]))
    return {
        "title": _title(question["text"]),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 110, "right": 40, "top": 40, "bottom": 24},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [c["label"] for c in choices]},
        "series": [
            {
                "type": "bar",
                "name": _("Responses"),
                "data": [c["count"] for c in choices],
                "label": {"show": True, "position": "right"},
                "itemStyle": {"color": COLORS[0]},
            }
        ],
    }


def scale_chart(question: dict[str, Any]) -> dict[str, Any]:
    """How many chose each point of a scale, with the average in the title."""
    scale = question["scale"]
    average = scale["average"]
    title = question["text"]
    if average is not None:
        title = _("%(q)s (average %(avg).2f)") % {"q": title, "avg": average}
    return {
        "title": _title(title),
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 32},
        "xAxis": {"type": "category", "data": [str(d["value"]) for d in scale["distribution"]]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "name": _("Responses"),
                "data": [d["count"] for d in scale["distribution"]],
                "itemStyle": {"color": COLORS[1]},
            }
        ],
    }


def days_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Responses per local day."""
    return {
        "title": _title(_("Responses per day")),
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 32},
        "xAxis": {"type": "category", "data": [d["day"].strftime("%m-%d") for d in days]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "line", "name": _("Responses"), "data": [d["count"] for d in days], "smooth": True}
        ],
    }


def results_view(results: dict[str, Any]) -> dict[str, Any]:
    """The results with a chart option per question and labels for the codes of free-text answers."""
    intents, sentiments = dict(Intent.choices), dict(Sentiment.choices)
    questions = []
    for q in results["questions"]:
        row = dict(q, chart_id=f"poll-q-{q['id']}")
        if q["kind"] in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            row["chart"] = choice_chart(q)
        elif q["kind"] == QuestionKind.SCALE:
            row["chart"] = scale_chart(q)
        else:
            row["texts"] = [
                {
                    **t,
                    "intent_label": str(intents.get(t["intent"], t["intent"])),
                    "sentiment_label": str(sentiments.get(t["sentiment"], t["sentiment"])),
                    "sentiment_color": SENTIMENT_COLORS.get(t["sentiment"], "secondary"),
                }
                for t in q["texts"]
            ]
        questions.append(row)
    return {
        **results,
        "questions": questions,
        "days_chart": days_chart(results["days"]) if results["days"] else None,
    }


# ---- XLSX export -------------------------------------------------------------------------------


def _bold_row(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _answer_text(answers: list[Any], question: Any) -> Any:
    mine = [a for a in answers if a.question_id == question.pk]
    if not mine:
        return None
    if question.kind == QuestionKind.SCALE:
        return mine[0].scale_value
    if question.kind == QuestionKind.TEXT:
        return mine[0].text
    return "; ".join(a.choice.label for a in mine if a.choice is not None)


def results_xlsx(poll: Poll, results: dict[str, Any], responses: Iterable[PollResponse], tz: Any) -> bytes:
    """The poll as a workbook: a summary sheet (counts, shares, scale averages) and one row per response."""
    book = Workbook()
    summary = book.active
    assert isinstance(summary, Worksheet)
    summary.title = _("Summary")[:31]
    summary.append([poll.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Responses"), results["responses"]])
    summary.append([_("Public page"), results["by_channel"]["page"]])
    summary.append([_("Keyword reply"), results["by_channel"]["keyword"]])
    summary.append([])
    _bold_row(summary, [_("Question"), _("Answer"), _("Count"), _("Share")])
    for q in results["questions"]:
        if "choices" in q:
            for c in q["choices"]:
                summary.append([q["text"], c["label"], c["count"], c["share"]])
                summary.cell(summary.max_row, 3).number_format = "0"
                summary.cell(summary.max_row, 4).number_format = "0.0%"
        elif "scale" in q:
            for d in q["scale"]["distribution"]:
                summary.append(
                    [q["text"], d["value"], d["count"], (d["count"] / q["answered"]) if q["answered"] else 0]
                )
                summary.cell(summary.max_row, 3).number_format = "0"
                summary.cell(summary.max_row, 4).number_format = "0.0%"
            summary.append([q["text"], _("Average"), q["scale"]["average"]])
            summary.cell(summary.max_row, 3).number_format = "0.00"
        else:
            summary.append([q["text"], _("Free-text answers"), q["answered"]])
            summary.cell(summary.max_row, 3).number_format = "0"
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 24

    sheet = book.create_sheet(_("Responses")[:31])
    questions = list(poll.questions.order_by("position", "pk"))
    _bold_row(sheet, [_("Response"), _("Submitted at"), _("Channel"), *[q.text for q in questions]])
    channels = dict(ResponseChannel.choices)
    for response in responses:
        answers = list(response.answers.all())
        sheet.append(
            [
                response.pk,
                response.submitted_at.astimezone(tz).replace(tzinfo=None),
                str(channels.get(response.channel, response.channel)),
                *[_answer_text(answers, q) for q in questions],
            ]
        )
        sheet.cell(sheet.max_row, 1).number_format = "0"
        sheet.cell(sheet.max_row, 2).number_format = "yyyy-mm-dd hh:mm"
    sheet.column_dimensions["B"].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
