from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Layout, login pages, health check and shared UI pieces."""

    name = "socialops.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        # Process-wide wiring that belongs to no one app: the request id travels into the jobs a
        # request enqueues, and the optional error reporter starts (socialops.core.logs).
        from importlib.metadata import PackageNotFoundError, version

        from django.conf import settings
        from huey.contrib.djhuey import HUEY

        from socialops.core.logs import init_error_reporter, install_job_context

        install_job_context(HUEY)
        if settings.SENTRY_DSN:
            try:
                release = f"socialops@{version('socialops')}"
            except PackageNotFoundError:
                release = ""
            init_error_reporter(settings.SENTRY_DSN, release=release, environment=settings.SENTRY_ENVIRONMENT)
