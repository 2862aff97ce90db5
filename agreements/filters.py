import datetime

import django_filters
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from taggit.models import TaggedItem

from agreements.selectors import (
    institution_visible_to,
    institutions_with_active_agreements,
    is_registry_staff,
)
from partners.filters import PersonFilterSet as DirectoryPersonFilterSet
from partners.models import Institution, InstitutionAlias, OrganisationalUnit, Person
from partners.selectors import units_with_descendants
from registry.caching import remembered
from registry.filters import (
    CountryFilter,
    IntegerListFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
)
from registry.search import document_matches, matching, search_words

from .models import Approval, Commitment, CooperationArea, Memorandum, Party, Signatory
from .querysets import Status

# Up to this many rows matching a word, the search narrows the list to their ids. PostgreSQL
# cannot estimate how many rows a prefix query matches; guessing many for a rare word, it read
# the whole register in the list's order looking for them.
FEW_MATCHES = 1000


def memorandum_search(queryset: QuerySet, text: str) -> QuerySet:
    """Memoranda whose reference, title, summary, party names, short names and aliases,
    signatory names, or owning unit's name or short name hold every word of `text`."""
    for word in search_words(text):
        own = document_matches("search_document", word)
        institutions = matching(Institution.objects.all(), ("name", "short_name"), word)
        aliases = matching(InstitutionAlias.objects.all(), ("name",), word)
        people = matching(Person.objects.all(), ("full_name",), word)
        by_party = Party.objects.filter(institution__in=institutions).values("memorandum_id")
        by_alias = Party.objects.filter(institution__in=aliases.values("institution_id")).values(
            "memorandum_id"
        )
        by_signatory = Signatory.objects.filter(person__in=people).values("memorandum_id")
        units = matching(OrganisationalUnit.objects.all(), ("name", "short_name"), word)
        by_owner = Memorandum.objects.filter(owner_unit__in=units).values("pk")
        # Unordered, so that the first rows found end the scan. Remembered for the data
        # version, as the list's total is: paging through a search asks the same each time.
        first = (
            Memorandum.objects.filter(own)
            .values_list("pk", flat=True)
            .order_by()
            .union(
                *(part.order_by() for part in (by_party, by_alias, by_signatory, by_owner)),
                all=True,
            )[: FEW_MATCHES + 1]
        )
        first_matches = remembered("search", first, lambda first=first: list(first))
        if len(first_matches) <= FEW_MATCHES:
            queryset = queryset.filter(pk__in=sorted(set(first_matches)))
        else:
            # A frequent word: the row's own stored vector is tested in place, so the page
            # is found by reading the list's order until it is full.
            queryset = queryset.filter(
                own
                | Q(pk__in=by_party)
                | Q(pk__in=by_alias)
                | Q(pk__in=by_signatory)
                | Q(pk__in=by_owner)
            )
    return queryset


# The `approval_state` of a memorandum that was never submitted for approval.
NEVER_SUBMITTED = "not_submitted"


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class GroupListFilter(django_filters.ModelMultipleChoiceFilter):
    """Group ids, repeatable, any of them."""


