"""The figures of a report: each section calls the analysis' own selector with the report's period
and reuses the page's table and chart presenters, so a report never counts differently from the
pages, the downloads and the API (docs/reports.md).

The period [from, to] becomes the selectors' window ``days = to − from + 1`` ending ``today = to``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.analytics.models import WEEKDAY_LABELS
from socialops.engagement.models.campaigns import Campaign
from socialops.engagement.selectors import campaigns as campaign_sel
from socialops.goals.selectors.competitors import MAX_DAYS, MIN_DAYS
from socialops.workspaces.models import Workspace

from ..models import ReportTemplate
from ..presenters import benchmark as bench_pres
from ..presenters import content as content_pres
from ..presenters import growth as growth_pres
from ..selectors import anomalies as anomaly_sel
from ..selectors import benchmark as bench_sel
from ..selectors import content as content_sel
from ..selectors import funnel as funnel_sel
from ..selectors import goals as goal_sel
from ..selectors import growth as growth_sel
from ..selectors import recommendations as rec_sel
from ..views.anomalies import anomalies_table
from ..views.content import group_table, post_table
from ..views.funnel import funnel_table
from ..views.goals import _coverage_chart, review_table
from ..views.growth import cohorts_table, flows_table

# Column formats of the workbook: "int" (#,##0), "num" (#,##0.00), "pct" (0.00%), "p" (0.000), "date".
Formats = dict[int, str]


@dataclass
class Table:
    """One table of a report: a sheet of the workbook and a table of the PDF."""

    name: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    formats: Formats = field(default_factory=dict)


@dataclass
class Section:
    """A titled part of the report: sentences, a chart (an ECharts option) and tables."""

    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Kpi:
    """A headline figure: its key (stable across languages), label, value and workbook format."""

    key: str
    label: str
    value: Any
    fmt: str = "int"


@dataclass
class Report:
    """Everything the PDF, the workbook and the summary show."""

    workspace: Workspace
    template: str
    title: str
    period_from: dt.date
    period_to: dt.date
    generated_at: dt.datetime
    kpis: list[Kpi] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def _content(report: Report, user: Any) -> None:
    days, today = _days(report.period_from, report.period_to), report.period_to
    data = content_sel.content_performance(workspace=report.workspace, user=user, days=days, today=today)
    ranking = content_sel.post_ranking(
        workspace=report.workspace, user=user, metric="engagements", days=days, today=today, limit=10
    )
    totals = data["totals"]
    report.kpis += [
        Kpi("content.posts", _("Posts"), totals["posts"]),
        Kpi("content.engagements", _("Engagements"), totals["engagements"]),
        Kpi("content.engagement_rate", _("Mean engagement rate"), totals["engagement_rate"]["mean"], "pct"),
    ]
    header, rows = group_table(data)
    posts_header, posts_rows = post_table(ranking)
    # The weekday × hour cells (the page's heatmap), best rate first: when posts did best.
    slots = sorted(
        data["slots"], key=lambda c: -(c["engagement_rate"] if c["engagement_rate"] is not None else -1.0)
    )
    slot_rows = [
        [
            str(WEEKDAY_LABELS[c["weekday"] - 1]) if 1 <= c["weekday"] <= 7 else "?",
            f"{c['hour']:02d}:00",
            c["posts"],
            c["engagement_rate"],
            c["engagements"],
        ]
        for c in slots[:10]
    ]
    slot_header = [_("Weekday"), _("Hour"), _("Posts"), _("Mean engagement rate"), _("Mean engagements")]
    lines = []
    theme_rows = data["dimensions"]["theme"]
    for row in theme_rows:
        if row["vs_rest"]["significant"]:
            lines.append(content_pres.verdict(row["vs_rest"], row["label"], _("the other themes")))
    report.sections.append(
        Section(
            "content",
            _("Content performance"),
            lines=lines,
            chart=content_pres.group_chart_option(theme_rows),
            tables=[
                Table(
                    "content_groups",
                    _("Groups"),
                    header,
                    rows,
                    {2: "int", 3: "int", 4: "num", 5: "num", 6: "num", 7: "pct", 8: "pct", 9: "pct", 11: "p"},
                ),
                Table("slots", _("Best time slots"), slot_header, slot_rows, {2: "int", 3: "pct", 4: "num"}),
                Table(
                    "top_posts",
                    _("Top posts"),
                    posts_header,
                    posts_rows,
                    {1: "date", 4: "int", 5: "int", 6: "pct", 7: "int"},
                ),
            ],
        )
    )


def _growth(report: Report, user: Any) -> None:
    flows = growth_sel.follower_flows(
        workspace=report.workspace, user=user, period="week", today=report.period_to, start=report.period_from
    )
    totals = flows["totals"]
    report.kpis += [
        Kpi("growth.new", _("New followers"), totals["new"]),
        Kpi("growth.lost", _("Lost followers"), totals["lost"]),
        Kpi("growth.net", _("Net change"), totals["net"]),
    ]
    header, rows = flows_table(flows)
    weeks = max(1, -(-_days(report.period_from, report.period_to) // 7))
    cohorts = growth_sel.follower_cohorts(
        workspace=report.workspace, user=user, weeks=weeks, today=report.period_to
    )
    cohort_header, cohort_rows = cohorts_table(cohorts)
    report.sections.append(
        Section(
            "growth",
            _("Growth and retention"),
            chart=growth_pres.flows_chart_option(flows),
            tables=[
                Table(
                    "growth",
                    _("Follower flows"),
                    header,
                    rows,
                    {1: "date", **dict.fromkeys(range(2, 8), "int")},
                ),
                Table(
                    "cohorts",
                    _("Follower cohorts"),
                    cohort_header,
                    cohort_rows,
                    {0: "date", 1: "int", **dict.fromkeys(range(2, len(cohort_header)), "pct")},
                ),
            ],
        )
    )


def _funnel(report: Report, user: Any) -> None:
    data = funnel_sel.funnel(
        workspace=report.workspace,
        user=user,
        days=_days(report.period_from, report.period_to),
        today=report.period_to,
    )
    steps = {s["key"]: s for s in data["total"]["steps"]}
    report.kpis += [
        Kpi("funnel.exposure", str(funnel_sel.STEPS[0][1]), steps["exposure"]["value"]),
        Kpi("funnel.click", _("Link clicks"), steps["click"]["value"]),
        Kpi("funnel.order", _("Orders"), steps["order"]["value"]),
        Kpi("funnel.revenue", _("Revenue"), data["total"]["revenue"], "num"),
    ]
    header, rows = funnel_table(data)
    report.sections.append(
        Section(
            "funnel",
            _("Funnel"),
            chart=growth_pres.funnel_chart_option(data["total"]),
            tables=[Table("funnel", _("Funnel"), header, rows, {2: "num", 3: "pct"})],
        )
    )


def _goals(report: Report, user: Any) -> None:
    goals = goal_sel.goal_review(workspace=report.workspace, user=user, today=report.period_to)
    header, rows = review_table(goals)
    lines = [f"{g['name']}: {g['status_label']}" for g in goals]
    report.sections.append(
        Section(
            "goals",
            _("Goal review"),
            lines=lines,
            chart=_coverage_chart(goals),
            tables=[
                Table(
                    "goals",
                    _("Goal review"),
                    header,
                    rows,
                    {2: "num", 3: "num", 4: "int", 5: "int", 7: "num", 8: "num", 9: "num"},
                )
            ],
        )
    )


def _anomalies(report: Report, user: Any) -> None:
    data = anomaly_sel.anomalies(
        workspace=report.workspace,
        user=user,
        days=_days(report.period_from, report.period_to),
        today=report.period_to,
    )
    header, rows = anomalies_table(data)
    report.kpis.append(Kpi("anomalies.count", _("Anomalies"), len(rows)))
    report.sections.append(
        Section(
            "anomalies",
            _("Anomalies"),
            lines=[] if rows else [_("No day left its expected band.")],
            tables=[
                Table(
                    "anomalies",
                    _("Anomalies"),
                    header,
                    rows,
                    {0: "date", **dict.fromkeys(range(3, 8), "num")},
                )
            ],
        )
    )


def _benchmark(report: Report, user: Any) -> None:
    days = min(max(_days(report.period_from, report.period_to), MIN_DAYS), MAX_DAYS)
    data = bench_sel.benchmark(workspace=report.workspace, user=user, days=days, today=report.period_to)
    charts = bench_pres.benchmark_charts(data)
    header = [
        _("Account"),
        _("Competitor"),
        _("Week"),
        _("Followers"),
        _("Posts"),
        _("Engagement rate"),
        _("Share of voice"),
    ]
    rows = [
        [
            a["display_name"],
            a["is_competitor"],
            week,
            a["followers_series"][w],
            a["weekly_posts"][w],
            a["weekly_engagement_rate"][w],
            a["weekly_share_of_voice"][w],
        ]  # fmt: skip
        for a in data["accounts"]
        for w, week in enumerate(data["weeks"])
    ]
    report.sections.append(
        Section(
            "benchmark",
            _("Competitor benchmark"),
            chart=charts[2]["option"] if len(charts) > 2 else {},
            tables=[
                Table(
                    "benchmark",
                    _("Competitor benchmark"),
                    header,
                    rows,
                    {2: "date", 3: "int", 4: "int", 5: "pct", 6: "pct"},
                )
            ],
        )
    )


def _recommendations(report: Report, user: Any) -> None:
    recs = rec_sel.recommendation_list(workspace=report.workspace, user=user, status="proposed")[:10]
    report.sections.append(
        Section(
            "recommendations",
            _("Recommendations"),
            lines=[r.summary for r in recs] or [_("No open recommendations.")],
        )
    )


def _campaigns(report: Report, user: Any) -> None:
    campaigns = Campaign.objects.filter(
        workspace=report.workspace, end_date__gte=report.period_from, end_date__lte=report.period_to
    ).order_by("end_date", "name")
    header = [
        _("Campaign"), _("Start"), _("End"), _("People taking part"), _("Interactions"), _("Posts"),
        _("Reach"), _("Impressions"), _("Engagements"),
    ]  # fmt: skip
    rows, lines = [], []
    for c in campaigns:
        part = campaign_sel.campaign_participation(workspace=report.workspace, user=user, campaign=c)
        reach = campaign_sel.campaign_reach(workspace=report.workspace, user=user, campaign=c)
        movement = campaign_sel.campaign_goal_movement(
            workspace=report.workspace, user=user, campaign=c, today=report.period_to
        )
        rows.append(
            [c.name, c.start_date, c.end_date, part.people, part.interactions, reach.posts,
             reach.reach, reach.impressions, reach.engagements]
        )  # fmt: skip
        lines.append(f"{c.name}: {movement.caveat or movement.reason}".strip())
    report.kpis += [
        Kpi("campaigns.count", _("Campaigns"), len(rows)),
        Kpi("campaigns.people", _("People taking part"), sum(r[3] for r in rows)),
        Kpi("campaigns.interactions", _("Interactions"), sum(r[4] for r in rows)),
    ]
    chart = {}
    if rows:
        chart = {
            "xAxis": {"type": "category", "data": [r[0] for r in rows]},
            "yAxis": {"type": "value"},
            "series": [
                {"type": "bar", "name": _("People taking part"), "data": [r[3] for r in rows]},
                {"type": "bar", "name": _("Interactions"), "data": [r[4] for r in rows]},
            ],
        }
    report.sections.append(
        Section(
            "campaigns",
            _("Campaign wrap-up"),
            lines=lines or [_("No campaign ended in this period.")],
            chart=chart,
            tables=[
                Table(
                    "campaigns",
                    _("Campaigns"),
                    header,
                    rows,
                    {1: "date", 2: "date", **dict.fromkeys(range(3, 9), "int")},
                )
            ],
        )
    )


SECTIONS = {
    ReportTemplate.WEEKLY: (_content, _growth, _funnel, _anomalies, _goals, _recommendations),
    ReportTemplate.MONTHLY: (_content, _growth, _funnel, _goals, _anomalies, _benchmark, _recommendations),
    ReportTemplate.CAMPAIGN: (_campaigns,),
}


def build_report(
    *, workspace: Workspace, user: Any, template: str, period_from: dt.date, period_to: dt.date
) -> Report:
    """The report's figures for the period, read as ``user`` (a member) through the analyses' selectors."""
    report = Report(
        workspace=workspace,
        template=template,
        title=str(ReportTemplate(template).label),
        period_from=period_from,
        period_to=period_to,
        generated_at=timezone.now(),
    )
    for section in SECTIONS[ReportTemplate(template)]:
        section(report, user)
    return report
