"""The API's errors: 400 by field, 404, 409, 412; never a 500 for bad input;
503 with Retry-After when the database does not answer (registry/unavailable.py)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from registry.unavailable import is_database_error, unavailable_response
from registry.validation import ItemError
from registry.versioning import StaleVersion


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The If-Match header does not match the current ETag: reload and retry.")
    default_code = "precondition_failed"


def field_errors(error: DjangoValidationError) -> dict[str, list]:
    """A Django validation error as the API's `{"field": ["message"]}`. Messages about items
    of a list the client sent (`ItemError`) answer on those items, as a nested serializer's
    errors do: `{"signatories": [{}, {"institution": ["message"]}]}`."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): _by_item(
            errors
        )
        for field, errors in error.error_dict.items()
    }


def _by_item(errors: list[DjangoValidationError]) -> list:
    """The messages of one field; when some are about its items, one entry per item up to the
    last one in error, as DRF reports a list whose items are invalid (the list's own messages
    wait until its items are right, as DRF's do)."""
    items = [error for error in errors if isinstance(error, ItemError)]
    if not items:
        return [message for error in errors for message in error.messages]
    answer: list[dict[str, list[str]]] = [{} for _ in range(max(e.index for e in items) + 1)]
    for item in items:
        key = item.field or api_settings.NON_FIELD_ERRORS_KEY
        answer[item.index].setdefault(key, []).extend(item.messages)
    return answer


def exception_handler(exc, context):
    if is_database_error(exc):
        set_rollback()
        return unavailable_response(context.get("request"), exc)
    if isinstance(exc, DjangoValidationError):
        return Response(field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleVersion):
        exc = Conflict({"version": [str(exc)]})
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(
            {
                "detail": _(
                    "This record is still referred to by others (for example as a party "
                    "of an agreement) and cannot be deleted; merge or detach it first."
                )
            }
        )
    return drf_exception_handler(exc, context)
