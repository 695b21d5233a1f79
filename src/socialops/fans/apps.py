from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FansConfig(AppConfig):
    """People, fans, interactions, orders, segments, the value model, coupons and playbooks."""

    name = "socialops.fans"
    label = "fans"
    verbose_name = _("Fans")
