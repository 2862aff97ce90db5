from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import Party
from agreements.selectors import memorandum_visible_to

from .models import Institution, InstitutionAlias, PartnerLink, Person
from .services import institution_merge


class InstitutionAliasInline(admin.TabularInline):
    model = InstitutionAlias
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["honorific", "full_name", "position", "email", "phone"]
    extra = 0


class PartyOfInstitutionInline(admin.TabularInline):
    """The agreements the institution is party to, read-only: they are edited on the memorandum."""

    model = Party
    verbose_name = "agreement"
    verbose_name_plural = "agreements this institution is party to"
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="agreement")
    def agreement(self, party):
        url = reverse("admin:agreements_memorandum_change", args=[party.memorandum_id])
        return format_html('<a href="{}">{}</a>', url, party.memorandum)

    @admin.display(description="signed on")
    def signed_on(self, party):
        return party.memorandum.signed_on


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "country", "city", "ror_id", "agreement_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "aliases__name", "ror_id", "city"]
    autocomplete_fields = ["parent"]
    inlines = [InstitutionAliasInline, PersonInline, PartyOfInstitutionInline]

    actions = ["merge_institutions"]

    @admin.action(description="Merge selected institutions into one", permissions=["delete"])
    def merge_institutions(self, request, queryset):
        """Ask which of the selected to keep, then fold the others into it."""
        institutions = list(queryset.order_by("name", "id"))
        if len(institutions) < 2:
            self.message_user(request, "Select at least two institutions to merge.", "warning")
            return None
        keep_id = request.POST.get("keep")
        if keep_id:
            keep = next((i for i in institutions if str(i.pk) == keep_id), None)
            if keep is not None:
                institution_merge(keep=keep, duplicates=institutions, actor=request.user)
                self.message_user(
                    request, f"Merged {len(institutions) - 1} institutions into {keep}."
                )
                return None
        return TemplateResponse(
            request,
            "admin/partners/institution/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge institutions",
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
        return (
            super()
            .get_queryset(request)
            .annotate(
                agreement_count=Coalesce(Subquery(visible_count, output_field=IntegerField()), 0)
            )
        )

    @admin.display(description="agreements", ordering="agreement_count")
    def agreement_count(self, institution):
        return institution.agreement_count


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "honorific", "position", "institution", "email"]
    list_select_related = ["institution"]
    search_fields = ["full_name", "email", "institution__name", "institution__short_name"]
    autocomplete_fields = ["institution"]


@admin.register(PartnerLink)
class PartnerLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "created_at"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["institution"]
    search_fields = ["user__username", "institution__name"]
