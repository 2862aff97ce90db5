"""Organisational units as each reader may see them, and each institution's unit tree."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from agreements.admin.readable import ReadableRelationsMixin
from agreements.selectors import organisational_unit_visible_to, reads_all_of
from partners.admin import OrganisationalUnitAdmin
from partners.models import OrganisationalUnit
from registry.service_admin import ReadOnlyAdminMixin


@admin.register(OrganisationalUnit)
class ReadableOrganisationalUnitAdmin(ReadableRelationsMixin, OrganisationalUnitAdmin):
    def get_queryset(self, request):
        units = super().get_queryset(request)
        if reads_all_of(request.user, OrganisationalUnit):
            return units
        # Also what the autocomplete of every unit field offers.
        return units.filter(pk__in=organisational_unit_visible_to(request.user).values("pk"))


def paths(units: list[OrganisationalUnit]) -> dict[int, str]:
    """Each unit's place in its institution's tree: its ancestors' and its own short names
    (or names), from the top, joined by ›."""
    by_id = {unit.pk: unit for unit in units}
    found: dict[int, str] = {}
    for unit in units:
        names, seen, current = [], set(), unit
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            names.append(current.label)
            current = by_id.get(current.parent_id)
        found[unit.pk] = " › ".join(reversed(names))
    return found


class UnitTreeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The institution's units as a tree, read-only: each is edited on its own page."""

    model = OrganisationalUnit
    fk_name = "institution"
    verbose_name = "unit"
    verbose_name_plural = "organisational units (the tree; edit each on its own page)"
    fields = ["unit", "kind", "ounit_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        units = super().get_queryset(request).order_by("name", "id")
        if not reads_all_of(request.user, OrganisationalUnit):
            units = units.filter(pk__in=organisational_unit_visible_to(request.user).values("pk"))
        return units

    @admin.display(description="unit (its place in the tree)")
    def unit(self, unit):
        url = reverse("admin:partners_organisationalunit_change", args=[unit.pk])
        return format_html('<a href="{}">{}</a> ({})', url, unit.name, self._paths(unit)[unit.pk])

    def _paths(self, unit) -> dict[int, str]:
        # One query for the institution's whole tree, kept by this inline (made per request).
        cached = getattr(self, "_tree", None)
        if cached is None or cached[0] != unit.institution_id:
            units = list(OrganisationalUnit.objects.filter(institution_id=unit.institution_id))
            cached = self._tree = (unit.institution_id, paths(units))
        return cached[1]
