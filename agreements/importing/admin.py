"""The memorandum admin's import page: upload, preview, confirm."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from agreements.columns import COLUMNS
from agreements.importing.spreadsheet import (
    ImportForm,
    keep_upload,
    memoranda_import,
    pending_import,
    read_rows,
)


class ImportAdminMixin:
    def import_view(self, request):
        """Upload a CSV or XLSX file, see what it would do, then confirm."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import memoranda"),
            "subtitle": None,
            "opts": self.model._meta,
            "columns": COLUMNS,
        }
        if request.method == "POST" and "token" in request.POST:
            upload = pending_import(request, request.POST["token"])
            if upload is None:
                messages.error(request, _("That upload has expired: choose the file again."))
                return redirect("admin:agreements_memorandum_import")
            try:
                with upload.open() as rows:
                    report = memoranda_import(
                        rows=read_rows(rows, upload.file_format), actor=request.user
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("admin:agreements_memorandum_import")
            finally:
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
