"""Words for moderation codes: what each suggested severity means."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..moderation.rules import Severity

SEVERITY_LABELS = {
    Severity.NONE: _("Nothing to do"),
    Severity.LOW: _("Delete the message and remind the sender (no strike)"),
    Severity.HIGH: _("Delete the message and add a strike (warn → mute → remove)"),
}
