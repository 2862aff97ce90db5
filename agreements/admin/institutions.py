"""Institutions as the register sees them: those the reader may see, the agreements each is
party to (those the reader may see), how many, and merging duplicates with everything that
refers to them."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements.admin.readable import ReadableRelationsInlineMixin, ReadableRelationsMixin
from agreements.admin.units import unit_tree_html
from agreements.models import Party
from agreements.selectors import (
    institution_visible_to,
    memorandum_visible_to,
    person_visible_to,
    reads_all_of,
)
from agreements.services import institution_merge
from partners.admin import InstitutionAdmin, PersonInline
from partners.models import Institution, Person
from registry.service_admin import ReadOnlyAdminMixin


class PartyOfInstitutionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The agreements the institution is party to, read-only: they are edited on the memorandum."""

    model = Party
    verbose_name = _("agreement")
    verbose_name_plural = _("agreements this institution is party to")
    fields = ["agreement", "role", "signed_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        visible = memorandum_visible_to(request.user)
        return (
            super()
            .get_queryset(request)
            .filter(memorandum__in=visible)
            .select_related("memorandum")
            .order_by("-memorandum__signed_on", "memorandum_id")
        )

    @admin.display(description=_("agreement"))
    def agreement(self, party):
        url = reverse("admin:agreements_memorandum_change", args=[party.memorandum_id])
        return format_html('<a href="{}">{}</a>', url, party.memorandum)

    @admin.display(description=_("signed on"))
    def signed_on(self, party):
        return party.memorandum.signed_on


class ReadablePersonInline(ReadableRelationsInlineMixin, PersonInline):
    """The institution's people that the reader may see."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if reads_all_of(request.user, Person):
            return queryset
        return queryset.filter(pk__in=person_visible_to(request.user).values("pk"))


@admin.register(Institution)
class InstitutionWithAgreementsAdmin(ReadableRelationsMixin, InstitutionAdmin):
    list_display = [*InstitutionAdmin.list_display, "agreement_count"]
    inlines = [
        *(
            ReadablePersonInline if inline is PersonInline else inline
            for inline in InstitutionAdmin.inlines
        ),
        PartyOfInstitutionInline,
    ]
    readonly_fields = ["unit_tree"]
    actions = ["merge_institutions"]

    @admin.action(description=_("Merge selected institutions into one"), permissions=["delete"])
    def merge_institutions(self, request, queryset):
        """Ask which of the selected to keep, then fold the others into it."""
        institutions = list(queryset.order_by("name", "id"))
        if len(institutions) < 2:
            self.message_user(request, _("Select at least two institutions to merge."), "warning")
            return None
        keep_id = request.POST.get("keep")
        if keep_id:
            keep = next((i for i in institutions if str(i.pk) == keep_id), None)
            if keep is not None:
                institution_merge(keep=keep, duplicates=institutions, actor=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "Merged %(count)d institution into %(institution)s.",
                        "Merged %(count)d institutions into %(institution)s.",
                        len(institutions) - 1,
                    )
                    % {"count": len(institutions) - 1, "institution": keep},
                )
                return None
        return TemplateResponse(
            request,
            "admin/partners/institution/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge institutions"),
                "subtitle": None,
                "opts": self.model._meta,
                "institutions": institutions,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def get_queryset(self, request):
        # Counts only the agreements this user may see, so a count never hints at hidden ones.
        visible_count = (
            memorandum_visible_to(request.user)
            .filter(parties__institution=OuterRef("pk"))
            .order_by()
            .values("parties__institution")
            .annotate(count=Count("pk"))
            .values("count")
        )
        institutions = super().get_queryset(request)
        if not reads_all_of(request.user, Institution):
            # Also what the autocomplete of every institution field offers.
            institutions = institutions.filter(
                pk__in=institution_visible_to(request.user).values("pk")
            )
        return institutions.annotate(
            agreement_count=Coalesce(Subquery(visible_count, output_field=IntegerField()), 0)
        )

    @admin.display(description=_("organisational units"))
    def unit_tree(self, institution):
        """The unit tree (each unit is edited on its own page)."""
        return unit_tree_html(institution) if institution.pk else "—"

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, institution):
        return institution.agreement_count
