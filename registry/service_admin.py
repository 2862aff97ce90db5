"""Admin pages that write through the services, as the API does.

`ServiceAdminMixin` goes before the admin class it changes (`ModelAdmin`, `SimpleHistoryAdmin`).
The admin class says how its object is written (`save_model`, `delete_model`) and how the rows
of each inline are (`save_formset`, usually with `write_rows`), each by calling a service; the
mixin refuses Django's own writes (`obj.save()`, `formset.save()`, `form.save_m2m()`) and the
bulk "delete selected" action, which deletes a queryset at once.

A service refuses a change with ValidationError (ProtectedError for a delete). The admin's
views run in one transaction, so the refusal undoes whatever the save had already written; the
form is then shown again with the service's messages on it, as if the form had found them.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import models, router, transaction
from django.db.models import ProtectedError
from django.forms import BaseFormSet, BaseModelForm
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Where a refused save leaves the service's error for the form shown again.
REFUSAL = "service_refusal"


def refusal_messages(refusal: Exception) -> dict[str | None, list[str]]:
    """The messages of a service's refusal by field name (None: the change as a whole)."""
    if isinstance(refusal, ProtectedError):
        return {None: [str(refusal.args[0])]}
    if not hasattr(refusal, "error_dict"):
        return {None: refusal.messages}
    return {
        None if field == NON_FIELD_ERRORS else field: field_messages
        for field, field_messages in refusal.message_dict.items()
    }


def form_values(form: BaseModelForm, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The model fields a form was given, cleaned: the keyword arguments of a service."""
    model_fields = {
        field.name
        for field in form._meta.model._meta.get_fields()
        if field.concrete and not field.primary_key and field.name not in exclude
    }
    return {name: value for name, value in form.cleaned_data.items() if name in model_fields}


def adopt(shown: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved object the one a service created, so that the inlines, the
    log entry and the redirect that follow refer to the saved row."""
    for field in saved._meta.concrete_fields:
        setattr(shown, field.attname, getattr(saved, field.attname))
    shown._state.adding = False
    shown._state.db = saved._state.db


class ServiceAdminMixin:
    def save_model(self, request, obj, form, change):
        raise ImproperlyConfigured(f"{type(self).__name__} must save through a service.")

    def delete_model(self, request, obj):
        raise ImproperlyConfigured(f"{type(self).__name__} must delete through a service.")

    def delete_queryset(self, request, queryset):
        raise ImproperlyConfigured(f"{type(self).__name__} deletes one object at a time.")

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): a many-to-many field, if any, is the service's to write.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Only inlines that are read here (nothing changed in them) have nothing to write."""
        if any(row.has_changed() for row in formset.forms):
            raise ImproperlyConfigured(
                f"{type(self).__name__} must write the rows of {formset.prefix} through a service."
            )
        write_rows(formset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, REFUSAL, None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned_data = super().clean()
                for field, field_messages in refusal_messages(refusal).items():
                    if field is None or field in self.fields:
                        self.add_error(field, field_messages)
                    else:
                        label = field.replace("_", " ").capitalize()
                        self.add_error(None, [f"{label}: {m}" for m in field_messages])
                return cleaned_data

        return RefusedForm

    def _shown_again_if_refused(self, request, view: Callable, *args):
        try:
            return view(*args)
        except (ValidationError, ProtectedError) as refusal:
            if request.method != "POST":
                raise
            setattr(request, REFUSAL, refusal)
            return view(*args)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._shown_again_if_refused(
            request, super().changeform_view, request, object_id, form_url, extra_context
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """simple-history's revert page: one transaction, like the change form's."""

        def revert(*args):
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super(ServiceAdminMixin, self).history_form_view(*args)

        return self._shown_again_if_refused(
            request, revert, request, object_id, version_id, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ValidationError, ProtectedError) as refusal:
            text = " ".join(m for ms in refusal_messages(refusal).values() for m in ms)
            self.message_user(
                request, _("Not deleted: %(reason)s") % {"reason": text}, messages.ERROR
            )
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                )
            )


def write_rows(
    formset: BaseFormSet,
    *,
    create: Callable[[BaseModelForm], models.Model] | None = None,
    update: Callable[[BaseModelForm], models.Model] | None = None,
    delete: Callable[[BaseModelForm], None] | None = None,
) -> None:
    """Write an inline's rows, each through the service given for what happened to it (none:
    written already, with the parent), and note them as the admin's change message reads them."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    deleted = set(map(id, formset.deleted_forms))
    for index, row in enumerate(formset.forms):
        stored = index < formset.initial_form_count()
        if id(row) in deleted:
            if stored:
                if delete is not None:
                    delete(row)
                formset.deleted_objects.append(row.instance)
        elif not row.has_changed():
            continue
        elif stored:
            saved = update(row) if update is not None else row.instance
            formset.changed_objects.append((saved, row.changed_data))
        else:
            saved = create(row) if create is not None else row.instance
            formset.new_objects.append(saved)


class ReadOnlyAdminMixin:
    """A page (or inline) that only shows: its rows are written elsewhere, by a migration, by
    the registry itself or on another page."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
