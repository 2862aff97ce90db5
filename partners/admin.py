"""The directory in the admin: institutions with their aliases and people, people, partner links
and API tokens, each saved and deleted through `partners.services`. Which institutions and
people a reader may see depends on the agreements: `agreements.admin` registers their pages."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from registry.service_admin import ServiceAdminMixin, adopt, form_values, write_rows

from .models import InstitutionAlias, PartnerLink, Person, UnitEditorGrant
from .services import (
    api_token_revoke,
    api_token_rotate,
    institution_create,
    institution_delete,
    institution_update,
    organisational_unit_create,
    organisational_unit_delete,
    organisational_unit_update,
    partner_link_create,
    partner_link_delete,
    partner_link_update,
    person_create,
    person_delete,
    person_update,
    unit_editor_grant_create,
    unit_editor_grant_delete,
    unit_editor_grant_update,
)


class InstitutionAliasFormSet(BaseInlineFormSet):
    def clean(self):
        """The names kept, for the institution's service: its aliases are replaced by them."""
        super().clean()
        self.instance.kept_alias_names = [
            (form.cleaned_data["name"], form.cleaned_data.get("language", ""))
            for form in self.forms
            if form.cleaned_data.get("name")
            and not (self.can_delete and self._should_delete_form(form))
        ]


class InstitutionAliasInline(admin.TabularInline):
    model = InstitutionAlias
    formset = InstitutionAliasFormSet
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    fields = ["honorific", "full_name", "position", "email", "phone"]
    extra = 0


class InstitutionAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """The directory's view of an institution; `agreements` registers it with the agreements
    the institution is party to."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "country", "city", "ror_id", "hei_id"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "aliases__name", "ror_id", "hei_id", "city"]
    autocomplete_fields = ["parent"]
    inlines = [InstitutionAliasInline, PersonInline]

    def save_model(self, request, obj, form, change):
        # The aliases inline's names (none on simple-history's revert page, which has no
        # inlines: the aliases then stay as they are).
        aliases = getattr(obj, "kept_alias_names", None)
        if change:
            institution_update(
                institution=obj, actor=request.user, aliases=aliases, **form_values(form)
            )
        else:
            institution = institution_create(
                actor=request.user, aliases=aliases or (), **form_values(form)
            )
            adopt(obj, institution)

    def save_formset(self, request, form, formset, change):
        if formset.model is InstitutionAlias:
            write_rows(formset)  # written with the institution, by its service
        elif formset.model is Person:
            institution, actor = form.instance, request.user
            exclude = ["institution"]
            write_rows(
                formset,
                create=lambda row: person_create(
                    actor=actor, institution=institution, **form_values(row, exclude=exclude)
                ),
                update=lambda row: person_update(
                    person=row.instance, actor=actor, **form_values(row, exclude=exclude)
                ),
                delete=lambda row: person_delete(person=row.instance, actor=actor),
            )
        else:
            super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        institution_delete(institution=obj, actor=request.user)


class OrganisationalUnitAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """The directory's view of a unit; `agreements` registers it, showing only the units the
    reader may see."""

    list_display = ["name", "short_name", "kind", "institution", "parent", "ounit_id"]
    list_select_related = ["institution", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "ounit_id", "institution__name"]
    autocomplete_fields = ["institution", "parent"]

    def save_model(self, request, obj, form, change):
        if change:
            organisational_unit_update(
                organisational_unit=obj, actor=request.user, **form_values(form)
            )
        else:
            adopt(obj, organisational_unit_create(actor=request.user, **form_values(form)))

    def delete_model(self, request, obj):
        organisational_unit_delete(organisational_unit=obj, actor=request.user)


class PersonAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """The directory's view of a person; `agreements` registers it, showing only the people
    and institutions the reader may see."""

    list_display = ["full_name", "honorific", "position", "institution", "email"]
    list_select_related = ["institution"]
    search_fields = ["full_name", "email", "institution__name", "institution__short_name"]
    autocomplete_fields = ["institution"]

    def save_model(self, request, obj, form, change):
        if change:
            person_update(person=obj, actor=request.user, **form_values(form))
        else:
            adopt(obj, person_create(actor=request.user, **form_values(form)))

    def delete_model(self, request, obj):
        person_delete(person=obj, actor=request.user)


@admin.register(PartnerLink)
class PartnerLinkAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "institution", "created_at"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["institution"]
    search_fields = ["user__username", "institution__name"]

    def save_model(self, request, obj, form, change):
        if change:
            partner_link_update(partner_link=obj, actor=request.user, **form_values(form))
        else:
            adopt(obj, partner_link_create(actor=request.user, **form_values(form)))

    def delete_model(self, request, obj):
        partner_link_delete(partner_link=obj, actor=request.user)


@admin.register(UnitEditorGrant)
class UnitEditorGrantAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """Which units a `registry-unit-editor` edits for (with the units under them)."""

    list_display = ["user", "unit", "created_at"]
    list_select_related = ["user", "unit", "unit__institution"]
    autocomplete_fields = ["unit"]
    search_fields = ["user__username", "unit__name", "unit__short_name"]

    def save_model(self, request, obj, form, change):
        if change:
            unit_editor_grant_update(unit_editor_grant=obj, actor=request.user, **form_values(form))
        else:
            adopt(obj, unit_editor_grant_create(actor=request.user, **form_values(form)))

    def delete_model(self, request, obj):
        unit_editor_grant_delete(unit_editor_grant=obj, actor=request.user)


class ApiTokenForm(forms.ModelForm):
    # Not the model's `user` field: adding a token for a client that has one replaces it.
    for_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label=_("User"),
        help_text=_("The API client: a new key is made for it, and the key it had stops working."),
    )

    class Meta:
        model = TokenProxy
        fields = []


# Replaced: django-rest-framework's token admin saves and deletes tokens itself.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(ServiceAdminMixin, TokenAdmin):
    """API tokens: Add gives a client a new key (the one it had stops working), Delete revokes
    it. A token is never changed."""

    form = ApiTokenForm
    list_select_related = ["user"]

    def get_fields(self, request, obj=None):
        return ["for_user"] if obj is None else ["user", "key", "created"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "key", "created"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token = api_token_rotate(user=form.cleaned_data["for_user"], actor=request.user)
        obj.key, obj.user, obj.created = token.key, token.user, token.created

    def delete_model(self, request, obj):
        api_token_revoke(user=obj.user, actor=request.user)
