"""`socialops fans segments|refresh|value-model --workspace SLUG …`: segments and the value model from the shell.

socialops fans segments --workspace acme --json     each tier and segment with its size
socialops fans refresh --workspace acme             scores, tiers and segments now (progress bar)
socialops fans value-model --workspace acme [--until 2024-06-30] [--unit day|week] [--json]
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from socialops.workspaces.models import Workspace

from ...selectors.segments import segments_for_system
from ...services import segments as svc


class Command(BaseCommand):
    help = "Fans: list segments and tiers with their sizes, refresh them, or fit the customer-value model."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        segments = sub.add_parser("segments", help="each tier and segment with its size")
        segments.add_argument("--workspace", required=True, help="the workspace's slug")
        segments.add_argument("--json", action="store_true", help="print JSON instead of a table")
        refresh = sub.add_parser("refresh", help="recompute scores, tiers and segments now")
        refresh.add_argument("--workspace", required=True, help="the workspace's slug")
        refresh.add_argument("--json", action="store_true", help="print the result as JSON")
        value = sub.add_parser("value-model", help="fit the customer-value model (BG/NBD + Gamma-Gamma)")
        value.add_argument("--workspace", required=True, help="the workspace's slug")
        value.add_argument(
            "--until", type=dt.date.fromisoformat, default=None, help="observation end (YYYY-MM-DD)"
        )
        value.add_argument("--unit", choices=("day", "week"), default="day", help="time unit of the model")
        value.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        action = opts["action"]
        if action == "segments":
            self._segments(workspace, as_json=opts["json"])
        elif action == "refresh":
            self._refresh(workspace, as_json=opts["json"])
        else:
            # Written by the value-model area; imported here so this command works without it.
            from socialops.fans.cli_value import run_value_model  # type: ignore[import-not-found, unused-ignore]

            run_value_model(
                workspace_slug=workspace.slug,
                until=opts["until"],
                unit=opts["unit"],
                as_json=opts["json"],
                stdout=cast(Any, self.stdout),  # an OutputWrapper: a text stream
            )

    def _segments(self, workspace: Workspace, *, as_json: bool) -> None:
        rows = [
            {
                "id": s.pk,
                "name": s.name,
                "kind": s.kind,
                "rank": s.rank,
                "size": s.size,
                "refreshed_at": s.refreshed_at.isoformat() if s.refreshed_at else None,
            }
            for s in segments_for_system(workspace=workspace)
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(_("No tiers or segments yet: run `socialops fans refresh`."))
            return
        for r in rows:
            label = _("tier") if r["kind"] == "tier" else _("segment")
            self.stdout.write(f"{r['id']:>6}  {label}  {r['size']:>10}  {r['name']}")

    def _refresh(self, workspace: Workspace, *, as_json: bool) -> None:
        from tqdm import tqdm

        bar: dict[str, Any] = {}

        def progress(label: str, done: int, total: int) -> None:
            if "bar" not in bar:
                # tqdm draws with carriage returns: give it the raw stream, not the line-ending wrapper.
                stream = getattr(self.stderr, "_out", self.stderr)
                bar["bar"] = tqdm(total=total, file=stream, unit=_("step"), disable=as_json)
            b = bar["bar"]
            b.set_description(label)
            b.update(done - b.n)

        try:
            results = svc.segments_refresh(workspace=workspace, actor=None, progress=progress)
        finally:
            if "bar" in bar:
                bar["bar"].close()
        if as_json:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        for r in results:
            self.stdout.write(
                _("%(name)s: %(size)s (+%(entered)s, −%(left)s)")
                % {"name": r["name"], "size": r["size"], "entered": r["entered"], "left": r["left"]}
            )
