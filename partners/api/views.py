from rest_framework import viewsets

from partners import services
from partners.filters import InstitutionFilterSet, PersonFilterSet
from partners.selectors import institution_list, person_list
from registry import roles

from .serializers import InstitutionSerializer, PersonSerializer


class InstitutionViewSet(viewsets.ModelViewSet):
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        return institution_list(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.institution_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.institution_update(
            institution=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.institution_delete(institution=instance, actor=self.request.user)


class PersonViewSet(viewsets.ModelViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    delete_roles = (roles.ADMIN,)

    def get_queryset(self):
        return person_list(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.person_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.person_update(
            person=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.person_delete(person=instance, actor=self.request.user)
