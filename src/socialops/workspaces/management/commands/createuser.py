"""`socialops createuser USERNAME`: create a login, optionally adding it to a workspace."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from socialops.workspaces import services
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Role


class Command(BaseCommand):
    help = "Create a user (password from --password or a prompt); --workspace/--role add a membership."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--password")
        parser.add_argument("--email", default="")
        parser.add_argument("--workspace", help="workspace slug")
        parser.add_argument("--role", choices=Role.values, default=Role.ADMIN)
        parser.add_argument("--superuser", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = opts["password"] or getpass.getpass("Password: ")
        workspace = None
        if opts["workspace"]:
            workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace with slug {opts['workspace']!r}.")
        try:
            with transaction.atomic():
                user = services.user_create(
                    actor=None,
                    username=opts["username"],
                    password=password,
                    email=opts["email"],
                    is_superuser=opts["superuser"],
                )
                if workspace is not None:
                    services.membership_add(workspace=workspace, actor=None, user=user, role=opts["role"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Created user {user.username}."))
