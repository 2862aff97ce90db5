from rest_framework import viewsets
from rest_framework.response import Response

from agreements.filters import InstitutionFilterSet, PersonFilterSet
from agreements.interchange import jsonld as interchange
from agreements.selectors import institution_list, person_list
from partners import services
from partners.api.serializers import InstitutionSerializer, PersonSerializer
from registry import roles
from registry.api.jsonld import JSONLDMixin, jsonld_page, wants_jsonld
from registry.api.writes import ServiceWrites, ServiceWritesMixin


class InstitutionViewSet(ServiceWritesMixin, JSONLDMixin, viewsets.ModelViewSet):
    """Institutions the reader may see, with their aliases; schema.org JSON-LD on request."""

    serializer_class = InstitutionSerializer
    writes = ServiceWrites(services, "institution")
    filterset_class = InstitutionFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        institutions = institution_list(self.request.user)
        if wants_jsonld(self.request):
            # The JSON-LD names each parent by its ROR id.
            institutions = institutions.select_related("parent")
        return institutions

    def list(self, request, *args, **kwargs):
        if not wants_jsonld(request):
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return jsonld_page(self, [interchange.organization(i, request, full=True) for i in page])

    def retrieve(self, request, *args, **kwargs):
        if not wants_jsonld(request):
            return super().retrieve(request, *args, **kwargs)
        document = interchange.organization(self.get_object(), request, full=True)
        return Response({"@context": interchange.SCHEMA_ORG, **document})


class PersonViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """People the reader may see: signatories and contacts of institutions."""

    serializer_class = PersonSerializer
    writes = ServiceWrites(services, "person")
    filterset_class = PersonFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        return person_list(self.request.user)
