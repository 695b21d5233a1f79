"""Shared set-up of the lucky-draw tests: an account, fans who commented the keyword, a draw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from tests.factories import make_account, make_draw, make_fan, make_interaction


def comment(fan: Any, text: str, *, when: dt.datetime | None = None) -> Any:
    """A comment that does not open an inbox thread (written directly)."""
    return make_interaction(fan, InteractionKind.COMMENT, text=text, when=when or timezone.now())


def direct_message(fan: Any, text: str, ext: str) -> Any:
    """A direct message filed in an inbox thread by the inbox's hook."""
    interaction, _created = interaction_record(
        workspace=fan.workspace,
        fan=fan,
        kind=InteractionKind.MESSAGE,
        occurred_at=timezone.now(),
        source=InteractionSource.PULL,
        text=text,
        external_id=ext,
    )
    return interaction


def keyword_draw(workspace: Any, entrants: int = 5, **fields: Any) -> tuple[Any, list[Any]]:
    """A keyword draw and ``entrants`` fans who commented the keyword after it opened."""
    account = make_account(workspace, "acme_mp", "mastodon")
    draw = make_draw(workspace, accounts=[account], **fields)
    fans = []
    for n in range(entrants):
        fan = make_fan(account, f"fan-{n}", display_name=f"粉丝{n}", handle=f"fan{n}")
        comment(fan, f"我要抽奖 {n}")
        fans.append(fan)
    return draw, fans
