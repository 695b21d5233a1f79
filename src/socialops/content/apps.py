from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """Themes, content items and variants, media assets, the marketing calendar and the plan."""

    name = "socialops.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        # The audit log names an item's workflow state (a plain code here) in the reader's language.
        from socialops.workspaces.presenters import register_value_labels

        from .presenters import STATUS_LABELS

        register_value_labels("content.contentitem", "status", STATUS_LABELS)
