from .views.coupons import coupons_urlpatterns
from .views.orders import orders_urlpatterns
from .views.people import people_urlpatterns
from .views.playbooks import playbooks_urlpatterns
from .views.segments import segments_urlpatterns

urlpatterns = [
    *people_urlpatterns,
    *orders_urlpatterns,
    *segments_urlpatterns,
    *coupons_urlpatterns,
    *playbooks_urlpatterns,
]
