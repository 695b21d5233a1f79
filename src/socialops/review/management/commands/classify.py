"""`socialops classify --workspace W [--json] [--language L]` < messages, one a line.

Prints, for each non-blank line of standard input, its sentiment (positive / neutral /
negative), the score P(positive) and the intent (question, complaint, praise, purchase, other),
computed offline by the model of ``socialops.textkit.sentiment`` (see docs/sentiment.md). With
--json: one JSON object a line, ``{"text", "sentiment", "score", "intent"}`` with the labels as
these English codes; otherwise a readable table in the workspace's language.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from socialops.textkit.sentiment import classify
from socialops.workspaces.models import Workspace

#: Longest line classified (longer lines are cut; a comment or DM is far shorter).
MAX_LINE_CHARS = 5_000
#: Most lines read from standard input.
MAX_LINES = 100_000

LABELS = {
    "positive": pgettext_lazy("sentiment", "positive"),
    "neutral": pgettext_lazy("sentiment", "neutral"),
    "negative": pgettext_lazy("sentiment", "negative"),
    "question": pgettext_lazy("intent", "question"),
    "complaint": pgettext_lazy("intent", "complaint"),
    "praise": pgettext_lazy("intent", "praise"),
    "purchase": pgettext_lazy("intent", "purchase intent"),
    "other": pgettext_lazy("intent", "other"),
}


class Command(BaseCommand):
    help = (
        "Classify the messages on standard input (one a line): sentiment with its score, and intent. "
        "Offline, no network."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--json", action="store_true", help="print one JSON object a line")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the table (default: the workspace's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": options["workspace"]})
        lines = [line.strip() for line in _read_stdin().splitlines()[:MAX_LINES]]
        results = [(text, classify(text[:MAX_LINE_CHARS])) for text in lines if text]
        if options["json"]:
            for text, c in results:
                self.stdout.write(json.dumps({"text": text, **c.as_dict()}, ensure_ascii=False))
            return
        with translation.override(options.get("language") or workspace.locale):
            if not results:
                self.stdout.write(_("No messages on standard input."))
                return
            self.stdout.write("\t".join([_("Sentiment"), _("Score"), _("Intent"), _("Message")]))
            for text, c in results:
                self.stdout.write(f"{LABELS[c.sentiment]}\t{c.score:.3f}\t{LABELS[c.intent]}\t{text}")


def _read_stdin() -> str:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer.read().decode("utf-8-sig", errors="replace")
    return sys.stdin.read().removeprefix("\ufeff")
