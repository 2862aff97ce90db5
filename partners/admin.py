from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import InstitutionAlias, PartnerLink, Person


class InstitutionAliasInline(admin.TabularInline):
    model = InstitutionAlias
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["honorific", "full_name", "position", "email", "phone"]
    extra = 0


class InstitutionAdmin(SimpleHistoryAdmin):
    """The directory's view of an institution; `agreements` registers it with the agreements
    the institution is party to."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "country", "city", "ror_id"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "aliases__name", "ror_id", "city"]
    autocomplete_fields = ["parent"]
    inlines = [InstitutionAliasInline, PersonInline]


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
