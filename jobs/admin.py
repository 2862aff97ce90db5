"""Each user's own jobs (/admin/jobs/job/): what runs, how far it is, its result. A job's page
shows a progress bar that its script (static/jobs/progress.js) keeps up to date from the API."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from registry.service_admin import ReadOnlyAdminMixin

from .models import Job
from .selectors import job_result_servable, job_visible_to


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["label", "kind", "state", "progress_text", "created_at", "finished_at"]
    list_filter = ["kind", "state"]
    fields = [
        "label",
        "kind",
        "progress",
        "message_list",
        "result_link",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    ]
    readonly_fields = fields

    class Media:
        js = ["jobs/progress.js"]
        css = {"all": ["jobs/progress.css"]}

    def get_queryset(self, request):
        return job_visible_to(request.user).select_related("owner")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.display(description="Progress")
    def progress_text(self, job):
        if job.total:
            return f"{job.done:,} of {job.total:,} ({job.percent} %)"
        return f"{job.done:,}" if job.done else "—"

    @admin.display(description="Progress")
    def progress(self, job):
        return format_html(
            '<div class="job-progress" data-url="{}" data-state="{}">'
            '<progress max="100" value="{}"></progress> <span class="job-progress-text">{} · {}'
            "</span></div>",
            reverse("job-detail", args=[job.pk]),
            job.state,
            job.percent or 0,
            job.get_state_display(),
            self.progress_text(job),
        )

    @admin.display(description="Messages")
    def message_list(self, job):
        items = format_html_join("", "<li>{}</li>", ((message,) for message in job.messages))
        return format_html('<ul class="job-messages">{}</ul>', items)

    @admin.display(description="Result")
    def result_link(self, job):
        if not job_result_servable(job):
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("job-result", args=[job.pk]), job.result_name
        )
