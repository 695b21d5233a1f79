"""Request ids: the response header, the JSON log line, and the id in a job's log lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from huey import MemoryHuey
from huey.contrib.djhuey import HUEY

from socialops.core import logs

JOB_LOGGER = "socialops.tests.job"

# A queue of this test process alone (the configured one may be a Redis queue other test
# processes share): the same hooks as the product's queue, installed the same way.
QUEUE = MemoryHuey("socialops-tests-logging", utc=True)
logs.install_job_context(QUEUE)


@QUEUE.task()
def log_job(n: int) -> None:
    logging.getLogger(JOB_LOGGER).info("job %s ran", n)


class Capture(logging.Handler):
    """Keeps records and their JSON lines, as the console handler of SOCIALOPS_LOG_FORMAT=json would write them."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(logs.RequestContextFilter())
        self.setFormatter(logs.JsonFormatter())
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_every_response_carries_a_new_request_id(db: Any) -> None:
    first = Client().get("/healthz")
    second = Client().get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_well_formed_incoming_id_is_kept() -> None:
    answer = Client().get("/healthz", headers={"X-Request-ID": "lb-7f3a.2:9"})
    assert answer["X-Request-ID"] == "lb-7f3a.2:9"


@pytest.mark.parametrize("incoming", ["", "a b", "x" * 129, "<script>", "id\u4e2d", "-starts-with-dash"])
def test_a_malformed_incoming_id_is_replaced(incoming: str) -> None:
    answer = Client().get("/healthz", headers={"X-Request-ID": incoming})
    assert answer["X-Request-ID"] != incoming
    assert logs.valid_request_id(answer["X-Request-ID"])


def test_json_line_shape(capture: Capture) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        logging.getLogger("socialops.tests").warning("沙盒 %s", "ok")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("socialops.tests").exception("failed")
        return HttpResponse("ok")

    response = logs.RequestIdMiddleware(view)(RequestFactory().get("/x"))
    lines = [json.loads(line) for line in capture.lines if '"socialops.tests"' in line]
    assert [line["message"] for line in lines] == ["沙盒 ok", "failed"]
    first, second = lines
    assert set(first) == {"time", "level", "logger", "message", "request_id", "job", "process", "thread"}
    assert first["level"] == "WARNING"
    assert first["time"].endswith("+00:00")
    assert first["request_id"] == response["X-Request-ID"]
    assert first["job"] is None
    assert "ValueError: boom" in second["exc"]
    # Outside a request the id is null, not a stale one.
    logging.getLogger("socialops.tests").warning("after")
    assert json.loads(capture.lines[-1])["request_id"] is None


def test_a_job_enqueued_during_a_request_logs_its_request_id(capture: Capture) -> None:
    QUEUE.flush()

    def view(request: HttpRequest) -> HttpResponse:
        log_job(7)  # enqueued, as the services do on commit
        return HttpResponse("ok")

    request = RequestFactory().get("/x", headers={"X-Request-ID": "req-42"})
    response = logs.RequestIdMiddleware(view)(request)
    assert response["X-Request-ID"] == "req-42"

    # The worker's side: a fresh task object from the queue, run outside any request.
    task = QUEUE.dequeue()
    assert task is not None
    assert logs.current_request_id() is None
    QUEUE.execute(task)
    records = [r for r in capture.records if r.name == JOB_LOGGER]
    assert [r.getMessage() for r in records] == ["job 7 ran"]  # the function never saw the id
    line = json.loads(capture.format(records[0]))
    assert line["request_id"] == "req-42"
    assert line["job"].startswith("log_job:")
    # Nothing leaks into what the worker does next.
    assert logs.current_request_id() is None
    assert task.kwargs == {logs.JOB_KWARG: "req-42"}  # kept for a retry


def test_the_product_queue_carries_request_ids() -> None:
    assert getattr(HUEY, "_socialops_job_context", False) is True


def test_a_job_without_a_request_has_no_id(capture: Capture) -> None:
    QUEUE.flush()
    log_job(8)
    QUEUE.execute(QUEUE.dequeue())
    record = next(r for r in capture.records if r.name == JOB_LOGGER)
    assert json.loads(capture.format(record))["request_id"] is None


def test_error_reporter_is_off_without_a_dsn() -> None:
    assert logs.init_error_reporter("") is False


def test_error_reporter_without_the_package_warns(caplog: pytest.LogCaptureFixture) -> None:
    try:
        import sentry_sdk  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("sentry-sdk is installed")
    with caplog.at_level(logging.WARNING, logger="socialops.core.logs"):
        assert logs.init_error_reporter("https://key@errors.example.com/1") is False
    assert "sentry-sdk is not installed" in caplog.text
