from django.contrib import admin
from django.urls import include, path

from registry import health

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switcher posts to set_language, which remembers the choice in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include("registry.api.urls")),
    path("", include("agreements.urls")),
]

# A database error raised outside a view is a 503 JSON answer too, and an unknown path under
# /api/ a JSON 404 (registry/unavailable.py).
handler404 = "registry.unavailable.page_not_found"
handler500 = "registry.unavailable.server_error"
