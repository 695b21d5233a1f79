from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Quality checks (compliance, originality, platform rules, brand) and the approval workflow."""

    name = "socialops.review"
    label = "review"
    verbose_name = _("Review")
