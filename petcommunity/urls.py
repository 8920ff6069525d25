from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from communities.views.account import admin_login
from communities.views.feed import home
from metrics.urls import pod_urlpatterns as metrics_pod_urls
from moderation.urls import pod_urlpatterns as moderation_pod_urls

from . import health

# allauth answers its own rate limits through ROOT_URLCONF.handler429: same page, plus Retry-After.
handler429 = "petcommunity.ratelimit.handler429"
# A database lost while loading the session or member (middleware, before any view) is a clean 503 too.
handler500 = "petcommunity.middleware.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before admin.site.urls so the admin's own login goes through the failure throttle.
    path("admin/login/", admin_login, name="admin_login_throttled"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Pod insights and the pulse live in the metrics app; listed first so no pod URL can shadow them.
    path("pods/", include((metrics_pod_urls, "metrics_pods"))),
    path("pods/", include((moderation_pod_urls, "moderation_pods"))),
    path("pods/", include("microgroups.urls")),
    path("moderation/", include("moderation.urls")),
    path("metrics/", include("metrics.urls")),
    path("search/", include("search.urls")),
    path("messages/", include("messaging.urls")),
    path("", include("api.urls")),
    path("", home, name="home"),
    path("", include("communities.urls")),
]

# Uploads on local disk (no MEDIA_S3_BUCKET) are served by the app from MEDIA_ROOT, which every web replica
# shares (one directory, or one volume mounted by every replica): an upload through one replica is served
# through any, and the proxy sends /media/ to the replicas like any page. Names are random and the files
# re-encoded images. With a bucket the proxy serves /media/ from it and the app serves none.
if settings.DEBUG or settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    from django.views.static import serve

    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
