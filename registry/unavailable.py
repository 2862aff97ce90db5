"""A database that does not answer is a 503 with `Retry-After`, never a hang or a 500 page.

PostgreSQL restarting, failing over or refusing connections raises `OperationalError` or
`InterfaceError` wherever the request happens to be. Three places turn that into the same
short JSON answer:

- the API's exception handler (`registry.api.exceptions`), for errors inside DRF views;
- `DatabaseUnavailableMiddleware.process_exception`, for errors inside any other view (the
  admin, the dashboard, the public pages);
- `server_error` (the project's `handler500`), for errors raised outside a view, e.g. by the
  session middleware saving a session; any other exception there stays Django's 500 page.

The connection that failed is closed at the end of the request (Django closes connections
that had errors and are unusable), and the next request connects afresh: the service recovers
by itself once the database is back. Nothing is retried here: a write that got a 503 may or
may not have been committed, and the client that retries sends its `version` again.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults

logger = logging.getLogger("registry.unavailable")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
MESSAGE = _("The database is unavailable; try again shortly.")


def is_database_error(exc) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def unavailable_response(request=None, exc=None) -> JsonResponse:
    logger.error(
        "database unavailable: %s %s: %s",
        getattr(request, "method", "-"),
        getattr(request, "path", "-"),
        str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else exc,
    )
    response = JsonResponse({"detail": MESSAGE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_error(exception):
            return unavailable_response(request, exception)
        return None


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    """`handler404`: under /api/ a path that matches no route is a JSON 404, like any other
    404 of the API; elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception, template_name=template_name)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """`handler500`: a database error raised outside a view is a 503 too."""
    exc = sys.exc_info()[1]
    if is_database_error(exc):
        return unavailable_response(request, exc)
    return defaults.server_error(request, template_name=template_name)
