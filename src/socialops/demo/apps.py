from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo workspace 「星曜科技」: its data files, `socialops demo` and `socialops demo_publish_loop`."""

    name = "socialops.demo"
    label = "demo"
    verbose_name = _("Demo")
