"""The admin site: Django's, with the change history of every model kept for those who read it."""

import functools

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from registry import roles

# The views of a model admin that show an object's past: Django's history page (every model
# admin has one) and django-simple-history's page of one recorded version.
HISTORY_VIEWS = {"history_view", "history_form_view"}


class RegistryAdminSite(admin.AdminSite):
    """The history of every model (deleted people's email and phone included) is for
    editors, auditors and administrators: anyone else gets 403 on its pages, whichever model
    admin serves them, so no admin registered later can forget the rule."""

    def admin_view(self, view, cacheable=False):
        if getattr(view, "__name__", None) in HISTORY_VIEWS:
            view = _for_history_readers(view)
        return super().admin_view(view, cacheable)


def _for_history_readers(view):
    @functools.wraps(view)
    def history_readers_only(request, *args, **kwargs):
        if not roles.reads_history(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return history_readers_only
