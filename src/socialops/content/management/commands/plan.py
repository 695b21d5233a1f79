"""`socialops plan --workspace W --from DATE --to DATE [--accounts id_or_handle,…] [--actor USER] [--json]`.

Runs the plan generator for the period (as the system, or as a member with --actor) and prints the
placements with their explanations, the empty slots and the short themes.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from socialops.content.selectors import plan as sel
from socialops.content.services import plan as svc
from socialops.workspaces.models import Workspace


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(option)s: use a date like 2026-02-14.") % {"option": name}) from None


class Command(BaseCommand):
    help = "Generate the publishing plan of a period and print its placements, empty slots and short themes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--from", dest="start", required=True, help="first date (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", required=True, help="last date, inclusive (YYYY-MM-DD)")
        parser.add_argument(
            "--accounts", default="", help="account ids or handles, comma-separated (default: all ours)"
        )
        parser.add_argument(
            "--actor", default="", help="run as this member (checks their permission); default: the system"
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    # Long on purpose: one linear script (find workspace, actor, accounts; run; print text or JSON)
    # reads best top to bottom, as the command's --help describes it.
    def handle(self, *args: Any, **opts: Any) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        start, end = _date(opts["start"], "--from"), _date(opts["end"], "--to")
        actor = None
        if opts["actor"]:
            actor = get_user_model().objects.filter(username=opts["actor"]).first()
            if actor is None:
                raise CommandError(_("No user named “%(name)s”.") % {"name": opts["actor"]})
        refs = [r for r in opts["accounts"].split(",") if r.strip()]
        try:
            if refs:
                accounts = sel.accounts_by_ref(workspace=workspace, refs=refs)
            else:
                accounts = list(sel.own_accounts_for_system(workspace=workspace))
            run = svc.plan_generate(workspace=workspace, actor=actor, start=start, end=end, accounts=accounts)
        except Http404 as exc:
            raise CommandError(_("No own account “%(ref)s” in this workspace.") % {"ref": exc}) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        view = sel.report_view(run)
        placements = [sel.placement_as_dict(workspace, p) for p in sel.placements_of_run(run=run)]
        if opts["json"]:
            out = {
                "run": run.pk,
                "period": {"from": start.isoformat(), "to": end.isoformat()},
                "accounts": [
                    {"id": a.pk, "handle": a.handle, "display_name": a.display_name} for a in accounts
                ],
                "placements": [
                    {
                        "id": p["id"],
                        "time": p["local_time"],
                        "starts_at": p["starts_at"].isoformat(),
                        "account_id": p["account_id"],
                        "account": p["account"],
                        "item_id": p["item_id"],
                        "item": p["item_title"],
                        "theme": p["theme"],
                        "form": p["form"],
                        "explanation": p["explanation"],
                        "explanation_text": p["explanation_text"],
                    }
                    for p in placements
                ],
                "empty_slots": {
                    "total": view["empty_total"],
                    "by_account": [
                        {"account_id": r["account"], "account": r["label"], "empty": r["empty"]}
                        for r in view["by_account"]
                    ],
                    "days": [
                        {
                            "account_id": e["account"],
                            "account": e["account_label"],
                            "date": e["date"],
                            "count": e["count"],
                        }
                        for e in view["empty_slots"]
                    ],
                },
                "short_themes": [
                    {
                        k: s[k]
                        for k in (
                            "account",
                            "account_label",
                            "theme",
                            "theme_name",
                            "target_pct",
                            "needed",
                            "placed",
                            "missing",
                        )
                    }
                    for s in view["short_themes"]
                ],
                "unplaced": [
                    {
                        "item_id": u["item"],
                        "item": u["title"],
                        "account_id": u["account"],
                        "reason": u["reason"],
                        "reason_text": u["reason_text"],
                    }
                    for u in view["unplaced"]
                ],
                "warnings": view["warnings"],
                "uncovered_years": view["uncovered_years"],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("Plan %(start)s – %(end)s: %(n)s posts placed, %(empty)s empty slots.")
            % {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "n": len(placements),
                "empty": view["empty_total"],
            }
        )
        for p in placements:
            self.stdout.write(f"{p['local_time']}  {p['account']}  {p['item_title']}  [{p['theme']}]")
            for text in p["explanation_text"]:
                self.stdout.write(f"    - {text}")
        for row in view["by_account"]:
            if row["empty"]:
                self.stdout.write(
                    _("Empty slots: %(account)s %(n)s") % {"account": row["label"], "n": row["empty"]}
                )
        for s in view["short_themes"]:
            self.stdout.write(
                _("Short theme: %(account)s · %(theme)s needs %(needed)s, has %(placed)s")
                % {
                    "account": s["account_label"],
                    "theme": s["theme_name"],
                    "needed": s["needed"],
                    "placed": s["placed"],
                }
            )
        for text in view["warnings"]:
            self.stdout.write(_("Warning: %(text)s") % {"text": text})
