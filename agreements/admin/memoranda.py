import datetime
import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
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
from django.utils.translation import gettext_lazy as _

from agreements.acknowledgements.states import acknowledgement_states
from agreements.admin.readable import ReadableRelationsInlineMixin, ReadableRelationsMixin
from agreements.approvals.admin import (
    ApprovalStateListFilter,
    CurrentStepListFilter,
    approval_html,
)
from agreements.exports.admin import ExportAdminMixin
from agreements.fingerprint import fingerprint
from agreements.importing.admin import ImportAdminMixin
from agreements.intake.admin import IntakeAdminMixin
from agreements.models import (
    Commitment,
    Document,
    Memorandum,
    Party,
    Signatory,
)
from agreements.querysets import Status
from agreements.selectors import (
    document_visible_to,
    memorandum_history,
    memorandum_visible_to,
    party_countries,
)
from agreements.services import (
    DOCUMENT_DETAILS,
    RENEWABLE,
    DocumentChanges,
    memorandum_delete,
    memorandum_renew,
    memorandum_save,
)
from agreements.uploads import check_upload
from partners.selectors import units_edited_by
from registry import roles
from registry.caching import CountRememberingPaginator, remembered
from registry.versioning import StaleVersion


class StatusListFilter(admin.SimpleListFilter):
    title = _("status")
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
    title = _("party country")
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
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("expired", _("Expired")),
            ("90", _("Within 90 days")),
            ("180", _("Within 180 days")),
            ("open", _("Open-ended")),
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


class PartFormSet(BaseInlineFormSet):
    """The rows of one of a memorandum's parts, handed to the services by `MemorandumForm`."""

    def kept_forms(self) -> list[forms.ModelForm]:
        """The rows that stay, in order: the stored ones and the new ones filled in, without
        those marked for deletion."""
        deleted = self.deleted_forms
        stored = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if form not in deleted and (index < stored or form.has_changed())
        ]

    def rows(self) -> list[dict]:
        """The kept rows as the services take them."""
        return [self.row(form) for form in self.kept_forms()]

    def row(self, form: forms.ModelForm) -> dict:
        """The row's values, read from the form's instance: it holds the cleaned data (and,
        for a row the user may only view, the stored values)."""
        names = [name for name in self.form._meta.fields if name != self.fk.name]
        return {name: getattr(form.instance, name) for name in names}

    def add_non_form_errors(self, errors: list) -> None:
        """Show what the service refused about these rows above them."""
        self.non_form_errors().extend(ValidationError(errors).error_list)

    def describe_changes(self) -> None:
        """The row lists a formset's `save()` leaves for the admin's log message; here the
        services saved the rows."""
        deleted = self.deleted_forms
        stored = self.initial_forms
        kept = self.kept_forms()
        self.new_objects = [form.instance for form in kept if form not in stored]
        self.changed_objects = [
            (form.instance, form.changed_data)
            for form in kept
            if form in stored and form.has_changed()
        ]
        self.deleted_objects = [form.instance for form in deleted if form in stored]


class CommitmentFormSet(PartFormSet):
    def row(self, form: forms.ModelForm) -> dict:
        # A stored commitment is named by its id, so that it is changed in place and keeps
        # its reminders.
        return super().row(form) | {"id": form.instance.pk}


class DocumentFormSet(PartFormSet):
    def changes(self) -> DocumentChanges:
        """New uploads, changed details and removals, as `memorandum_save` takes them."""
        kept = self.kept_forms()
        return DocumentChanges(
            uploaded=[
                {name: form.cleaned_data[name] for name in ("file", *DOCUMENT_DETAILS)}
                for form in kept
                if form.instance.pk is None
            ],
            changed=[
                (form.instance, {name: form.cleaned_data[name] for name in DOCUMENT_DETAILS})
                for form in kept
                if form.instance.pk is not None and form.has_changed()
            ],
            removed=[form.instance for form in self.deleted_forms if form.instance.pk is not None],
        )


class PartyInline(ReadableRelationsInlineMixin, admin.TabularInline):
    model = Party
    formset = PartFormSet
    autocomplete_fields = ["institution", "unit"]
    fields = ["institution", "unit", "role", "order"]
    extra = 0


class SignatoryInline(ReadableRelationsInlineMixin, admin.TabularInline):
    model = Signatory
    formset = PartFormSet
    autocomplete_fields = ["person", "institution"]
    fields = ["person", "institution", "position_at_signing", "signed_on", "mode"]
    extra = 0


