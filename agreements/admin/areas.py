"""Cooperation areas and the Sustainable Development Goals."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import (
    CooperationArea,
    SustainableDevelopmentGoal,
)


@admin.register(CooperationArea)
class CooperationAreaAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
