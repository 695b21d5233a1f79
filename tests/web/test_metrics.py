"""/metrics for Prometheus: the publishing queue and lateness from the database, HTTP latency by
route, and nobody but the machine itself or the token's holder may read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from socialops.publishing.models import Publication
from tests import factories

pytestmark = pytest.mark.django_db


def _metric_lines(body: str, name: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith(name)]


def test_queue_lateness_and_failures_are_exposed(workspace: Any) -> None:
    account = factories.make_account(workspace, handle="xy", platform="weibo")
    factories.connect(account, "manual")
    now = timezone.now()
    late = factories.make_publication(workspace, factories.approved_item(workspace, "迟到的"), account, now)
    Publication.objects.filter(pk=late.pk).update(
        state="published", published_at=now + dt.timedelta(seconds=42)
    )
    factories.make_publication(
        workspace, factories.approved_item(workspace, "等待中"), account, now - dt.timedelta(minutes=3)
    )
    failed = factories.make_publication(workspace, factories.approved_item(workspace, "失败的"), account, now)
    Publication.objects.filter(pk=failed.pk).update(state="failed")

    body = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()

    assert 'socialops_publishing_queue_depth{platform="weibo",state="scheduled"} 1.0' in body
    assert 'socialops_publications{platform="weibo",state="failed"} 1.0' in body
    buckets = _metric_lines(body, "socialops_publishing_lateness_seconds_bucket")
    assert 'socialops_publishing_lateness_seconds_bucket{le="30.0",platform="weibo"} 0.0' in buckets
    assert 'socialops_publishing_lateness_seconds_bucket{le="60.0",platform="weibo"} 1.0' in buckets
    (age,) = _metric_lines(body, "socialops_publishing_oldest_due_seconds ")
    assert 170 < float(age.split()[-1]) < 600
    assert 'socialops_import_runs_total{kind="orders"} 0.0' in body


def test_http_latency_is_recorded_by_route_not_by_path(workspace: Any, admin: Any, web: Any) -> None:
    web(admin).get("/w/acme/")
    body = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    routes = _metric_lines(body, "socialops_http_request_duration_seconds_count")
    assert any('route="w/<slug:slug>/"' in line and 'method="GET"' in line for line in routes)
    assert not any("acme" in line for line in routes)


def test_only_the_machine_itself_or_the_token_holder_reads_it(settings: Any) -> None:
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    assert (
        Client(REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 403
    )
    ok = Client(REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").get("/metrics")
    assert ok.status_code == 200 and "socialops_publishing_queue_depth" in ok.content.decode()
