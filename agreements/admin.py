import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django_countries import countries

from partners.models import Institution

from .models import (
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    Signatory,
    SustainableDevelopmentGoal,
)
from .querysets import Status
from .selectors import memorandum_visible_to
from .services import memorandum_delete, memorandum_save, validate_terms


class StatusListFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        # The changelist's queryset carries the `with_status()` annotation.
        return queryset.filter(status=self.value()) if self.value() else queryset


class PartyCountryListFilter(admin.SimpleListFilter):
    title = "party country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            Institution.objects.filter(parties__isnull=False)
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(
                Party.objects.filter(memorandum=OuterRef("pk"), institution__country=self.value())
            )
        )


class ExpiryListFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("expired", "Expired"),
            ("90", "Within 90 days"),
            ("180", "Within 180 days"),
            ("open", "Open-ended"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "expired":
                return queryset.filter(status=Status.EXPIRED)
            case "90" | "180":
                horizon = today + datetime.timedelta(days=int(self.value()))
                return queryset.filter(expires_on__range=(today, horizon))
            case "open":
                return queryset.filter(expires_on__isnull=True)
        return queryset


class MemorandumTerms:
    """Lets the signatory and commitment inlines see which parties the party inline holds."""

    def __init__(self):
        self.party_formset = None

    def party_institutions(self) -> list[Institution]:
        if self.party_formset is None or not self.party_formset.is_valid():
            return []
        return [
            form.cleaned_data["institution"]
            for form in self.party_formset.forms
            if form.cleaned_data.get("institution") and not form.cleaned_data.get("DELETE")
        ]


class MemorandumPartFormSet(BaseInlineFormSet):
    """An inline whose rows are checked with the memorandum's other parts (SPEC section 1)."""

    error_field: str

    def __init__(self, *args, terms: MemorandumTerms | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = terms or MemorandumTerms()

    def kept_rows(self):
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            self.validate_rows(self.kept_rows())
        except ValidationError as error:
            messages = error.message_dict.get(self.error_field)
            if messages:
                raise ValidationError(messages) from error


class PartyFormSet(MemorandumPartFormSet):
    error_field = "parties"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms.party_formset = self

    def validate_rows(self, rows):
        validate_terms(
            stage=self.instance.stage, party_institutions=[row["institution"] for row in rows]
        )


class SignatoryFormSet(MemorandumPartFormSet):
    error_field = "signatories"

    def validate_rows(self, rows):
        validate_terms(
            stage=Memorandum.Stage.DRAFT,
            party_institutions=self.terms.party_institutions(),
            signatory_institutions=[row["institution"] for row in rows],
        )


class CommitmentFormSet(MemorandumPartFormSet):
    error_field = "commitments"

    def validate_rows(self, rows):
        validate_terms(
            stage=Memorandum.Stage.DRAFT,
            party_institutions=self.terms.party_institutions(),
            commitment_institutions=[row.get("responsible_institution") for row in rows],
        )


class PartyInline(admin.TabularInline):
    model = Party
    formset = PartyFormSet
    autocomplete_fields = ["institution"]
    fields = ["institution", "role", "order"]
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    formset = SignatoryFormSet
    autocomplete_fields = ["person", "institution"]
    fields = ["person", "institution", "position_at_signing", "signed_on", "mode"]
    extra = 0


class CommitmentInline(admin.StackedInline):
    model = Commitment
    formset = CommitmentFormSet
    autocomplete_fields = ["responsible_institution"]
    fields = [
        ("title", "area"),
        "description",
        ("responsible_institution", "due_on"),
        ("status", "completed_on"),
    ]
    extra = 0


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ["title", "kind", "file", "language", "size", "sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = ["size", "sha256", "uploaded_at", "uploaded_by"]
    extra = 0


class MemorandumForm(forms.ModelForm):
    # The version the editor loaded; a different one in the database means a concurrent save.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_version")
        if self.instance.pk and loaded is not None and loaded != self.instance.version:
            raise ValidationError(
                "Someone else saved this memorandum while you were editing it. Open it again "
                "to see their change, then apply yours."
            )
        return cleaned_data


@admin.register(Memorandum)
class MemorandumAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = MemorandumForm
    inlines = [PartyInline, SignatoryInline, CommitmentInline, DocumentInline]
    list_display = [
        "reference",
        "title",
        "party_names",
        "status_label",
        "signed_on",
        "expires_on",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        StatusListFilter,
        "kind",
        "stage",
        "visibility",
        ("cooperation_areas", admin.RelatedOnlyFieldListFilter),
        PartyCountryListFilter,
        ExpiryListFilter,
    ]
    search_fields = [
        "reference",
        "title",
        "parties__institution__name",
        "parties__institution__short_name",
        "parties__institution__aliases__name",
    ]
    date_hierarchy = "signed_on"
    # Counting the whole table on every page is what makes a big changelist slow.
    show_full_result_count = False
    autocomplete_fields = ["supersedes"]
    filter_horizontal = ["cooperation_areas", "sdgs"]
    readonly_fields = ["version", "created_at", "created_by", "updated_at", "updated_by"]
    actions = None
    fieldsets = [
        (None, {"fields": ["reference", "title", "kind", "stage", "visibility", "summary"]}),
        (
            "Signing and term",
            {
                "fields": [
                    ("signed_on", "signed_at"),
                    ("effective_from", "expires_on"),
                    ("auto_renew", "renewal_notice_days"),
                    "supersedes",
                ]
            },
        ),
        ("Scope", {"fields": ["cooperation_areas", "sdgs", "tags", "source_url"]}),
        ("Ownership", {"fields": ["owner_unit", "owner_email", "internal_notes"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "loaded_version",
                    ("version", "created_at", "created_by", "updated_at", "updated_by"),
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            memorandum_visible_to(request.user, super().get_queryset(request))
            .with_status()
            .prefetch_related(
                Prefetch("parties", queryset=Party.objects.select_related("institution"))
            )
        )

    @admin.display(description="parties")
    def party_names(self, memorandum):
        return "; ".join(party.institution.label for party in memorandum.parties.all())

    @admin.display(description="status", ordering="status")
    def status_label(self, memorandum):
        return memorandum.get_status_display()

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if issubclass(inline.formset, MemorandumPartFormSet):
            if not hasattr(request, "_memorandum_terms"):
                request._memorandum_terms = MemorandumTerms()
            kwargs["terms"] = request._memorandum_terms
        return kwargs

    def save_model(self, request, obj, form, change):
        memorandum_save(memorandum=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for document in formset.save(commit=False):
            if isinstance(document, Document) and document.uploaded_by_id is None:
                document.uploaded_by = request.user
            document.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.stage == Memorandum.Stage.DRAFT)

    def delete_model(self, request, obj):
        memorandum_delete(memorandum=obj, actor=request.user)


@admin.register(CooperationArea)
class CooperationAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
