import django_filters
from django.db.models import Q

from agreements.selectors import institutions_with_active_agreements
from registry.filters import (
    CountryFilter,
    IntegerListFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
)
from registry.search import matching, search_words

from .models import Institution, InstitutionAlias, Person


class InstitutionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search names, acronyms and aliases")
    country = CountryFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Institution.Kind.choices)
    ror_id = django_filters.CharFilter(lookup_expr="iexact")
    has_active_agreements = StrictBooleanFilter(
        method="filter_has_active_agreements",
        label="Party to at least one active agreement you can see",
    )
    ordering = StableOrderingFilter(fields=["name", "short_name", "country"])

    class Meta:
        model = Institution
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        for word in search_words(value):
            own = matching(Institution.objects.all(), ("name", "short_name"), word)
            aliases = matching(InstitutionAlias.objects.all(), ("name",), word)
            queryset = queryset.filter(
                Q(pk__in=own.values("pk")) | Q(pk__in=aliases.values("institution_id"))
            )
        return queryset

    def filter_has_active_agreements(self, queryset, name, value):
        active = institutions_with_active_agreements(self.request.user)
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search names")
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
