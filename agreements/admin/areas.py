"""Cooperation areas and the Sustainable Development Goals."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import (
    CooperationArea,
    SustainableDevelopmentGoal,
)
from agreements.services import (
    cooperation_area_create,
    cooperation_area_delete,
    cooperation_area_update,
)
from registry.service_admin import ReadOnlyAdminMixin, ServiceAdminMixin, adopt, form_values


@admin.register(CooperationArea)
class CooperationAreaAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}

    def save_model(self, request, obj, form, change):
        if change:
            cooperation_area_update(area=obj, actor=request.user, **form_values(form))
        else:
            adopt(obj, cooperation_area_create(actor=request.user, **form_values(form)))

    def delete_model(self, request, obj):
        cooperation_area_delete(area=obj, actor=request.user)


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: the 17 goals are the UN's, seeded by a migration."""

    list_display = ["number", "name"]
