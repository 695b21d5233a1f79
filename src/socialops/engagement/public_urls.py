"""Public pages of the engagement app (no login): answering a poll, verifying a lucky draw."""

from .views.draws import draws_public_urlpatterns
from .views.polls import polls_public_urlpatterns

urlpatterns = [*polls_public_urlpatterns, *draws_public_urlpatterns]
