from .views.competitors import competitors_urlpatterns
from .views.goals import goals_urlpatterns
from .views.metrics import metrics_urlpatterns

urlpatterns = [*goals_urlpatterns, *metrics_urlpatterns, *competitors_urlpatterns]
