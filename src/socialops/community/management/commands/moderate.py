"""`socialops moderate --workspace W [--json]`: judge group messages read from standard input, one a line.

Each line is a message: plain text, or a JSON object {"text": …, "has_image_qr": …} (optionally
"sender" and "sent_at" as ISO time, so repeats and floods across the lines are seen too). Each
message gets one verdict line, under the workspace's moderation policy; nothing is stored.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from socialops.workspaces.models import Workspace

from ...moderation.engine import MessageFacts, judge
from ...selectors.moderation import policy_for

MAX_LINE_CHARS = 20_000


class Command(BaseCommand):
    help = "Judge group messages from standard input (one a line) with a workspace's moderation rules."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--json", action="store_true", help="print one JSON verdict a line")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], help="language of the reasons"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        policy = policy_for(workspace)
        history: list[MessageFacts] = []
        with translation.override(opts.get("language") or workspace.locale):
            for number, line in enumerate(_lines(), start=1):
                if not line.strip():
                    continue
                facts = _facts(line[:MAX_LINE_CHARS], number)
                verdict = judge(facts, policy, history)
                if facts.sent_at is not None:
                    history.append(facts)
                if opts["json"]:
                    data = verdict.as_dict()
                    self.stdout.write(json.dumps(data, ensure_ascii=False))
                elif verdict.spam:
                    self.stdout.write(f"{number}: {verdict.rule} · {verdict.reason}")
                else:
                    self.stdout.write(f"{number}: ok")


def _lines() -> Any:
    """Standard input line by line, as UTF-8 (a BOM dropped)."""
    buffer = getattr(sys.stdin, "buffer", None)
    text = buffer.read().decode("utf-8-sig", errors="replace") if buffer is not None else sys.stdin.read()
    return text.removeprefix("\ufeff").splitlines()


def _facts(line: str, number: int) -> MessageFacts:
    """One input line as the engine's facts (a JSON object, or the line itself as the text)."""
    stripped = line.strip()
    if not stripped.startswith("{"):
        return MessageFacts(text=line)
    try:
        data = json.loads(stripped)
    except ValueError:
        return MessageFacts(text=line)
    if not isinstance(data, dict):
        return MessageFacts(text=line)
    text = data.get("text", "")
    if not isinstance(text, str):
        raise CommandError(_("Line %(n)d: “text” must be a string.") % {"n": number})
    qr = bool(data.get("has_image_qr", False))
    sent_at = None
    if data.get("sent_at"):
        try:
            sent_at = datetime.fromisoformat(str(data["sent_at"]))
        except ValueError as exc:
            raise CommandError(
                _("Line %(n)d: “sent_at” is not an ISO date and time.") % {"n": number}
            ) from exc
    return MessageFacts(
        text=text,
        sender=str(data.get("sender", "")),
        sent_at=sent_at,
        has_image=qr or bool(data.get("has_image", False)),
        image_has_qr=qr,
    )
