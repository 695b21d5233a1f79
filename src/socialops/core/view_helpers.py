"""Small helpers for page views: running a service behind a form or a button, with its refusal shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

T = TypeVar("T")


def apply_form(form: Any, service: Callable[[], T]) -> T | None:
    """Run the service behind a valid bound form; None when unbound, invalid or refused (errors are on the form)."""
    if not form.is_valid():
        return None
    try:
        return service()
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None


def submitted(
    request: HttpRequest,
    form: Any,
    service: Callable[[], T],
    *,
    message: str | Callable[[T], str],
    to: str | Callable[[T], str],
) -> HttpResponse | None:
    """After a valid form's service succeeds: the success message and a redirect to ``to``; else None."""
    result = apply_form(form, service)
    if result is None:
        return None
    messages.success(request, message(result) if callable(message) else message)
    return redirect(to(result) if callable(to) else to)


def run_and_say(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run a service call: its refusal becomes an error message, its success the ``done`` message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


def form_page(request: HttpRequest, form: Any, *, title: str, submit: str, cancel_url: str) -> HttpResponse:
    """The plain page of one form: a title, its fields, a submit button and a way back."""
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": title, "submit": submit, "cancel_url": cancel_url},
    )
