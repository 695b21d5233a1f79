from .views.inbox import inbox_urlpatterns
from .views.reports import reports_urlpatterns
from .views.setup import setup_urlpatterns

urlpatterns = [*inbox_urlpatterns, *setup_urlpatterns, *reports_urlpatterns]
