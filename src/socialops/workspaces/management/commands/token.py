"""`socialops token create USERNAME`: print a new API bearer token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from socialops.workspaces import services


class Command(BaseCommand):
    help = "Manage API tokens. `token create USERNAME [--name N]` prints a new bearer token."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="cli")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = get_user_model().objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['username']!r}.")
        _token, raw = services.api_token_create(user=user, name=opts["name"])
        self.stdout.write(raw)