class CommitmentInline(ReadableRelationsInlineMixin, admin.StackedInline):
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
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "file" in self.fields:
            # The file uploaded and checksummed stays: another file is another document.
            self.fields["file"].disabled = True
            self.fields["file"].help_text = _("To replace the file, upload it as a new document.")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            # Size and type by content, as the API checks them (agreements/uploads.py).
            try:
                check_upload(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from None
        return upload


class DocumentInline(ReadableRelationsInlineMixin, admin.TabularInline):
    model = Document
    form = DocumentForm
    formset = DocumentFormSet
    fields = ["title", "kind", "file", "language", "size", "sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = ["size", "sha256", "uploaded_at", "uploaded_by"]
    extra = 0

    def get_queryset(self, request):
        # The documents' own gate: a partner client's account reads only its own institution's.
        visible = document_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)


STALE_VERSION = _(
    "Someone else saved this memorandum while you were editing it. Open it again to see their "
    "change, then apply yours."
)


class MemorandumForm(forms.ModelForm):
    """A memorandum with its parts, saved whole by the services the API calls.

    The inline formsets are the form's own (`parts`, made by `MemorandumAdmin.get_form`). The
    form is valid once its fields and every row are, and the service has accepted and saved
    the whole change; it runs while the form is validated, inside the admin view's
    transaction. What the service refuses becomes errors on the page, on the field or the
    part it names, and nothing is written.
    """

    # The version the editor loaded; a different one in the database means a concurrent save.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Set for each request by MemorandumAdmin.get_form.
    actor = None
    create_parts = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        self.parts, self.part_inlines = self.create_parts(self.instance)
        self.saved: Memorandum | None = None

    def is_valid(self) -> bool:
        parts_valid = all([formset.is_valid() for formset in self.parts])
        if not (super().is_valid() and parts_valid):
            return False
        if self.saved is None:
            self.save_through_services()
        return self.saved is not None

    def save_through_services(self) -> None:
        """Create or update the memorandum with its parts, then its documents, as one change."""
        parts = {formset.prefix: formset for formset in self.parts}
        fields = dict(self.cleaned_data)
        expected_version = fields.pop("loaded_version")
        arguments = fields | {
            "cooperation_areas": list(fields["cooperation_areas"]),
            "sdgs": [sdg.number for sdg in fields["sdgs"]],
            "parties": parts["parties"].rows(),
            "signatories": parts["signatories"].rows(),
            "commitments": parts["commitments"].rows(),
        }
        try:
            memorandum = memorandum_save(
                memorandum=self.instance if self.instance.pk is not None else None,
                actor=self.actor,
                expected_version=expected_version,
                documents=parts["documents"].changes(),
                **arguments,
            )
        except StaleVersion:
            self.add_error(None, STALE_VERSION)
        except ValidationError as error:
            self.show_refusal(error, parts)
        else:
            self.saved = memorandum
            return
        if self.instance.pk is not None:
            # The page shows the memorandum as stored (version, last change), not as the
            # refused change left the object; the fields show what the editor typed.
            self.instance.refresh_from_db()

    def show_refusal(self, error: ValidationError, parts: dict[str, PartFormSet]) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            if name in parts:
                parts[name].add_non_form_errors(errors)
            elif name in self.fields:
                self.add_error(name, errors)
            else:
                self.add_error(None, errors)


def in_unit_scope(user, memorandum: Memorandum | None) -> bool:
    """Whether `user` may edit `memorandum` as far as units go: a unit editor edits those its
    units own; the page shows it any other one read-only."""
    if memorandum is None or not roles.edits_own_units_only(user):
        return True
    return memorandum.owner_unit_id in units_edited_by(user)


@admin.register(Memorandum)
class MemorandumAdmin(
    ReadableRelationsMixin,
    IntakeAdminMixin,
    ImportAdminMixin,
    ExportAdminMixin,
    admin.ModelAdmin,
):
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
        ApprovalStateListFilter,
        CurrentStepListFilter,
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
    autocomplete_fields = ["supersedes", "owner_unit"]
    filter_horizontal = ["cooperation_areas", "sdgs"]
    readonly_fields = [
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "terms_fingerprint",
        "acknowledgement_table",
        "approval_route",
    ]
    actions = ["export_csv", "export_xlsx", "export_json", "renew_selected"]
    change_list_template = "admin/agreements/memorandum/change_list.html"
    fieldsets = [
        (None, {"fields": ["reference", "title", "kind", "stage", "visibility", "summary"]}),
        (
            _("Signing and term"),
            {
                "fields": [
                    ("signed_on", "signed_at"),
                    ("effective_from", "expires_on"),
                    ("auto_renew", "renewal_notice_days"),
                    "supersedes",
                ]
            },
        ),
        (_("Scope"), {"fields": ["cooperation_areas", "sdgs", "tags", "source_url"]}),
        (_("Ownership"), {"fields": ["owner_unit", "owner_email", "internal_notes"]}),
        (
            _("Record"),
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
                    _("Approval"),
                    {
                        "fields": ["approval_route"],
                        "description": _(
                            "The route of sign-off for this kind of memorandum: each step's "
                            "state and the decisions with their comments. Decisions are made "
                            "through the API; a change of the terms sends the memorandum back "
                            "to the first step."
                        ),
                    },
                ),
            )
            fieldsets.insert(
                -1,
                (
                    _("Acknowledgements"),
                    {
                        "fields": ["terms_fingerprint", "acknowledgement_table"],
                        "description": _(
                            "What each party acknowledged through the API: the sha256 of the "
                            "signed terms (parties, dates, areas, SDGs, commitments, document "
                            "checksums). A change of terms makes earlier acknowledgements stale; "
                            "none is ever deleted."
                        ),
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

    @admin.display(description=_("fingerprint of the terms"))
    def terms_fingerprint(self, memorandum):
        stored = self._terms_of(memorandum) if memorandum.pk else None
        value = fingerprint(stored) if stored is not None else None
        return value or _("— (only a signed memorandum has one)")

    @admin.display(description=_("acknowledgements by party"))
    def acknowledgement_table(self, memorandum):
        stored = self._terms_of(memorandum) if memorandum.pk else None
        if stored is None:
            return "—"
        labels = {party.institution_id: party.institution.label for party in stored.parties.all()}
        explained = {
            "acknowledged": _("acknowledged the current terms"),
            "stale": _("stale: acknowledged earlier terms, which have changed since"),
            "pending": _("pending: never acknowledged"),
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
            '<table id="acknowledgements"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Party"),
            _("State"),
            _("Fingerprint acknowledged"),
            _("When"),
            rows,
        )

    @admin.display(description=_("route"))
    def approval_route(self, memorandum):
        return approval_html(memorandum) if memorandum.pk else "—"

    @admin.display(description=_("parties"))
    def party_names(self, memorandum):
        return "; ".join(party.institution.label for party in memorandum.parties.all())

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, memorandum):
        return memorandum.get_status_display()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user
        form.create_parts = staticmethod(
            functools.partial(self.part_formsets, request, change=change)
        )
        return form

    def part_formsets(self, request, memorandum, *, change):
        """The inline formsets of the page, for MemorandumForm to hold."""
        return super()._create_formsets(request, memorandum, change)

    def _create_formsets(self, request, obj, change):
        # The memorandum form holds the formsets (get_form), to validate and save them with
        # the memorandum; render_change_form puts them on the page.
        return [], []

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
                _(
                    "Created the draft renewal {renewal} of {original}. Check its dates and "
                    "commitments, add the signatories when it is signed; {original} stays in "
                    "force until then."
                ),
                renewal=renewal.reference,
                original=memorandum.reference,
            ),
            messages.SUCCESS,
        )
        return renewal

    def _change_url(self, memorandum) -> str:
        return reverse("admin:agreements_memorandum_change", args=[memorandum.pk])

    @admin.action(description=_("Renew selected memoranda"), permissions=["add"])
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
            "title": _("Renew %(reference)s") % {"reference": memorandum.reference},
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
        form = context["adminform"].form
        inline_formsets = self.get_inline_formsets(request, form.parts, form.part_inlines, obj)
        context["inline_admin_formsets"] = inline_formsets
        context["errors"] = helpers.AdminErrorList(form, form.parts)
        for inline_formset in inline_formsets:
            context["media"] += inline_formset.media
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
            "title": _("Change history: %(memorandum)s") % {"memorandum": memorandum},
            "subtitle": None,
            "object": memorandum,
            "opts": self.model._meta,
            "entries": memorandum_history(memorandum),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/agreements/memorandum/object_history.html", context)

    def save_form(self, request, form, change):
        # Saved through the services while the form was validated (MemorandumForm.is_valid).
        return form.saved

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        pass

    def construct_change_message(self, request, form, formsets, add):
        for formset in form.parts:
            formset.describe_changes()
        return super().construct_change_message(request, form, form.parts, add)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and in_unit_scope(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj) and in_unit_scope(request.user, obj)
        return allowed and (obj is None or obj.stage == Memorandum.Stage.DRAFT)

    def delete_model(self, request, obj):
        memorandum_delete(memorandum=obj, actor=request.user)
