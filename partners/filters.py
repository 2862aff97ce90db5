import django_filters
from django.utils.translation import gettext_lazy as _

from registry.filters import (
    IntegerListFilter,
    StableOrderingFilter,
)
from registry.search import matching, search_words

from .models import Person


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search names"))
    institution = IntegerListFilter(field_name="institution_id", lookup_expr="in")
    ordering = StableOrderingFilter(fields=["full_name"])

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        for word in search_words(value):
            queryset = queryset.filter(
                pk__in=matching(Person.objects.all(), ("full_name",), word).values("pk")
            )
        return queryset