class MemorandumFilterSet(django_filters.FilterSet):
    """The memoranda's filters, shared by the list, the export and the statistics."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, method="filter_status")
    stage = django_filters.MultipleChoiceFilter(choices=Memorandum.Stage.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Memorandum.Kind.choices)
    visibility = django_filters.MultipleChoiceFilter(choices=Memorandum.Visibility.choices)
    party = IntegerListFilter(
        method="filter_party", label=_("Institution ids that are all parties")
    )
    country = CountryFilter(method="filter_country", label=_("A party's country (any of)"))
    unit = IntegerListFilter(
        method="filter_unit",
        label=_(
            "Unit ids (any of) that own the memorandum or are a party, their descendants included"
        ),
    )
    area = django_filters.ModelMultipleChoiceFilter(
        queryset=CooperationArea.objects.all(),
        to_field_name="code",
        method="filter_area",
        label=_("Cooperation area codes (any of)"),
    )
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte")
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte")
    expires_after = django_filters.DateFilter(field_name="expires_on", lookup_expr="gte")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring_within",
        min_value=0,
        max_value=36500,
        label=_("Active memoranda expiring within this many days"),
    )
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    sdg = django_filters.MultipleChoiceFilter(
        choices=[(number, str(number)) for number in range(1, 18)],
        field_name="sdgs__number",
        method="filter_sdg",
        label=_("Sustainable Development Goal (any of)"),
    )
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    approval_state = django_filters.MultipleChoiceFilter(
        choices=[(NEVER_SUBMITTED, "Never submitted"), *Approval.State.choices],
        method="filter_approval_state",
        label="Approval state (staff only)",
    )
    awaiting_group = GroupListFilter(
        queryset=Group.objects.all(),
        method="filter_awaiting_group",
        label="Waiting at a step one of these groups (ids) decides (staff only)",
    )
    ordering = StableOrderingFilter(
        fields=["signed_on", "expires_on", "title", "reference", "updated_at"]
    )

    class Meta:
        model = Memorandum
        fields: list[str] = []

    def _approvals_readable(self) -> bool:
        """Approvals are the staff's business: for anyone else these filters match nothing."""
        return self.request is not None and is_registry_staff(self.request.user)

    def filter_approval_state(self, queryset, name, value):
        if not self._approvals_readable():
            return queryset.none()
        wanted = Q(approval__state__in=[state for state in value if state != NEVER_SUBMITTED])
        if NEVER_SUBMITTED in value:
            wanted |= Q(approval__isnull=True)
        return queryset.filter(wanted)

    def filter_awaiting_group(self, queryset, name, value):
        # Left out, the value is an empty queryset, which django-filter does not skip.
        if not value:
            return queryset
        if not self._approvals_readable():
            return queryset.none()
        return queryset.filter(
            approval__state=Approval.State.IN_APPROVAL, approval__current_step__group__in=value
        )

    def filter_q(self, queryset, name, value):
        return memorandum_search(queryset, value)

    def filter_status(self, queryset, name, value: str):
        return queryset.in_status(value)

    def filter_party(self, queryset, name, value):
        for institution_id in set(value):
            queryset = queryset.filter(
                Exists(
                    Party.objects.filter(memorandum=OuterRef("pk"), institution_id=institution_id)
                )
            )
        return queryset

    def filter_country(self, queryset, name, value):
        parties = Party.objects.filter(memorandum=OuterRef("pk"), institution__country__in=value)
        return queryset.filter(Exists(parties))

    def filter_unit(self, queryset, name, value):
        units = units_with_descendants(value)
        as_party = Party.objects.filter(memorandum=OuterRef("pk"), unit_id__in=units)
        return queryset.filter(Q(owner_unit_id__in=units) | Exists(as_party))

    def filter_area(self, queryset, name, value: str):
        if not value:
            return queryset
        links = Memorandum.cooperation_areas.through.objects.filter(
            memorandum_id=OuterRef("pk"), cooperationarea__in=value
        )
        return queryset.filter(Exists(links))

    def filter_expiring_within(self, queryset, name, value):
        today = timezone.localdate()
        horizon = today + datetime.timedelta(days=int(value))
        return queryset.in_status([Status.ACTIVE], today).filter(expires_on__range=(today, horizon))

    def filter_tag(self, queryset, name, value):
        tagged = TaggedItem.objects.filter(
            content_type__app_label="agreements",
            content_type__model="memorandum",
            object_id=OuterRef("pk"),
            tag__name__iexact=value,
        )
        return queryset.filter(Exists(tagged))

    def filter_sdg(self, queryset, name, value):
        links = Memorandum.sdgs.through.objects.filter(
            memorandum_id=OuterRef("pk"), sustainabledevelopmentgoal_id__in=value
        )
        return queryset.filter(Exists(links))


class CommitmentFilterSet(django_filters.FilterSet):
    memorandum = IntegerListFilter(field_name="memorandum_id", lookup_expr="in")
    status = django_filters.MultipleChoiceFilter(choices=Commitment.Status.choices)
    area = django_filters.ModelMultipleChoiceFilter(
        queryset=CooperationArea.objects.all(), to_field_name="code"
    )
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    ordering = StableOrderingFilter(fields=["due_on", "title"])

    class Meta:
        model = Commitment
        fields: list[str] = []


class InstitutionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search names, acronyms and aliases"))
    country = CountryFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Institution.Kind.choices)
    ror_id = django_filters.CharFilter(lookup_expr="iexact")
    hei_id = django_filters.CharFilter(lookup_expr="iexact", label="EWP hei_id")
    has_active_agreements = StrictBooleanFilter(
        method="filter_has_active_agreements",
        label=_("Party to at least one active agreement you can see"),
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


class PersonFilterSet(DirectoryPersonFilterSet):
    """People by the institution they belong to, among those the reader may see: an institution
    hidden from the reader finds no one, so the filter cannot tell who belongs to it."""

    institution = IntegerListFilter(method="filter_institution", label=_("Institution ids"))

    def filter_institution(self, queryset, name, value):
        visible = institution_visible_to(self.request.user).filter(pk__in=value)
        return queryset.filter(institution__in=visible.values("pk"))


class OrganisationalUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search names and short names")
    institution = IntegerListFilter(field_name="institution_id", lookup_expr="in")
    parent = IntegerListFilter(field_name="parent_id", lookup_expr="in")
    kind = django_filters.MultipleChoiceFilter(choices=OrganisationalUnit.Kind.choices)
    ounit_id = django_filters.CharFilter(label="EWP ounit_id")
    within = IntegerListFilter(
        method="filter_within", label="Unit ids: these units and every unit under them"
    )
    ordering = StableOrderingFilter(fields=["name", "short_name"])

    class Meta:
        model = OrganisationalUnit
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        for word in search_words(value):
            own = matching(OrganisationalUnit.objects.all(), ("name", "short_name"), word)
            queryset = queryset.filter(pk__in=own.values("pk"))
        return queryset

    def filter_within(self, queryset, name, value):
        return queryset.filter(pk__in=units_with_descendants(value))
