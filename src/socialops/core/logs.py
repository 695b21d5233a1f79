"""Log lines that can be followed from a request to the jobs it caused (docs/logging.md).

* Every request gets an id: a well-formed incoming ``X-Request-ID`` is kept (a proxy or the
  client chose it), anything else is replaced by a new one; the response carries it back.
* The id lives in a context variable while the request runs. A Huey job enqueued meanwhile
  takes it along (``install_job_context``: captured when the job is enqueued, restored in the
  worker before the job runs), so the job's log lines carry the id of the request that caused it.
* ``RequestContextFilter`` puts ``request_id`` and ``job`` on every log record;
  ``JsonFormatter`` writes one JSON object a line (``SOCIALOPS_LOG_FORMAT=json``).
* ``init_error_reporter`` starts a Sentry-compatible reporter when a DSN is configured.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import importlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

__all__ = [
    "HEADER",
    "JOB_KWARG",
    "JsonFormatter",
    "RequestContextFilter",
    "RequestIdMiddleware",
    "current_request_id",
    "init_error_reporter",
    "install_job_context",
    "job_var",
    "request_id_var",
    "valid_request_id",
]

HEADER = "X-Request-ID"
#: The keyword a job's request id travels under in the queue (removed before the job runs).
JOB_KWARG = "_socialops_request_id"
# What an incoming id may look like: a UUID, a proxy's hex or base64url id, "trace-1.2"; short
# enough for a log line and free of anything that could forge a log field or a header.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
job_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("job", default=None)

access_logger = logging.getLogger("socialops.access")
logger = logging.getLogger(__name__)


def valid_request_id(value: str | None) -> bool:
    """Whether an incoming request id is one we keep."""
    return bool(value) and _WELL_FORMED.fullmatch(value or "") is not None


def current_request_id() -> str | None:
    """The id of the request (or of the request behind the job) being handled, if any."""
    return request_id_var.get()


class RequestIdMiddleware:
    """Give every request an id (kept from X-Request-ID when well-formed), answer with it, log it.

    With ``SOCIALOPS_ACCESS_LOG`` on (the default with JSON logs) one line per request goes to
    the ``socialops.access`` logger: method, route pattern, status and milliseconds.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER)
        request_id = incoming if incoming and valid_request_id(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            _tag_error_report(request_id)
            response = self.get_response(request)
            response[HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            access_logger.info(
                "%s %s %s %.1f ms",
                request.method,
                str(match.route) if match is not None and match.route else "<unmatched>",
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestContextFilter(logging.Filter):
    """Add ``request_id`` and ``job`` to every record ("-" when there is none), for any formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        if not hasattr(record, "job"):
            record.job = job_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, job, process.

    ``exc`` holds the formatted traceback when there is one. Fields are fixed so a log pipeline
    can index them; "-" values are written as null.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _or_none(getattr(record, "request_id", None) or request_id_var.get()),
            "job": _or_none(getattr(record, "job", None) or job_var.get()),
            "process": record.process,
            "thread": record.threadName,
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def _or_none(value: Any) -> Any:
    return None if value in (None, "-") else value


# ---- jobs ---------------------------------------------------------------------------------------


def install_job_context(huey: Any) -> None:
    """Carry the request id from the enqueuing request into the job (once per Huey instance).

    Enqueue: the id is added to the job's keyword arguments under ``JOB_KWARG``. Worker: a
    pre-execute hook takes it out again (the task function never sees it) and sets the context
    variables for the job's run; the post-execute hook restores them and puts the id back, so a
    retry of the same job still carries it. A job enqueued by a job inherits the id. Periodic jobs have no request: their lines carry
    only the job name.
    """
    if getattr(huey, "_socialops_job_context", False):
        return
    from huey.signals import SIGNAL_ENQUEUED

    def capture(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
        request_id = request_id_var.get()
        if request_id and isinstance(task.kwargs, dict) and JOB_KWARG not in task.kwargs:
            task.kwargs[JOB_KWARG] = request_id

    def restore(task: Any) -> None:
        request_id = task.kwargs.pop(JOB_KWARG, None) if isinstance(task.kwargs, dict) else None
        # Tokens, not None: a job run in the enqueuing thread (immediate mode) hands the
        # request its own id back afterwards.
        task._socialops_context = (
            request_id,
            request_id_var.set(request_id),
            job_var.set(f"{task.name}:{task.id}"),
        )

    def clear(task: Any, task_value: Any, exc: Any) -> None:
        saved = getattr(task, "_socialops_context", None)
        if saved is None:
            return
        request_id, request_token, job_token = saved
        del task._socialops_context
        if request_id and isinstance(task.kwargs, dict):
            task.kwargs[JOB_KWARG] = request_id
        request_id_var.reset(request_token)
        job_var.reset(job_token)

    huey.signal(SIGNAL_ENQUEUED)(capture)
    huey.pre_execute(name="socialops_request_id")(restore)
    huey.post_execute(name="socialops_request_id")(clear)
    huey._socialops_job_context = True


# ---- error reporter -----------------------------------------------------------------------------

_reporter: dict[str, Any] = {"sdk": None}


def init_error_reporter(dsn: str, *, release: str = "", environment: str = "") -> bool:
    """Start the Sentry-compatible reporter (``pip install 'socialops[sentry]'``) when ``dsn`` is set.

    Returns whether it runs. Without the package a warning says so and nothing else changes.
    Personal data stays out (``send_default_pii=False``): no cookies, user names or addresses.
    """
    if not dsn:
        return False
    try:
        sdk = importlib.import_module("sentry_sdk")
        django_integration = importlib.import_module("sentry_sdk.integrations.django").DjangoIntegration
    except ImportError:
        logger.warning(
            "SOCIALOPS_SENTRY_DSN is set but sentry-sdk is not installed; errors are not reported."
        )
        return False
    integrations = [django_integration()]
    # An sdk without the Huey integration still reports requests.
    with contextlib.suppress(ImportError):
        integrations.append(importlib.import_module("sentry_sdk.integrations.huey").HueyIntegration())
    sdk.init(
        dsn=dsn,
        release=release or None,
        environment=environment or None,
        integrations=integrations,
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
    _reporter["sdk"] = sdk
    return True


def _tag_error_report(request_id: str) -> None:
    """Put the request id on the error report of this request (so a report and the logs meet)."""
    sdk = _reporter["sdk"]
    if sdk is not None:
        sdk.set_tag("request_id", request_id)
