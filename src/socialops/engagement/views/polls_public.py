"""The public poll page (``/p/polls/<token>/``): no login, phone first, guarded against ballot stuffing.

Guards, in the order a submission meets them (docs/polls.md):

1. Throttle (core.throttle) per address: 30 submissions and 120 page views a minute; beyond, a
   429 page in the visitor's language.
2. Honeypot: a field ``website`` hidden from people; a bot that fills it is refused.
3. Form token: the page carries a signed, time-stamped token naming the poll and a random nonce.
   A submission needs one that is valid, at least ``MIN_SECONDS`` old (people take longer than
   that to read and answer), at most ``MAX_AGE`` old, and unused (the nonce is spent in the cache).
4. Device: a long random cookie set on the first visit; a poll taking one response per device
   stores its hash once (a unique constraint), so a second response from that browser is refused.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from socialops.core.api import validation_messages
from socialops.core.throttle import allow, client_address

from ..models.polls import Poll
from ..selectors import polls as sel
from ..services import polls as svc

DEVICE_COOKIE = "so_poll_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
SALT = "socialops.engagement.polls.form"
MIN_SECONDS = 2
MAX_AGE = 6 * 3600
HONEYPOT = "website"
SUBMIT_LIMIT, VIEW_LIMIT = 30, 120


def form_token(poll: Poll, *, issued_at: float | None = None) -> str:
    """A signed token for one display of the poll's form: poll id, random nonce, time issued."""
    issued = time.time() if issued_at is None else issued_at
    return signing.dumps({"p": poll.pk, "n": secrets.token_urlsafe(16), "t": issued}, salt=SALT)


def form_token_refusal(poll: Poll, token: str) -> str | None:
    """Why a submitted form token is refused (None when it is good); a good token is spent here."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return _("This form is too old. Please answer again.")
    except signing.BadSignature:
        return _("This form could not be checked. Please answer again.")
    if not isinstance(data, dict) or data.get("p") != poll.pk or not isinstance(data.get("t"), int | float):
        return _("This form could not be checked. Please answer again.")
    age = time.time() - float(data["t"])
    if age > MAX_AGE:
        return _("This form is too old. Please answer again.")
    if age < MIN_SECONDS:
        return _("That was very quick. Please check your answers and send them again.")
    if not cache.add(f"polls:form-used:{data.get('n')}", 1, timeout=MAX_AGE + 60):
        return _("This form was already sent.")
    return None


def _throttled(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/polls/public_throttled.html", status=429)


def _questions(poll: Poll, errors: dict[str, list[str]], values: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for question in sel.public_questions(poll):
        key = f"q{question.pk}"
        value = values.get(key)
        chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v}
        rows.append(
            {
                "q": question,
                "key": key,
                "errors": errors.get(key, []),
                "value": value if isinstance(value, str) else "",
                "chosen": chosen,
                "scale": [str(n) for n in range(question.scale_min, question.scale_max + 1)],
            }
        )
    return rows


def _context(request: HttpRequest, poll: Poll, **extra: Any) -> dict[str, Any]:
    return {
        "poll": poll,
        "questions": _questions(poll, extra.get("errors") or {}, extra.get("values") or {}),
        "accepting": svc.poll_accepting(poll),
        "public_owner": poll.workspace.name,
        "form_token": form_token(poll),
        "honeypot": HONEYPOT,
        **extra,
    }


def _values(request: HttpRequest, poll: Poll) -> dict[str, Any]:
    """The raw answers keyed ``q<id>`` (lists for multiple choice), as the service takes them."""
    out: dict[str, Any] = {}
    for question in poll.questions.all():
        key = f"q{question.pk}"
        values = request.POST.getlist(key)
        out[key] = values if question.kind == "multiple" else (values[0] if values else "")
    return out


@require_http_methods(["GET", "HEAD", "POST"])
def poll_public(request: HttpRequest, token: str) -> HttpResponse:
    """A fan answers a poll: the questions, per-question errors, a thank-you, or "closed"."""
    address = client_address(request)
    if request.method == "POST":
        if not allow("polls.submit", address, limit=SUBMIT_LIMIT, per=60):
            return _throttled(request)
    elif not allow("polls.view", address, limit=VIEW_LIMIT, per=60):
        return _throttled(request)
    poll = sel.public_poll(token)
    if not getattr(request, "_language_chosen", True):
        # Nobody chose a language on this browser: the poll's workspace speaks first.
        translation.activate(poll.workspace.locale)
        request.LANGUAGE_CODE = translation.get_language()
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    new_device = len(device) < 32
    if new_device:
        device = secrets.token_urlsafe(32)
    status = 200
    context: dict[str, Any]
    if request.method != "POST":
        context = _context(request, poll)
    elif request.POST.get(HONEYPOT):
        context = _context(request, poll, refusal=_("Your answers could not be accepted."))
        status = 400
    elif not svc.poll_accepting(poll):
        context = _context(request, poll)
    elif (refusal := form_token_refusal(poll, request.POST.get("form_token", ""))) is not None:
        context = _context(request, poll, refusal=refusal, values=_values(request, poll))
        status = 400
    else:
        values = _values(request, poll)
        try:
            svc.response_submit(poll=poll, answers=values, device_token="" if new_device else device)
        except ValidationError as exc:
            errors = validation_messages(exc)
            general = " ".join(errors.pop("__all__", []))
            context = _context(request, poll, errors=errors, values=values, refusal=general)
            status = 400
        else:
            context = _context(request, poll, thanks=True)
    if poll.one_per_device and not context.get("thanks") and svc.device_key(device):
        context["answered"] = (
            not new_device and poll.responses.filter(device_key=svc.device_key(device)).exists()
        )
    response = render(request, "engagement/polls/public.html", context, status=status)
    if new_device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=not settings.DEBUG and request.is_secure(),
        )
    return response


polls_public_urlpatterns: list[URLPattern] = [
    path("polls/<str:token>/", poll_public, name="poll_public"),
]
