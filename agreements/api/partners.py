from rest_framework import viewsets
from rest_framework.response import Response

from agreements.filters import InstitutionFilterSet, PersonFilterSet
from agreements.interchange import jsonld as interchange
from agreements.selectors import institution_list, person_list
from partners import services
from partners.api.serializers import InstitutionSerializer, PersonSerializer
from registry import roles
from registry.api.jsonld import JSONLDMixin, jsonld_page, wants_jsonld


class InstitutionViewSet(JSONLDMixin, viewsets.ModelViewSet):
    serializer_class = InstitutionSerializer
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

    def perform_create(self, serializer):
        institution = services.institution_create(
            actor=self.request.user, **serializer.validated_data
        )
        # Read back through the gate, which says whether the parent may be shown.
        serializer.instance = self.get_queryset().get(pk=institution.pk)

    def perform_update(self, serializer):
        services.institution_update(
            institution=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.institution_delete(institution=instance, actor=self.request.user)


class PersonViewSet(viewsets.ModelViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        return person_list(self.request.user)

    def perform_create(self, serializer):
        person = services.person_create(actor=self.request.user, **serializer.validated_data)
        # Read back through the gate, which says whether the institution may be shown.
        serializer.instance = self.get_queryset().get(pk=person.pk)

    def perform_update(self, serializer):
        services.person_update(
            person=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.person_delete(person=instance, actor=self.request.user)
