"""Link reachability: enqueued on commit, run by the Huey task against a local server, stored and shown."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from socialops.review import tasks
from socialops.review.models import LinkCheck
from socialops.review.services import runner as check_runner
from tests.factories import make_item

pytestmark = pytest.mark.django_db


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        if self.path.startswith("/ok"):
            self.send_response(200)
        elif self.path.startswith("/moved"):
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path.startswith("/slow"):
            time.sleep(2)
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def local_links(settings: Any) -> None:
    # The test server is on loopback, which the product refuses by default (no probing of its own network).
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.REVIEW_LINKCHECK_TIMEOUT = 0.5


def test_reachability_task_is_enqueued_on_commit_and_stores_results(
    workspace: Any, server: str, local_links: None, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    body = f"活动详情：{server}/ok/page 报名入口：{server}/missing 旧地址：{server}/moved 慢：{server}/slow"
    item = make_item(workspace, body=body)
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks, "check_links", lambda ws_id, item_id: calls.append((ws_id, item_id)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        findings = check_runner.run_item_checks(workspace=workspace, item=item)
    # The editor's save is not held up: nothing asked yet, the job queued after commit.
    assert not any(f.message_code in ("link.http_error", "link.unreachable") for f in findings)
    assert callbacks and calls == [(workspace.pk, item.pk)]
    monkeypatch.undo()

    asked = tasks.check_links.call_local(workspace.pk, item.pk)
    assert asked == 4
    rows = {
        row.url.rsplit("/", 1)[-1] if "page" not in row.url else "ok": row for row in LinkCheck.objects.all()
    }
    assert rows["ok"].ok and rows["ok"].status == 200
    assert not rows["missing"].ok and rows["missing"].status == 404 and rows["missing"].error == "http_error"
    assert rows["moved"].ok and rows["moved"].final_url.endswith("/ok")
    assert not rows["slow"].ok and rows["slow"].error == "timeout"

    # The next view shows them as findings on the links' spans.
    stored = check_runner.stored_findings(workspace=workspace, item=item)
    broken = {f.message_code: f for f in stored if f.check == "link"}
    missing_url = f"{server}/missing"
    assert broken["link.http_error"].start == body.index(missing_url)
    assert broken["link.http_error"].end == body.index(missing_url) + len(missing_url)
    assert broken["link.http_error"].message == f"“{missing_url}” answered with HTTP 404."
    assert broken["link.unreachable"].message == f"“{server}/slow” could not be reached (no answer in time)."

    # Running the job again changes nothing (the results are fresh).
    before = list(LinkCheck.objects.values_list("pk", "checked_at"))
    assert tasks.check_links.call_local(workspace.pk, item.pk) == 0
    assert list(LinkCheck.objects.values_list("pk", "checked_at")) == before
    # A later save does not queue the job for links already known.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        check_runner.run_item_checks(workspace=workspace, item=item)
    assert not callbacks


def test_private_addresses_are_refused_by_default(workspace: Any, server: str) -> None:
    item = make_item(workspace, body=f"内网地址 {server}/ok")
    assert tasks.check_links.call_local(workspace.pk, item.pk) == 1
    row = LinkCheck.objects.get()
    assert not row.ok and row.error == "blocked_address"


def test_task_for_a_deleted_item_does_nothing(workspace: Any) -> None:
    assert tasks.check_links.call_local(workspace.pk, 999_999) == 0
