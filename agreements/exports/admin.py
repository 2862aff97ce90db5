"""The memorandum admin's exports: the filtered changelist or the selected rows as a file."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

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
        return exports.memoranda_response(rows, export_format)

    @admin.action(description=_("Export selected memoranda as CSV"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export selected memoranda as XLSX"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Export selected memoranda as JSON"))
    def export_json(self, request, queryset):
        return self._export(request, queryset, "json")
