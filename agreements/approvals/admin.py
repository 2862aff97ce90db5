"""The admin of approvals: routes with their steps inline (written through the services), the
route's state on a memorandum's page, and the changelist's filters by approval."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from agreements.filters import NEVER_SUBMITTED
from agreements.models import ApprovalRoute, ApprovalStep
from registry.caching import remembered
from registry.service_admin import ServiceAdminMixin, adopt, form_values

from .selectors import approval_status
from .services import (
    State,
    approval_route_create,
    approval_route_delete,
    approval_route_update,
)


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    fields = ["position", "name", "group"]
    ordering = ["position"]
    extra = 1


@admin.register(ApprovalRoute)
class ApprovalRouteAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """A route and its steps are written together, by one service call: the steps in the
    order of their positions (numbered 1, 2, … again), rows marked for deletion left out."""

    list_display = ["name", "kind", "owner_unit", "step_names"]
    list_filter = ["kind"]
    autocomplete_fields = ["owner_unit"]
    inlines = [ApprovalStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("steps")

    @admin.display(description="steps")
    def step_names(self, route):
        return " → ".join(step.name for step in route.steps.all())

    def save_model(self, request, obj, form, change):
        """Written with its steps in `save_related`."""

    def save_related(self, request, form, formsets, change):
        (steps,) = formsets
        # The stored steps and the filled-in new rows, unless marked for deletion.
        kept = [
            row
            for row in steps.forms
            if not row.cleaned_data.get("DELETE") and (row.instance.pk or row.has_changed())
        ]
        kept.sort(key=lambda row: row.cleaned_data.get("position") or 0)
        values = [
            {"name": row.cleaned_data.get("name", ""), "group": row.cleaned_data.get("group")}
            for row in kept
        ]
        if change:
            approval_route_update(
                route=form.instance, actor=request.user, steps=values, **form_values(form)
            )
        else:
            adopt(
                form.instance,
                approval_route_create(actor=request.user, steps=values, **form_values(form)),
            )
        # What the change message reads: the steps as a whole were written.
        steps.new_objects, steps.changed_objects, steps.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        approval_route_delete(route=obj, actor=request.user)


class ApprovalStateListFilter(admin.SimpleListFilter):
    title = "approval"
    parameter_name = "approval_state"

    def lookups(self, request, model_admin):
        return [(NEVER_SUBMITTED, "Never submitted"), *State.choices]

    def queryset(self, request, queryset):
        if self.value() == NEVER_SUBMITTED:
            return queryset.filter(approval__isnull=True)
        if self.value() in State.values:
            return queryset.filter(approval__state=self.value())
        return queryset


class CurrentStepListFilter(admin.SimpleListFilter):
    title = "waiting at step"
    parameter_name = "approval_step"

    def lookups(self, request, model_admin):
        steps = ApprovalStep.objects.select_related("route").order_by("route__name", "position")
        return remembered(
            "admin-approval-steps",
            steps,
            lambda: [(str(step.pk), f"{step.route.name}: {step.name}") for step in steps],
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(
                approval__state=State.IN_APPROVAL, approval__current_step_id=int(value)
            )
        return queryset


STEP_STATES = {
    "pending": "pending",
    "waiting": "waiting for a decision",
    "approved": "approved",
    "returned": "returned",
    "overridden": "overridden by a superuser",
}


def approval_html(memorandum) -> str:
    """The memorandum's route as a table: each step, its state and its decisions with their
    comments (stale ones marked)."""
    status = approval_status(memorandum)
    if status["route"] is None:
        return "No approval route for this kind: it is signed without approvals."
    decisions = format_html_join(
        "",
        '<li class="decision{}">{} {} by {}{}{}</li>',
        (
            (
                " decision--stale" if d["stale"] else "",
                d["decided_at"].strftime("%Y-%m-%d %H:%M"),
                d["action"],
                d["decided_by"] or "—",
                format_html(": “{}”", d["comment"]) if d["comment"] else "",
                " (stale: the terms changed since)" if d["stale"] else "",
            )
            for d in status["decisions"]
            if d["step"] is None
        ),
    )
    rows = format_html_join(
        "",
        '<tr class="approval-step approval-step--{}"><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td><td><ul>{}</ul></td></tr>",
        (
            (
                step["state"],
                step["position"],
                step["name"],
                step["group"],
                STEP_STATES[step["state"]],
                format_html_join(
                    "",
                    "<li>{} {} by {}{}{}</li>",
                    (
                        (
                            d["decided_at"].strftime("%Y-%m-%d %H:%M"),
                            d["action"],
                            d["decided_by"] or "—",
                            format_html(": “{}”", d["comment"]) if d["comment"] else "",
                            " (stale: the terms changed since)" if d["stale"] else "",
                        )
                        for d in step["decisions"]
                    ),
                ),
            )
            for step in status["steps"]
        ),
    )
    return format_html(
        '<p id="approval-state">{}: {}</p><table id="approval-route"><thead><tr><th>#</th>'
        "<th>Step</th><th>Decided by the group</th><th>State</th><th>Decisions</th></tr>"
        "</thead><tbody>{}</tbody></table>{}",
        status["route"]["name"],
        status["state"].replace("_", " "),
        rows,
        format_html("<ul>{}</ul>", decisions) if decisions else "",
    )
