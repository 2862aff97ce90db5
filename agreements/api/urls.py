"""The register's API: the memoranda and their parts, the directory as the reader may see it,
statistics, calendar feeds and the audit trail."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from agreements.api.partners import (
    InstitutionViewSet,
    OrganisationalUnitViewSet,
    PersonViewSet,
)
from agreements.api.views import (
    CommitmentViewSet,
    CooperationAreaViewSet,
    DocumentViewSet,
    MemorandumViewSet,
)
from agreements.exports.audit import AuditExportView
from agreements.reminders.api import CalendarFeedView
from agreements.stats.api import StatsView

router = DefaultRouter()
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("people", PersonViewSet, basename="person")
router.register("organisational-units", OrganisationalUnitViewSet, basename="organisationalunit")
router.register("cooperation-areas", CooperationAreaViewSet, basename="cooperationarea")
router.register("memoranda", MemorandumViewSet, basename="memorandum")
router.register("documents", DocumentViewSet, basename="document")
router.register("commitments", CommitmentViewSet, basename="commitment")

urlpatterns = [
    path("audit/export/", AuditExportView.as_view(), name="audit-export"),
    # The same with the format as a suffix, as the router's routes have (`memoranda/export.xlsx`).
    re_path(r"^audit/export\.(?P<format>csv|json)$", AuditExportView.as_view()),
    path("stats/", StatsView.as_view(), name="stats"),
    path("calendar.ics", CalendarFeedView.as_view(), name="calendar-feed"),
    path("", include(router.urls)),
]
