"""The web pages: each sub-domain's own URLconf, included by name."""

from django.urls import include, path

urlpatterns = [
    path("", include("agreements.stats.urls")),
    path("public/", include("agreements.public.urls")),
]
