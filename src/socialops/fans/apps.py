from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FansConfig(AppConfig):
    """People, fans, interactions, orders, segments, the value model, coupons and playbooks."""

    name = "socialops.fans"
    label = "fans"
    verbose_name = _("Fans")

    def ready(self) -> None:
        # Imported here, not at the top: models must be loaded first. receivers connects to
        # platforms' push hook; tasks registers the Huey jobs.
        from . import receivers, tasks  # noqa: F401
