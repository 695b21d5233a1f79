"""`socialops draw verify DRAW_ID [--entrants FILE] [--seed S]`: recompute a lucky draw from its published data.

Prints whether the entrant list's SHA-256 matches the commitment, whether the seed matches its
commitment, and whether the winners recomputed from the list and the seed match the published
winners. Exit code 0 when everything matches, 1 otherwise.

By default the list is the stored published list and the seed the revealed one; --entrants reads
a copy of the published list file instead (its bytes are hashed as they are), --seed another seed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...draw_algorithm import CanonicalError
from ...models.draws import Draw
from ...selectors.draws import draw_verification, published_winners


def _mark(passed: bool | None) -> str:
    return "—" if passed is None else ("OK" if passed else "FAIL")


class Command(BaseCommand):
    help = "Lucky draws: verify a draw's winners from its published entrant list and seed."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the list hash and the winners of one draw")
        verify.add_argument("draw_id", type=int, help="the draw's number")
        verify.add_argument("--entrants", default=None, help="a copy of the published entrant list file")
        verify.add_argument("--seed", default=None, help="the seed to use (default: the revealed seed)")

    def handle(self, *args: Any, **opts: Any) -> None:
        draw = Draw.objects.filter(pk=opts["draw_id"]).first()
        if draw is None:
            raise CommandError(_("No draw with the number %(id)s.") % {"id": opts["draw_id"]})
        content = None
        if opts["entrants"]:
            try:
                content = Path(opts["entrants"]).read_bytes()
            except OSError as exc:
                raise CommandError(str(exc)) from exc
        try:
            result = draw_verification(draw, file_bytes=content, seed=opts["seed"])
        except CanonicalError as exc:
            raise CommandError(_("The entrant list cannot be read: %(why)s") % {"why": exc}) from exc
        out = self.stdout
        out.write(
            _("Draw %(id)s “%(name)s” (%(status)s)")
            % {"id": draw.pk, "name": draw.name, "status": draw.status}
        )
        out.write(_("Entrants read: %(n)s") % {"n": result.entrants})
        out.write(
            _("List SHA-256 %(hash)s, commitment %(committed)s: %(mark)s")
            % {
                "hash": result.list_hash or "—",
                "committed": draw.entrants_hash or "—",
                "mark": _mark(result.list_ok),
            }
        )
        out.write(
            _("Seed matches its commitment %(hash)s: %(mark)s")
            % {"hash": draw.seed_hash, "mark": _mark(result.seed_ok)}
        )
        out.write(_("Recomputed winners: %(ids)s") % {"ids": ", ".join(result.winners) or "—"})
        out.write(_("Published winners:  %(ids)s") % {"ids": ", ".join(published_winners(draw)) or "—"})
        if result.winners_ok:
            out.write(_("The winners match."))
        elif result.winners_ok is False:
            out.write(_("The winners do NOT match."))
        else:
            out.write(_("The winners are not drawn yet: nothing to compare."))
        if result.ok:
            out.write(_("Verified: everything matches."))
            return
        out.write(_("NOT verified."))
        sys.exit(1)
