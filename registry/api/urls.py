from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from agreements.api.calendar import CalendarFeedView
from agreements.api.stats import StatsView
from agreements.api.views import (
    CommitmentViewSet,
    CooperationAreaViewSet,
    DocumentViewSet,
    MemorandumViewSet,
)
from partners.api.views import InstitutionViewSet, PersonViewSet

from .audit import AuditExportView

router = DefaultRouter()
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("people", PersonViewSet, basename="person")
router.register("cooperation-areas", CooperationAreaViewSet, basename="cooperationarea")
router.register("memoranda", MemorandumViewSet, basename="memorandum")
router.register("documents", DocumentViewSet, basename="document")
router.register("commitments", CommitmentViewSet, basename="commitment")

urlpatterns = [
    path("audit/export/", AuditExportView.as_view(), name="audit-export"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so no inline script is needed;
    # its page keeps one small inline stylesheet, allowed here only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="docs",
    ),
    path("stats/", StatsView.as_view(), name="stats"),
    path("calendar.ics", CalendarFeedView.as_view(), name="calendar-feed"),
    path("", include(router.urls)),
]
