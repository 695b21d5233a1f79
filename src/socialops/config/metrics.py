"""``/metrics`` for Prometheus: publishing lateness, queue depth and age, failures and unknown
outcomes by platform, import runs, and HTTP latency by route (docs/metrics.md).

Figures about the work come from the database at scrape time, so every web process reports the
same numbers whichever one is scraped; HTTP latency is per process. The endpoint answers a
request carrying ``Authorization: Bearer $SOCIALOPS_METRICS_TOKEN``, or, without a token
configured, only requests from the machine itself.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from socialops.analytics.models import PostImport
from socialops.fans.models import OrderImport
from socialops.goals.models import MetricImport
from socialops.publishing.models import Publication, PublicationState

# Lateness of a post: when it went out minus when it was due (seconds).
LATENESS_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)
LATENESS_WINDOW = dt.timedelta(hours=24)
LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


class WorkCollector(Collector):
    """The publishing queue and import runs as they stand in the database, read at each scrape."""

    def collect(self) -> Iterator[Metric]:
        """Yield the metric families (each a query or two)."""
        now = timezone.now()
        depth = GaugeMetricFamily(
            "socialops_publishing_queue_depth",
            "Publications not finished, by state and platform.",
            labels=["state", "platform"],
        )
        for row in (
            Publication.objects.filter(
                state__in=(PublicationState.SCHEDULED, PublicationState.PUBLISHING, PublicationState.UNKNOWN)
            )
            .values("state", "account__platform")
            .annotate(n=Count("pk"))
        ):
            depth.add_metric([row["state"], row["account__platform"]], row["n"])
        yield depth

        oldest = Publication.objects.filter(state=PublicationState.SCHEDULED, due_at__lte=now).aggregate(
            m=Min("due_at")
        )["m"]
        age = GaugeMetricFamily(
            "socialops_publishing_oldest_due_seconds",
            "How long the oldest due, unsent publication has been waiting.",
        )
        age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield age

        outcome = GaugeMetricFamily(
            "socialops_publications",
            "Publications that failed or whose outcome is unknown, by platform.",
            labels=["state", "platform"],
        )
        for row in (
            Publication.objects.filter(state__in=(PublicationState.FAILED, PublicationState.UNKNOWN))
            .values("state", "account__platform")
            .annotate(n=Count("pk"))
        ):
            outcome.add_metric([row["state"], row["account__platform"]], row["n"])
        yield outcome

        yield self._lateness(now)

        runs = CounterMetricFamily("socialops_import_runs", "Import runs, by kind.", labels=["kind"])
        for kind, model in (("metrics", MetricImport), ("posts", PostImport), ("orders", OrderImport)):
            runs.add_metric([kind], model.objects.count())
        yield runs

    @staticmethod
    def _lateness(now: dt.datetime) -> HistogramMetricFamily:
        lateness = HistogramMetricFamily(
            "socialops_publishing_lateness_seconds",
            "Published minus due time of the posts published in the last 24 hours, by platform.",
            labels=["platform"],
        )
        values: dict[str, list[float]] = {}
        for platform, late in (
            Publication.objects.filter(
                state=PublicationState.PUBLISHED, published_at__gte=now - LATENESS_WINDOW
            )
            .annotate(late=ExpressionWrapper(F("published_at") - F("due_at"), output_field=DurationField()))
            .values_list("account__platform", "late")
        ):
            values.setdefault(platform, []).append(
                max(late.total_seconds(), 0.0) if late is not None else 0.0
            )
        for platform, seconds in sorted(values.items()):
            buckets = [(str(b), float(sum(1 for s in seconds if s <= b))) for b in LATENESS_BUCKETS]
            buckets.append(("+Inf", float(len(seconds))))
            lateness.add_metric([platform], buckets, sum_value=sum(seconds))
        return lateness


# Not auto-described: describing would run the queries at import time (before any database exists).
_work_registry = CollectorRegistry(auto_describe=False)
_work_registry.register(WorkCollector())


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    return request.META.get("REMOTE_ADDR", "") in LOCAL_ADDRESSES


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format: this process's HTTP figures and the database's work figures."""
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    body = generate_latest(REGISTRY) + generate_latest(_work_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
