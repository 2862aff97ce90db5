from django.contrib import admin
from django.urls import include, path

from registry import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include("registry.api.urls")),
    path("", include("agreements.urls")),
]
