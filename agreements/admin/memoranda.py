import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from agreements.exports.admin import ExportAdminMixin
from agreements.fingerprint import acknowledgement_states, fingerprint
from agreements.importing.admin import ImportAdminMixin
from agreements.intake.admin import IntakeAdminMixin
from agreements.models import (
    MEMORANDUM_HISTORY,
    Commitment,
    Document,
    Memorandum,
    Party,
    Signatory,
)
from agreements.querysets import Status
from agreements.selectors import (
    memorandum_history,
    memorandum_visible_to,
    party_countries,
)
from agreements.services import (
    RENEWABLE,
    memorandum_delete,
    memorandum_renew,
    memorandum_save,
    validate_terms,
)
from agreements.uploads import check_upload
from partners.models import Institution
from registry import roles
from registry.caching import CountRememberingPaginator, remembered


class StatusListFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.in_status([self.value()]) if self.value() else queryset


class UsedAreaListFilter(admin.RelatedOnlyFieldListFilter):
    """The cooperation areas of the memoranda the user sees, remembered for the data version
    (registry/caching.py): finding them reads every memorandum's areas."""

    def field_choices(self, field, request, model_admin):
        used = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        choices = super().field_choices
        return remembered("admin-used-areas", used, lambda: choices(field, request, model_admin))


class PartyCountryListFilter(admin.SimpleListFilter):
    title = "party country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return party_countries(model_admin.get_queryset(request))

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
                return queryset.in_status([Status.EXPIRED], today)
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


