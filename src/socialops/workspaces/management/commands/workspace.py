"""`socialops workspace create SLUG --name NAME [--owner USER] [--json]`: add a client workspace from the shell."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.workspaces import services
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Role


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Manage workspaces. `workspace create SLUG --name NAME [--owner USER] [--json]` adds one (audited)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a workspace; --owner becomes its admin")
        create.add_argument("slug")
        create.add_argument("--name", required=True, help="the workspace's name as members see it")
        create.add_argument("--owner", default="", help="username of the first admin")
        create.add_argument("--timezone", default="Asia/Shanghai")
        create.add_argument("--locale", default="zh-hans")
        create.add_argument("--json", action="store_true", help="print the created workspace as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "create":
            self._create(opts)

    def _create(self, opts: dict[str, Any]) -> None:
        slug = opts["slug"].strip()
        owner = None
        if opts["owner"]:
            owner = get_user_model().objects.filter(username=opts["owner"], is_active=True).first()
            if owner is None:
                raise CommandError(_("No active user “%(username)s”.") % {"username": opts["owner"]})
        # Checked first so the answer names the slug rather than repeating the model's message.
        if Workspace.objects.filter(slug=slug).exists():
            raise CommandError(_("The slug “%(slug)s” is already taken.") % {"slug": slug})
        try:
            with transaction.atomic():
                # The system creates it (the audit log says so); the owner is added as its admin.
                workspace = services.workspace_create(
                    actor=SYSTEM,
                    name=opts["name"].strip(),
                    slug=slug,
                    timezone=opts["timezone"],
                    locale=opts["locale"],
                )
                if owner is not None:
                    services.membership_add(workspace=workspace, actor=SYSTEM, user=owner, role=Role.ADMIN)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        if opts["json"]:
            data = {
                "id": workspace.pk,
                "slug": workspace.slug,
                "name": workspace.name,
                "timezone": workspace.timezone,
                "locale": workspace.locale,
                "owner": owner.get_username() if owner is not None else None,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Created workspace “%(name)s” (%(slug)s).") % {"name": workspace.name, "slug": slug}
            )
        )
