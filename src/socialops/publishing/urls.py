"""Pages of the publishing app (mounted under /w/<slug>/)."""

from .views import urlpatterns

__all__ = ["urlpatterns"]
