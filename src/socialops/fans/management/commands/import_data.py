"""`socialops import KIND FILE --workspace SLUG ...`: import data files from the command line.

    socialops import metrics FILE --workspace SLUG [--account ID_OR_HANDLE] [--actor USERNAME]
    socialops import posts FILE --workspace SLUG --account ID_OR_HANDLE --mapping NAME [--actor USERNAME]
    socialops import orders FILE --workspace SLUG --mapping NAME [--actor USERNAME]

A rejected file prints one line per problem (``line 7, new_followers: must be ≥ 0``), changes
nothing and exits with status 1.

It lives in fans, the highest of the apps whose files it imports (analytics and goals below it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from socialops.analytics import services as post_services
from socialops.core.imports import MAX_IMPORT_BYTES, ImportRejected, import_summary
from socialops.goals.imports import AccountResolver
from socialops.goals.services import metrics as metric_services
from socialops.workspaces.models import Workspace

from ...services import orders as order_services


class Command(BaseCommand):
    help = (
        "Import a data file. Kinds: metrics (daily account figures from CSV or XLSX), "
        "posts (one account's post history through a saved column mapping), "
        "orders (order or CRM lines through a saved order mapping or a preset)."
    )

    def add_arguments(self, parser: Any) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        metrics = kinds.add_parser(
            "metrics",
            help="daily metric snapshots (CSV or XLSX); the whole file or nothing",
            description="Import daily account figures. Columns: date, account (id or handle) and any metrics.",
        )
        metrics.add_argument("--account", help="account id or handle for rows that name none")
        posts = kinds.add_parser(
            "posts",
            help="one account's post history with per-post metrics (CSV or XLSX); the whole file or nothing",
            description="Import an account's post export through a saved column mapping (or a preset's name).",
        )
        posts.add_argument("--account", required=True, help="account id or handle the posts belong to")
        posts.add_argument(
            "--mapping", required=True, help="saved column mapping (name or id) or a preset's name"
        )
        orders = kinds.add_parser(
            "orders",
            help="order or CRM lines (CSV or XLSX); the whole file or nothing",
            description="Import order lines through a saved order mapping (or a preset's name, e.g. online-retail).",
        )
        orders.add_argument(
            "--mapping", required=True, help="saved order mapping (name or id) or a preset's name"
        )
        for kind in (metrics, posts, orders):
            kind.add_argument("file", help="path of the CSV or XLSX file")
            kind.add_argument("--workspace", required=True, help="workspace slug")
            kind.add_argument("--actor", help="username to record as the importer (default: system)")
            kind.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["kind"] == "metrics":
            self._import_metrics(opts)
        elif opts["kind"] == "posts":
            self._import_posts(opts)
        elif opts["kind"] == "orders":
            self._import_orders(opts)

    def _context(self, opts: dict[str, Any]) -> tuple[Workspace, Any, Any]:
        """The workspace, the actor (None = system) and the --account of the command line."""
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {opts['workspace']!r}.")
        actor = None
        if opts.get("actor"):
            actor = get_user_model().objects.filter(username=opts["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {opts['actor']!r}.")
        account = None
        if opts.get("account"):
            account, reason = AccountResolver(workspace).resolve(opts["account"])
            if account is None:
                raise CommandError(f"--account: {reason}")
        return workspace, actor, account

    def _import_metrics(self, opts: dict[str, Any]) -> None:
        workspace, actor, account = self._context(opts)

        def run(path: Path, content: bytes, progress: Callable[[int, int], None]) -> Any:
            return metric_services.metrics_import(
                workspace=workspace,
                actor=actor,
                file_name=path.name,
                content=content,
                account=account,
                progress=progress,
            )

        self._run(opts, run, f"{opts.get('actor')} may not import metrics into {workspace.slug}.")

    def _import_posts(self, opts: dict[str, Any]) -> None:
        workspace, actor, account = self._context(opts)

        def run(path: Path, content: bytes, progress: Callable[[int, int], None]) -> Any:
            mapping = post_services.mapping_for_import(workspace=workspace, actor=actor, ref=opts["mapping"])
            return post_services.posts_import(
                workspace=workspace,
                actor=actor,
                account=account,
                mapping=mapping,
                file_name=path.name,
                content=content,
                progress=progress,
            )

        self._run(opts, run, f"{opts.get('actor')} may not import posts into {workspace.slug}.")

    def _import_orders(self, opts: dict[str, Any]) -> None:
        workspace, actor, _account = self._context(opts)

        def run(path: Path, content: bytes, progress: Callable[[int, int], None]) -> Any:
            mapping = order_services.order_mapping_for_import(
                workspace=workspace, actor=actor, ref=opts["mapping"]
            )
            return order_services.orders_import(
                workspace=workspace,
                actor=actor,
                mapping=mapping,
                file_name=path.name,
                content=content,
                progress=progress,
            )

        self._run(
            opts,
            run,
            f"{opts.get('actor')} may not import orders into {workspace.slug}.",
            summary=order_services.order_import_summary,
        )

    def _run(
        self,
        opts: dict[str, Any],
        run: Callable[[Path, bytes, Callable[[int, int], None]], Any],
        forbidden: str,
        summary: Callable[[Any], str] = import_summary,
    ) -> None:
        """Read the file, run the import with progress bars, and report the outcome or every problem."""
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise CommandError(f"{path.name} is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB; split it.")
        content = path.read_bytes()

        stream = getattr(self.stderr, "_out", sys.stderr)
        checking = _("%(file)s: checking") % {"file": path.name}
        writing = _("%(file)s: writing") % {"file": path.name}
        bars: dict[str, tqdm[Any]] = {}

        def progress(done: int, total: int) -> None:
            # The service counts two passes over the rows (checking, then writing); each gets a bar.
            rows = total // 2
            phase = writing if done > rows else checking
            bar = bars.get(phase)
            if bar is None:
                close_bars()
                bar = bars[phase] = tqdm(
                    total=rows, unit="row", desc=phase, file=stream, disable=opts["no_progress"]
                )
            bar.n = done - rows if phase == writing else done
            bar.refresh()

        def close_bars() -> None:
            for bar in bars.values():
                bar.close()

        try:
            record = run(path, content, progress)
        except ImportRejected as exc:  # every kind reports a rejected file alike
            close_bars()
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                ngettext(
                    "%(file)s was not imported: %(n)s problem; nothing was changed.",
                    "%(file)s was not imported: %(n)s problems; nothing was changed.",
                    count,
                )
                % {"file": path.name, "n": count}
            ) from exc
        except ValidationError as exc:
            close_bars()
            raise CommandError("; ".join(exc.messages)) from exc
        except (PermissionDenied, Http404) as exc:
            close_bars()
            raise CommandError(forbidden) from exc
        close_bars()
        self.stdout.write(summary(record))
