from django.urls import path

from .views import anomalies, benchmark, content, funnel, goals, growth, recommendations, reports

urlpatterns = [
    path("insights/content/", content.content_performance, name="insights_content"),
    path("insights/content/<str:table>.<str:fmt>", content.content_export, name="insights_content_export"),
    path("insights/growth/", growth.growth, name="insights_growth"),
    path("insights/growth/<str:table>.<str:fmt>", growth.growth_export, name="insights_growth_export"),
    path("insights/funnel/", funnel.funnel, name="insights_funnel"),
    path("insights/funnel.<str:fmt>", funnel.funnel_export, name="insights_funnel_export"),
    path("insights/goals/", goals.goal_review, name="insights_goals"),
    path("insights/goals.<str:fmt>", goals.goal_review_export, name="insights_goals_export"),
    path("insights/anomalies/", anomalies.anomaly_list, name="insights_anomalies"),
    path("insights/anomalies.<str:fmt>", anomalies.anomaly_export, name="insights_anomalies_export"),
    path("insights/benchmark/", benchmark.benchmark, name="insights_benchmark"),
    path("insights/benchmark.<str:fmt>", benchmark.benchmark_export, name="insights_benchmark_export"),
    path("insights/recommendations/", recommendations.recommendation_list, name="insights_recommendations"),
    path(
        "insights/recommendations/propose/",
        recommendations.recommendations_generate,
        name="insights_recommendations_generate",
    ),
    path(
        "insights/recommendations/<int:recommendation_id>/accept/",
        recommendations.recommendation_accept,
        name="insights_recommendation_accept",
    ),
    path(
        "insights/recommendations/<int:recommendation_id>/reject/",
        recommendations.recommendation_reject,
        name="insights_recommendation_reject",
    ),
    path("insights/reports/", reports.report_list, name="insights_reports"),
    path("insights/reports/schedules/new/", reports.schedule_create, name="insights_report_schedule_create"),
    path(
        "insights/reports/schedules/<int:schedule_id>/edit/",
        reports.schedule_edit,
        name="insights_report_schedule_edit",
    ),
    path(
        "insights/reports/schedules/<int:schedule_id>/delete/",
        reports.schedule_delete,
        name="insights_report_schedule_delete",
    ),
    path(
        "insights/reports/schedules/<int:schedule_id>/run/",
        reports.schedule_run,
        name="insights_report_schedule_run",
    ),
    path("insights/reports/runs/<int:run_id>/", reports.run_detail, name="insights_report_run"),
    path(
        "insights/reports/runs/<int:run_id>/<str:kind>",
        reports.run_download,
        name="insights_report_run_download",
    ),
]
