"""Public pages of the community app (no login): event registration, check-in."""

from .views.events import events_public_urlpatterns
from .views.groups import groups_public_urlpatterns

urlpatterns = [*groups_public_urlpatterns, *events_public_urlpatterns]
