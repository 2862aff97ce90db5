"""The memorandum admin's exports: the filtered changelist or the selected rows as a file."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from agreements.exports import jobs as export_jobs
from agreements.exports import memoranda as exports
from agreements.selectors import (
    memorandum_list,
)


class ExportAdminMixin:
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
        count = export_jobs.exports_in_background(export_format, rows, request.user)
        if count is None:
            return exports.memoranda_response(rows, export_format)
        # The rows as the changelist picked them now; the job reads them through the gate again.
        ids = list(rows.order_by().values_list("pk", flat=True))
        job = export_jobs.export_job_create(ids=ids, rows=count, actor=request.user)
        messages.info(
            request,
            f"{count:,} memoranda are more than a download writes at once: the XLSX file is "
            "written in the background, and linked here when it is ready.",
        )
        return redirect("admin:jobs_job_change", job.pk)

    @admin.action(description=_("Export selected memoranda as CSV"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected memoranda as XLSX"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Export selected memoranda as JSON"))
    def export_json(self, request, queryset):
        return self._export(request, queryset, "json")
