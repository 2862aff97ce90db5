import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Institution
from registry import roles

from . import exports
from .caching import CountRememberingPaginator, remembered
from .feeds import feed_url
from .fingerprint import acknowledgement_states, fingerprint
from .importing import ImportForm, keep_upload, memoranda_import, pending_import, read_rows
from .intake import propose
from .intake_forms import IntakeConfirmForm, IntakeTextForm
from .models import (
    MEMORANDUM_HISTORY,
    CalendarFeedToken,
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    Reminder,
    Signatory,
    SustainableDevelopmentGoal,
)
from .querysets import Status
from .selectors import (
    memorandum_history,
    memorandum_list,
    memorandum_visible_to,
    party_countries,
    restrict_to_visible_memoranda,
)
from .services import (
    RENEWABLE,
    calendar_feed_token_create,
    calendar_feed_token_revoke,
    memorandum_delete,
    memorandum_renew,
    memorandum_save,
    validate_terms,
)
from .uploads import check_upload


class StatusListFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.in_status([self.value()]) if self.value() else queryset


class UsedAreaListFilter(admin.RelatedOnlyFieldListFilter):
    """The cooperation areas of the memoranda the user sees, remembered for the data version
    (agreements/caching.py): finding them reads every memorandum's areas."""

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

    def import_view(self, request):
        """Upload a CSV or XLSX file, see what it would do, then confirm (SPEC section 5)."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Import memoranda",
            "subtitle": None,
            "opts": self.model._meta,
            "columns": exports.COLUMNS,
        }
        if request.method == "POST" and "token" in request.POST:
            upload = pending_import(request, request.POST["token"])
            if upload is None:
                messages.error(request, "That upload has expired: choose the file again.")
                return redirect("admin:agreements_memorandum_import")
            with upload.open() as rows:
                report = memoranda_import(
                    rows=read_rows(rows, upload.file_format), actor=request.user
                )
            upload.discard()
            if report.written:
                messages.success(request, report.summary())
                return redirect("admin:agreements_memorandum_changelist")
            context["report"] = report
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = keep_upload(request, form.cleaned_data["file"])
                try:
                    with upload.open() as rows:
                        report = memoranda_import(
                            rows=read_rows(rows, upload.file_format),
                            actor=request.user,
                            dry_run=True,
                        )
                except ValidationError as error:
                    form.add_error("file", error)
                    upload.discard()
                else:
                    context |= {"report": report, "token": upload.token}
            context["form"] = form
        else:
            context["form"] = ImportForm()
        return TemplateResponse(request, "admin/agreements/memorandum/import.html", context)

    def intake_view(self, request):
        """Paste an announcement, see the draft it proposes (agreements/intake.py), confirm:
        the draft is created through `memorandum_create` with the ticked parties (and any
        unknown institutions ticked for creation), areas, date and follow-ups."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Intake from announcement",
            "subtitle": None,
            "opts": self.model._meta,
        }
        text_form = IntakeTextForm(request.POST or None)
        if request.method == "POST" and text_form.is_valid():
            proposal = propose(text_form.cleaned_data["text"])
            if "create" in request.POST:
                form = IntakeConfirmForm(request.POST, proposal=proposal)
                if form.is_valid():
                    try:
                        memorandum, created = form.save(actor=request.user)
                    except ValidationError:
                        pass
                    else:
                        self.message_user(
                            request,
                            format_html(
                                "Created the draft {}{}. Add its signatories and check its "
                                "terms before it is signed.",
                                memorandum.reference,
                                f" and {len(created)} new institution(s)" if created else "",
                            ),
                            messages.SUCCESS,
                        )
                        return HttpResponseRedirect(self._change_url(memorandum))
            else:
                form = IntakeConfirmForm(proposal=proposal)
            context |= {"proposal": proposal, "form": form}
        context["text_form"] = text_form
        return TemplateResponse(request, "admin/agreements/memorandum/intake.html", context)

    def export_filtered_view(self, request, export_format):
        """The changelist as it is filtered and searched now, as a file."""
        if export_format not in exports.FORMATS or not self.has_view_permission(request):
            raise Http404
        changelist = self.get_changelist_instance(request)
        return self._export(request, changelist.get_queryset(request), export_format)

    def _export(self, request, queryset, export_format):
        rows = memorandum_list(request.user, acknowledgements=False).filter(
            pk__in=queryset.values("pk")
        )
        return exports.memoranda_response(rows, export_format)

    @admin.action(description="Export selected memoranda as CSV")
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description="Export selected memoranda as XLSX")
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description="Export selected memoranda as JSON")
    def export_json(self, request, queryset):
        return self._export(request, queryset, "json")

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


@admin.register(CooperationArea)
class CooperationAreaAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]


class CalendarFeedTokenForm(forms.ModelForm):
    # Not the model's `user` field: adding a feed for someone who has one replaces it
    # (`calendar_feed_token_create`), which the one-active-feed constraint would refuse.
    for_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label="User",
        help_text="Whose feed: leave blank for your own. A partner's API client gets its feed "
        "here, since it cannot sign in to the admin.",
    )

    class Meta:
        model = CalendarFeedToken
        fields = []


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    """Each staff user's own page for their calendar feed ("Calendar feeds",
    /admin/agreements/calendarfeedtoken/): Add makes a feed (a new address; a previous one is
    revoked) and shows its subscribe URL; an action revokes it. A user sees only their own
    feeds; superusers see everyone's and make feeds for other users too."""

    form = CalendarFeedTokenForm
    list_display = ["__str__", "subscribe_url", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke_selected"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ["user", *self.list_display]
        return self.list_display

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["for_user"] if request.user.is_superuser else []
        return ["user", "subscribe_url", "created_at", "revoked_at"]

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {
            "subtitle": "A new feed address; a feed made before for the same user is revoked.",
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description="subscribe URL")
    def subscribe_url(self, token):
        if not token.is_active:
            return "—"
        url = feed_url(token)
        return format_html(
            '<input type="text" value="{}" readonly size="70" onfocus="this.select()">'
            "<br>Add it to Outlook or Google Calendar as a calendar from the internet. Anyone "
            "with this address sees what you may read: revoke it if it leaks.",
            url,
        )

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def _own(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request) and self._own(request, obj)

    def has_add_permission(self, request):
        # No query here: the admin asks on every page, for its menu.
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the record of who had a feed stays

    def has_revoke_permission(self, request):
        return self._staff(request)

    def save_model(self, request, obj, form, change):
        chosen = form.cleaned_data.get("for_user")
        user = chosen if request.user.is_superuser and chosen else request.user
        token = calendar_feed_token_create(user=user, actor=request.user)
        obj.pk, obj.user, obj.key = token.pk, token.user, token.key
        obj.created_at = token.created_at

    @admin.action(description="Revoke selected calendar feeds", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            calendar_feed_token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(
            request, f"Revoked {revoked} calendar feed(s); their addresses now answer 404."
        )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The log of reminders sent by `manage.py send_reminders`: read only, for staff who read
    the whole register."""

    list_display = ["sent_at", "kind", "memorandum", "commitment", "due_on", "recipient", "outcome"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["memorandum", "commitment"]
    search_fields = ["memorandum__reference", "memorandum__title", "recipient"]
    date_hierarchy = "sent_at"

    def get_queryset(self, request):
        return restrict_to_visible_memoranda(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and roles.reads_everything(request.user)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
