from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements.filters import InstitutionFilterSet, OrganisationalUnitFilterSet, PersonFilterSet
from agreements.interchange import jsonld as interchange
from agreements.selectors import institution_list, organisational_unit_list, person_list
from partners import services
from partners.api.serializers import (
    InstitutionSerializer,
    OrganisationalUnitSerializer,
    PersonSerializer,
)
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

    @extend_schema(responses=OrganisationalUnitSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def units(self, request, pk=None):
        """The institution's units that the reader may see, each parent before its children."""
        institution = self.get_object()
        units = list(organisational_unit_list(request.user).filter(institution=institution))
        serializer = OrganisationalUnitSerializer(
            tree_order(units), many=True, context=self.get_serializer_context()
        )
        return Response(serializer.data)


def tree_order(units: list) -> list:
    """Units depth first, each after its parent, siblings by name; a unit whose parent is not
    in the list starts a tree of its own."""
    present = {unit.pk for unit in units}
    children: dict = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in present else None
        children.setdefault(parent, []).append(unit)
    ordered: list = []

    def visit(parent_id):
        for unit in sorted(children.get(parent_id, []), key=lambda u: (u.name.casefold(), u.pk)):
            ordered.append(unit)
            visit(unit.pk)

    visit(None)
    return ordered


class OrganisationalUnitViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """Faculties, schools, departments, centres and offices of institutions, as a tree."""

    serializer_class = OrganisationalUnitSerializer
    writes = ServiceWrites(services, "organisational_unit")
    filterset_class = OrganisationalUnitFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        return organisational_unit_list(self.request.user)


class PersonViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """People the reader may see: signatories and contacts of institutions."""

    serializer_class = PersonSerializer
    writes = ServiceWrites(services, "person")
    filterset_class = PersonFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        return person_list(self.request.user)
