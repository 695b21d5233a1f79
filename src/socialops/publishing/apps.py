from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The publishing engine: scheduled publications, attempts, reconciliation, the sweeper."""

    name = "socialops.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        # Imported here, not at the top: models must be loaded first. receivers connects to
        # platforms' manual_posted; tasks connects the Huey sender to queue.publish_requested.
        from . import receivers, tasks  # noqa: F401

        receivers.connect()
        from . import retention

        retention.register_rules()
