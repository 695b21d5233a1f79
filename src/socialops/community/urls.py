from .views.events import events_urlpatterns
from .views.groups import groups_urlpatterns
from .views.moderation import moderation_urlpatterns

urlpatterns = [*groups_urlpatterns, *events_urlpatterns, *moderation_urlpatterns]
