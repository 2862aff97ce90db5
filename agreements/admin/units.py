"""Organisational units as each reader may see them, and each institution's unit tree."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from agreements.admin.readable import ReadableRelationsMixin
from agreements.selectors import organisational_unit_visible_to, reads_all_of
from partners.admin import OrganisationalUnitAdmin
from partners.models import OrganisationalUnit


@admin.register(OrganisationalUnit)
class ReadableOrganisationalUnitAdmin(ReadableRelationsMixin, OrganisationalUnitAdmin):
    def get_queryset(self, request):
        units = super().get_queryset(request)
        if reads_all_of(request.user, OrganisationalUnit):
            return units
        # Also what the autocomplete of every unit field offers.
        return units.filter(pk__in=organisational_unit_visible_to(request.user).values("pk"))


def unit_tree_html(institution) -> str:
    """The institution's units as nested lists, each linked to its page: whoever may read an
    institution may read its units."""
    units = list(OrganisationalUnit.objects.filter(institution=institution))
    if not units:
        return "—"
    children: dict = {}
    present = {unit.pk for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in present else None
        children.setdefault(parent, []).append(unit)

    def branch(parent_id):
        rows = sorted(children.get(parent_id, []), key=lambda unit: (unit.name.casefold(), unit.pk))
        if not rows:
            return format_html("")
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({}){}</li>',
            (
                (
                    reverse("admin:partners_organisationalunit_change", args=[unit.pk]),
                    str(unit),
                    unit.get_kind_display().lower(),
                    branch(unit.pk),
                )
                for unit in rows
            ),
        )
        return format_html("<ul>{}</ul>", items)

    return branch(None)
