"""`socialops check --workspace W [--platform P] [--form F] [--advertising] [--json]` < text.

Reads a text from standard input and prints every finding of the content checks (check,
severity, start, end, matched text, message) with the workspace's term lists; the exit status
is 0 whatever it finds. Messages are in the workspace's language unless --language says
otherwise.

Without --workspace this is Django's own `check` (system checks), which it extends.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.check import Command as SystemCheckCommand
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialops.review.services.runner import run_checks
from socialops.textkit.platform_rules import PLATFORMS
from socialops.textkit.platform_rules import forms as platform_forms
from socialops.workspaces.models import Workspace

#: Longest text read (a 公众号 article is < 20,000 characters; Markdown adds some).
MAX_INPUT_CHARS = 200_000


class Command(SystemCheckCommand):
    help = (
        "With --workspace: run the content checks on a text read from standard input and print the "
        "findings (exit status 0 whatever they are). Without it: Django's system checks."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        group = parser.add_argument_group("content checks")
        group.add_argument("--workspace", help="workspace slug: check the text on standard input")
        group.add_argument("--platform", choices=PLATFORMS, help="apply this platform's rules")
        group.add_argument("--form", help="the platform's form (e.g. weibo: post or long; default its first)")
        group.add_argument("--title", default="", help="a title to check with the text")
        group.add_argument(
            "--advertising", action="store_true", help="the text is an ad: require the disclosure"
        )
        group.add_argument("--json", action="store_true", help="print JSON")
        group.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages",
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        if not options.get("workspace"):
            super().handle(*app_labels, **options)
            return
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": options["workspace"]})
        platform = options.get("platform")
        form = options.get("form")
        if form and (not platform or form not in platform_forms(platform)):
            known = ", ".join(platform_forms(platform)) if platform else "—"
            raise CommandError(
                _("--form: %(form)s is not a form of this platform (%(known)s).")
                % {"form": form, "known": known}
            )
        text = _read_stdin()[:MAX_INPUT_CHARS]
        with translation.override(options.get("language") or workspace.locale):
            self._run(workspace, text, options)

    def _run(self, workspace: Workspace, text: str, options: dict[str, Any]) -> None:
        findings = run_checks(
            workspace=workspace,
            text_fields={"title": options.get("title") or "", "body": text},
            platform=options.get("platform"),
            form=options.get("form"),
            is_advertising=bool(options.get("advertising")),
        )
        if options.get("json"):
            out = {
                "workspace": workspace.slug,
                "platform": options.get("platform"),
                "form": options.get("form"),
                "count": len(findings),
                "blocking": any(f.blocking for f in findings),
                "findings": [
                    {
                        "check": f.check,
                        "severity": f.severity,
                        "field": f.field,
                        "start": f.start,
                        "end": f.end,
                        "matched": f.matched,
                        "message": f.message,
                        "suggestion": f.suggestion,
                    }
                    for f in findings
                ],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        if not findings:
            self.stdout.write(_("No findings."))
            return
        for f in findings:
            where = f"{f.field} {f.start}–{f.end}" if f.start is not None else f.field
            matched = f" “{f.matched}”" if f.matched else ""
            self.stdout.write(f"[{f.severity}] {f.check} {where}{matched}: {f.message}")
            if f.suggestion is not None:
                self.stdout.write("    " + _("Suggestion: %(text)s") % {"text": f.suggestion or "∅"})
        blocking = sum(1 for f in findings if f.blocking)
        self.stdout.write(
            ngettext(
                "%(n)s finding, %(blocking)s blocking.",
                "%(n)s findings, %(blocking)s blocking.",
                len(findings),
            )
            % {"n": len(findings), "blocking": blocking}
        )


def _read_stdin() -> str:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer.read().decode("utf-8-sig", errors="replace")
    return sys.stdin.read().removeprefix("\ufeff")
