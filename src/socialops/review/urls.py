from .views.checks import checks_urlpatterns
from .views.workflow import workflow_urlpatterns

urlpatterns = [*checks_urlpatterns, *workflow_urlpatterns]
