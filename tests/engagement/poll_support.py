"""Helpers shared by the poll tests: answering the public page as a browser would."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client

from socialops.engagement.models.polls import Poll
from socialops.engagement.views.polls_public import form_token


def page_url(poll: Poll) -> str:
    return f"/p/polls/{poll.token}/"


def answers(poll: Poll, *, flavour: int = 0, scale: int = 4, text: str = "") -> dict[str, Any]:
    """Form data answering the factory poll: a flavour (choice index), two shops, a scale value, a text."""
    single, multiple, scale_q, text_q = list(poll.questions.order_by("position"))
    return {
        f"q{single.pk}": str(list(single.choices.all())[flavour].pk),
        f"q{multiple.pk}": [str(c.pk) for c in list(multiple.choices.all())[:2]],
        f"q{scale_q.pk}": str(scale),
        f"q{text_q.pk}": text,
    }


def submit(client: Client, poll: Poll, data: dict[str, Any], *, age: float = 10.0, **extra: Any) -> Any:
    """Open the page (which sets the device cookie), then send the answers with a form token ``age`` seconds old."""
    client.get(page_url(poll), **extra)
    body = {"form_token": form_token(poll, issued_at=time.time() - age), **data}
    return client.post(page_url(poll), body, **extra)