class DocumentForm(forms.ModelForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            # Size and type by content, as the API checks them (agreements/uploads.py).
            try:
                check_upload(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from None
        return upload


class DocumentInline(admin.TabularInline):
    model = Document
    form = DocumentForm
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
class MemorandumAdmin(IntakeAdminMixin, ImportAdminMixin, ExportAdminMixin, admin.ModelAdmin):
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
        ("cooperation_areas", UsedAreaListFilter),
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
    # Counting the whole table on every page is what makes a big changelist slow: the total is
    # counted once, and remembered for the data version.
    show_full_result_count = False
    paginator = CountRememberingPaginator
    autocomplete_fields = ["supersedes"]
    filter_horizontal = ["cooperation_areas", "sdgs"]
    readonly_fields = [
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "terms_fingerprint",
        "acknowledgement_table",
    ]
    actions = ["export_csv", "export_xlsx", "export_json", "renew_selected"]
    change_list_template = "admin/agreements/memorandum/change_list.html"
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(
                -1,
                (
                    "Acknowledgements",
                    {
                        "fields": ["terms_fingerprint", "acknowledgement_table"],
                        "description": "What each party acknowledged through the API: the "
                        "sha256 of the signed terms (parties, dates, areas, SDGs, commitments, "
                        "document checksums). A change of terms makes earlier acknowledgements "
                        "stale; none is ever deleted.",
                    },
                ),
            )
        return fieldsets

    @staticmethod
    def _terms_of(memorandum):
        """The memorandum as stored (not as a form being edited has changed it)."""
        return (
            Memorandum.objects.prefetch_related(
                Prefetch("parties", queryset=Party.objects.select_related("institution")),
                "acknowledgements",
            )
            .filter(pk=memorandum.pk)
            .first()
        )

    @admin.display(description="fingerprint of the terms")
    def terms_fingerprint(self, memorandum):
        stored = self._terms_of(memorandum) if memorandum.pk else None
        value = fingerprint(stored) if stored is not None else None
        return value or "— (only a signed memorandum has one)"

    @admin.display(description="acknowledgements by party")
    def acknowledgement_table(self, memorandum):
        stored = self._terms_of(memorandum) if memorandum.pk else None
        if stored is None:
            return "—"
        labels = {party.institution_id: party.institution.label for party in stored.parties.all()}
        explained = {
            "acknowledged": "acknowledged the current terms",
            "stale": "stale: acknowledged earlier terms, which have changed since",
            "pending": "pending: never acknowledged",
        }
        rows = format_html_join(
            "",
            '<tr class="acknowledgement-{}"><td>{}</td><td>{}</td><td><code>{}</code></td>'
            "<td>{}</td></tr>",
            (
                (
                    state["state"],
                    labels.get(state["institution"], state["institution"]),
                    explained[state["state"]],
                    state["fingerprint"] or "—",
                    state["acknowledged_at"].strftime("%Y-%m-%d %H:%M")
                    if state["acknowledged_at"]
                    else "—",
                )
                for state in acknowledgement_states(stored)
            ),
        )
        return format_html(
            '<table id="acknowledgements"><thead><tr><th>Party</th><th>State</th>'
            "<th>Fingerprint acknowledged</th><th>When</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            rows,
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

    def get_actions(self, request):
        # Deleting goes one draft at a time through the delete page, which checks the stage.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_filtered_view)
        import_file = self.admin_site.admin_view(self.import_view)
        renew = self.admin_site.admin_view(self.renew_view)
        intake = self.admin_site.admin_view(self.intake_view)
        return [
            path("intake/", intake, name="agreements_memorandum_intake"),
            path(
                "export/<str:export_format>/",
                export,
                name="agreements_memorandum_export",
            ),
            path("import/", import_file, name="agreements_memorandum_import"),
            # Before the default URLs, whose `<path:object_id>/` would swallow it.
            path("<path:object_id>/renew/", renew, name="agreements_memorandum_renew"),
            *super().get_urls(),
        ]

    def _renew(self, request, memorandum) -> Memorandum | None:
        """Create the draft renewal, or say why not; None when it was refused."""
        try:
            renewal = memorandum_renew(memorandum=memorandum, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        self.message_user(
            request,
            format_html(
                "Created the draft renewal {} of {}. Check its dates and commitments, add "
                "the signatories when it is signed; {} stays in force until then.",
                renewal.reference,
                memorandum.reference,
                memorandum.reference,
            ),
            messages.SUCCESS,
        )
        return renewal

    def _change_url(self, memorandum) -> str:
        return reverse("admin:agreements_memorandum_change", args=[memorandum.pk])

    @admin.action(description="Renew selected memoranda", permissions=["add"])
    def renew_selected(self, request, queryset):
        """A draft renewal of each: with one selected, its change page opens."""
        renewals = [
            renewal
            for memorandum in queryset.order_by("pk")
            if (renewal := self._renew(request, memorandum)) is not None
        ]
        if len(renewals) == 1 and len(queryset) == 1:
            return HttpResponseRedirect(self._change_url(renewals[0]))
        return None

    def renew_view(self, request, object_id):
        """The change page's "Renew" button: a confirmation page, then (POST) the draft."""
        memorandum = self.get_object(request, unquote(object_id))
        if memorandum is None:
            raise Http404
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            renewal = self._renew(request, memorandum)
            return HttpResponseRedirect(self._change_url(renewal or memorandum))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Renew {memorandum.reference}",
            "subtitle": None,
            "object": memorandum,
            "opts": self.model._meta,
            "parties": memorandum.parties.all(),
            "commitment_count": memorandum.commitments.count(),
        }
        return TemplateResponse(
            request, "admin/agreements/memorandum/renew_confirmation.html", context
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_renew"] = (
            obj is not None
            and getattr(obj, "status", None) in RENEWABLE
            and self.has_add_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        """The same history as the API: the memorandum's changes and those of its parts."""
        memorandum = self.get_object(request, unquote(object_id))
        if memorandum is None:
            raise Http404
        if not roles.reads_history(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {memorandum}",
            "subtitle": None,
            "object": memorandum,
            "opts": self.model._meta,
            "entries": memorandum_history(memorandum),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/agreements/memorandum/object_history.html", context)

    def save_model(self, request, obj, form, change):
        # The fields, then the areas and SDGs saved with the inlines, make one history entry.
        obj.skip_history_when_saving = True
        memorandum_save(memorandum=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        memorandum = form.instance
        del memorandum.skip_history_when_saving
        MEMORANDUM_HISTORY.create_historical_record(memorandum, "~" if change else "+")

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
