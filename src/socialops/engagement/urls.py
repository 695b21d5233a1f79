from .views.campaigns import campaigns_urlpatterns
from .views.draws import draws_urlpatterns
from .views.inbox import inbox_urlpatterns
from .views.polls import polls_urlpatterns
from .views.reports import reports_urlpatterns
from .views.setup import setup_urlpatterns

urlpatterns = [
    *inbox_urlpatterns,
    *setup_urlpatterns,
    *reports_urlpatterns,
    *campaigns_urlpatterns,
    *polls_urlpatterns,
    *draws_urlpatterns,
]
