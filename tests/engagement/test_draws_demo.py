"""The demo's lucky draw: finished, with entrants, winners told or marked manual, and it verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from socialops.demo.dates import demo_today
from socialops.demo.draws import draws_summary, seed_draws
from socialops.demo.seed import demo_seed
from socialops.engagement.models.draws import DrawEntrant, DrawStatus, NoticeStatus

pytestmark = pytest.mark.django_db


def test_the_demo_draw_is_finished_and_verifies() -> None:
    result = demo_seed()
    draw = seed_draws(result.workspace, demo_today())
    assert draw.status == DrawStatus.DRAWN and draw.entrant_count >= 5
    summary = draws_summary(draw)
    print("demo draw:", summary)
    assert summary["winners"] == 5
    assert summary["told_by_inbox"] + summary["to_tell_by_hand"] == 5
    assert not draw.winners.filter(notice=NoticeStatus.PENDING).exists()
    # The staff identity is not among the entrants.
    assert DrawEntrant.objects.filter(draw=draw).count() == draw.entrant_count
    out = io.StringIO()
    call_command("draw", "verify", str(draw.pk), stdout=out)  # exit 0: no SystemExit
    assert "The winners match." in out.getvalue()
