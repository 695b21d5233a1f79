from .views.calendar import calendar_urlpatterns
from .views.items import items_urlpatterns
from .views.plan import plan_urlpatterns
from .views.saved_views import saved_view_urlpatterns

urlpatterns = [*items_urlpatterns, *calendar_urlpatterns, *plan_urlpatterns, *saved_view_urlpatterns]
