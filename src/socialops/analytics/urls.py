"""Pages of the analytics app, under /w/<slug>/analytics/."""

from .views import urlpatterns_pages

urlpatterns = [*urlpatterns_pages]
