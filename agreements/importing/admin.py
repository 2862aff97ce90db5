"""The memorandum admin's import page: upload, preview, confirm."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from agreements.columns import COLUMNS
from agreements.importing.jobs import (
    import_job_create,
    imports_in_background,
    rows_in,
)
from agreements.importing.spreadsheet import (
    ImportForm,
    keep_upload,
    memoranda_import,
    pending_import,
    read_rows,
    store_upload,
)
from jobs.models import Job
from registry import roles


class ImportAdminMixin:
    def import_view(self, request):
        """Upload a CSV or XLSX file, see what it would do, then confirm."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if roles.edits_own_units_only(request.user):
            # A file may name any owner and change any memorandum: a unit editor edits by hand.
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
                upload = store_upload(form.cleaned_data["file"])
                try:
                    rows = rows_in(upload)
                    if imports_in_background(rows):
                        job = self._import_in_background(request, upload, rows)
                        return redirect("admin:jobs_job_change", job.pk)
                    with upload.open() as file:
                        report = memoranda_import(
                            rows=read_rows(file, upload.file_format),
                            actor=request.user,
                            dry_run=True,
                        )
                except ValidationError as error:
                    form.add_error("file", error.messages)
                    upload.discard()
                else:
                    keep_upload(request, upload)
                    context |= {"report": report, "token": upload.token}
            context["form"] = form
        else:
            context["form"] = ImportForm()
        return TemplateResponse(request, "admin/agreements/memorandum/import.html", context)

    def _import_in_background(self, request, upload, rows: int) -> Job:
        """A job importing a file of more rows than a request imports (IMPORT_BACKGROUND_ROWS):
        no preview then; the job lists each problem, and a file with any writes nothing."""
        name = request.FILES["file"].name
        job = import_job_create(upload=upload, label=name, rows=rows, actor=request.user)
        messages.info(
            request,
            f"{name} has {rows:,} rows: it is imported in the background. All or nothing, as "
            "ever: a file with problems writes nothing, and the job lists them.",
        )
        return job
