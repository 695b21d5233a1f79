"""Huey jobs of the engagement app: draws (freeze at the close time, tell the winners).

Both are idempotent: a draw is frozen once (its row is locked and its status checked), and a
winner is told once (a winner's notice moves from pending under a row lock).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ..models.draws import Draw, DrawStatus
from ..selectors.draws import public_link
from ..services import draw_notices, draws


@db_periodic_task(crontab(minute="*"))
def close_due_draws() -> int:
    """Every minute: freeze the entrant list of every draw whose close time has passed."""
    return draws.draws_close_due()


@db_task()
def notify_draw_winners(draw_id: int) -> dict[str, int]:
    """Tell a drawn draw's winners (ids only: a draw deleted or not drawn is a no-op)."""
    draw = Draw.objects.filter(pk=draw_id, status=DrawStatus.DRAWN).select_related("workspace").first()
    if draw is None:
        return {}
    return draw_notices.winners_notify(
        workspace=draw.workspace, actor=None, draw=draw, link=public_link(draw)
    )


def _notify_later(draw_id: int) -> None:
    notify_draw_winners(draw_id)


draws.notify_later[:] = [_notify_later]
