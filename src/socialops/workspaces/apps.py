from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    """Workspaces, memberships and roles, API tokens and the audit log."""

    name = "socialops.workspaces"
    label = "workspaces"
    verbose_name = _("Workspaces")

    def ready(self) -> None:
        # Imported here: models must be loaded first.
        from . import retention

        retention.register_rules()
