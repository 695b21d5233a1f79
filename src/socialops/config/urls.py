"""URL map: pages, /api/v1/, /healthz."""

from django.urls import include, path

from socialops.config.api import api
from socialops.config.metrics import metrics_view
from socialops.fans.views.coupons import coupon_webhook
from socialops.platforms import push
from socialops.workspaces.urls import root_urlpatterns as workspace_root_urls

urlpatterns = [
    path("api/v1/", api.urls),
    # Prometheus (token or the machine itself; docs/metrics.md).
    path("metrics", metrics_view, name="metrics"),
    # WeChat pushes messages and events here (unauthenticated; checked by signature).
    path("hooks/wechat/<int:connection_id>/", push.wechat_push, name="wechat-push"),
    # Shops report coupon redemptions here (unauthenticated; checked by HMAC signature).
    path("hooks/coupons/<int:campaign_id>/", coupon_webhook, name="coupon-webhook"),
    # Public pages for fans (no login): polls, draw verification, event registration and check-in.
    path("p/", include("socialops.engagement.public_urls")),
    path("p/", include("socialops.community.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("socialops.web.urls")),
    path("", include(workspace_root_urls)),
    path("w/<slug:slug>/", include("socialops.workspaces.urls")),
    path("w/<slug:slug>/", include("socialops.accounts.urls")),
    path("w/<slug:slug>/", include("socialops.goals.urls")),
    path("w/<slug:slug>/", include("socialops.content.urls")),
    path("w/<slug:slug>/", include("socialops.analytics.urls")),
    path("w/<slug:slug>/", include("socialops.platforms.urls")),
    path("w/<slug:slug>/", include("socialops.review.urls")),
    path("w/<slug:slug>/", include("socialops.publishing.urls")),
    path("w/<slug:slug>/", include("socialops.fans.urls")),
    path("w/<slug:slug>/", include("socialops.engagement.urls")),
    path("w/<slug:slug>/", include("socialops.community.urls")),
    path("w/<slug:slug>/", include("socialops.insights.urls")),
]

handler400 = "socialops.web.views.error_400"
handler404 = "socialops.web.views.error_404"
handler500 = "socialops.web.views.error_500"
handler403 = "socialops.web.views.error_403"
