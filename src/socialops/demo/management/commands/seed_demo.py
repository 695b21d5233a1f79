"""`socialops demo`: create the demo workspace 「星曜科技」 with accounts, metrics, goals, strategies,
its content backlog, post history and the next two weeks' publishing plan."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.demo.seed import demo_delete, demo_seed, demo_workspace
from socialops.demo.specs import PASSWORD_ENV, demo_user_labels


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from exc


class Command(BaseCommand):
    help = (
        "Create the demo workspace (slug “demo”) with five logins, accounts, 180 days of metrics, goals, "
        "a content backlog and a two-week publishing plan."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo workspace already exists."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo workspace and its users first, then seed again.",
        )
        parser.add_argument(
            "--core-only",
            action="store_true",
            help="Seed only the first half (accounts to inbox), without campaigns, community and analyses.",
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Seed as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(
        self,
        *args: Any,
        if_empty: bool,
        reset: bool,
        today: dt.date | None,
        core_only: bool = False,
        **options: Any,
    ) -> None:
        started = time.monotonic()
        present = demo_workspace() is not None
        if present and if_empty and not reset:
            self.stdout.write(_("demo workspace already present"))
            return
        if present and not reset:
            raise CommandError(
                _(
                    "The demo workspace already exists. Run with --reset to delete and recreate it, or --if-empty."
                )
            )
        try:
            # One transaction: a failed seed leaves the database as it was, old demo included.
            with transaction.atomic():
                if reset:
                    demo_delete()
                result = demo_seed(today=today, extras=not core_only)
        except ValidationError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(
                _("The demo could not be created: %(details)s") % {"details": details}
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                _("Demo workspace “%(name)s” created at /w/%(slug)s/ in %(seconds).1f s.")
                % {
                    "name": result.workspace.name,
                    "slug": result.workspace.slug,
                    "seconds": time.monotonic() - started,
                }
            )
        )
        self.stdout.write(
            _(
                "%(accounts)d accounts, %(snapshots)d daily metric snapshots, %(goals)d goals, %(strategies)d strategies."
            )
            % {
                "accounts": len(result.accounts),
                "snapshots": result.snapshots,
                "goals": len(result.goals),
                "strategies": len(result.strategies),
            }
        )
        content = result.content
        self.stdout.write(
            _(
                "%(themes)d themes, %(items)d content items with %(variants)d platform versions, "
                "%(assets)d media files, %(posts)d imported posts."
            )
            % {
                "themes": len(content.themes),
                "items": len(content.items),
                "variants": content.variants,
                "assets": len(content.assets),
                "posts": sum(record.rows for record in content.imports.values()),
            }
        )
        self.stdout.write(
            _("Publishing plan %(start)s – %(end)s: %(placements)d posts planned.")
            % {
                "start": content.plan_start.isoformat(),
                "end": content.plan_end.isoformat(),
                "placements": content.placements,
            }
        )
        self.stdout.write(_("Log in as one of these users:"))
        for username, label in demo_user_labels():
            self.stdout.write(f"  {username:<10} {label}")
        self.stdout.write(
            _("Password for all of them: %(password)s (set %(env)s to choose another)")
            % {"password": result.password, "env": PASSWORD_ENV}
        )
