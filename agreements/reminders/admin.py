"""Calendar feed tokens (each user their own) and the log of reminders sent."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements.models import (
    CalendarFeedToken,
    Reminder,
)
from agreements.reminders.feeds import feed_url
from agreements.reminders.jobs import reminders_job_create
from agreements.selectors import (
    restrict_to_visible_memoranda,
)
from agreements.services import (
    calendar_feed_token_create,
    calendar_feed_token_revoke,
)
from registry import roles
from registry.service_admin import ReadOnlyAdminMixin


class CalendarFeedTokenForm(forms.ModelForm):
    # Not the model's `user` field: adding a feed for someone who has one replaces it
    # (`calendar_feed_token_create`), which the one-active-feed constraint would refuse.
    for_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label=_("User"),
        help_text=_(
            "Whose feed: leave blank for your own. A partner's API client gets its feed "
            "here, since it cannot sign in to the admin."
        ),
    )

    class Meta:
        model = CalendarFeedToken
        fields = []


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    """Each staff user's own page for their calendar feed ("Calendar feeds",
    /admin/agreements/calendarfeedtoken/): Add makes a feed (a new address; a previous one is
    revoked) and shows its subscribe URL; an action revokes it. A user sees only their own
    feeds; superusers see everyone's and make feeds for other users too."""

    form = CalendarFeedTokenForm
    list_display = ["__str__", "subscribe_url", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke_selected"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ["user", *self.list_display]
        return self.list_display

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["for_user"] if request.user.is_superuser else []
        return ["user", "subscribe_url", "created_at", "revoked_at"]

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {
            "subtitle": _("A new feed address; a feed made before for the same user is revoked."),
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description=_("subscribe URL"))
    def subscribe_url(self, token):
        if not token.is_active:
            return "—"
        url = feed_url(token)
        return format_html(
            '<input type="text" value="{}" readonly size="70" onfocus="this.select()"><br>{}',
            url,
            _(
                "Add it to Outlook or Google Calendar as a calendar from the internet. Anyone "
                "with this address sees what you may read: revoke it if it leaks."
            ),
        )

    def _staff(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def _own(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request) and self._own(request, obj)

    def has_add_permission(self, request):
        # No query here: the admin asks on every page, for its menu.
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the record of who had a feed stays

    def has_revoke_permission(self, request):
        return self._staff(request)

    def save_model(self, request, obj, form, change):
        chosen = form.cleaned_data.get("for_user")
        user = chosen if request.user.is_superuser and chosen else request.user
        token = calendar_feed_token_create(user=user, actor=request.user)
        obj.pk, obj.user, obj.key = token.pk, token.user, token.key
        obj.created_at = token.created_at

    @admin.action(description=_("Revoke selected calendar feeds"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            calendar_feed_token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext(
                "Revoked %(count)d calendar feed; its address now answers 404.",
                "Revoked %(count)d calendar feeds; their addresses now answer 404.",
                revoked,
            )
            % {"count": revoked},
        )


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log of reminders sent by `manage.py send_reminders`: read only, for staff who read
    the whole register."""

    list_display = ["sent_at", "kind", "memorandum", "commitment", "due_on", "recipient", "outcome"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["memorandum", "commitment"]
    search_fields = ["memorandum__reference", "memorandum__title", "recipient"]
    date_hierarchy = "sent_at"

    def get_queryset(self, request):
        return restrict_to_visible_memoranda(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and roles.reads_everything(request.user)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_urls(self):
        run = self.admin_site.admin_view(self.run_view)
        return [path("run/", run, name="agreements_reminder_run"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_run_reminders": roles.is_admin(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def run_view(self, request):
        """The reminders due today, sent by a background job (what `send_reminders` does
        daily), for administrators; the job's page shows how far it is."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not roles.is_admin(request.user):
            raise PermissionDenied
        job = reminders_job_create(actor=request.user)
        return redirect("admin:jobs_job_change", job.pk)
