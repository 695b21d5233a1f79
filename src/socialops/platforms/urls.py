"""Pages of the platforms app (mounted under /w/<slug>/)."""

from .views import urlpatterns

__all__ = ["urlpatterns"]
