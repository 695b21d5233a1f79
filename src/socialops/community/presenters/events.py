"""Presenters of events: who a registrant is for the reader, the attendance chart, the QR code."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils.translation import gettext as _

from ..models.events import Registration


def registrant_name(registration: Registration, *, identity: bool) -> str:
    """The registrant's name for members with fans.identity, the person's pseudonym for the others."""
    person = registration.person
    if identity and person.display_name:
        return person.display_name
    return person.pseudonym


def qr_svg(text: str) -> str:
    """An SVG QR code of ``text`` (a signed check-in URL), drawn by segno."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return out.getvalue().decode()


def attendance_chart(days: list[dict[str, Any]], figures: dict[str, int]) -> dict[str, Any]:
    """Registrations and check-ins per day as bars, with the event's totals in the title."""
    labels = [d["day"].strftime("%m-%d") for d in days]
    title = _("%(confirmed)d confirmed, %(waiting)d waiting, %(in)d checked in") % {
        "confirmed": figures["confirmed"],
        "waiting": figures["waiting"],
        "in": figures["checked_in"],
    }
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("Registrations"),
                "type": "bar",
                "data": [d["registered"] for d in days],
                "color": "#0d6efd",
            },
            {
                "name": _("Check-ins"),
                "type": "bar",
                "data": [d["checked_in"] for d in days],
                "color": "#198754",
            },
        ],
    }
