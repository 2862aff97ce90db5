from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from agreements.api.views import (
    CommitmentViewSet,
    CooperationAreaViewSet,
    DocumentViewSet,
    MemorandumViewSet,
)
from partners.api.views import InstitutionViewSet, PersonViewSet

router = DefaultRouter()
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("people", PersonViewSet, basename="person")
router.register("cooperation-areas", CooperationAreaViewSet, basename="cooperationarea")
router.register("memoranda", MemorandumViewSet, basename="memorandum")
router.register("documents", DocumentViewSet, basename="document")
router.register("commitments", CommitmentViewSet, basename="commitment")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include(router.urls)),
]
