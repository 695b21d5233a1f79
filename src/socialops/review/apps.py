from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Quality checks (compliance, originality, platform rules, brand) and the approval workflow."""

    name = "socialops.review"
    label = "review"
    verbose_name = _("Review")

    def ready(self) -> None:
        # Imported here: receivers import models, which must wait until the app registry is ready.
        from . import receivers

        receivers.connect()
        from . import retention

        retention.register_rules()
