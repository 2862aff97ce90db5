"""Text the registry accepts: anything but the C0 control characters other than tab, line feed
and carriage return.

PostgreSQL refuses NUL in any string, so a NUL that reaches a query is a server error there;
XML 1.0 cannot hold the other control characters, so XLSX files and calendar feeds cannot
either. They never belong in a title, a name or a search. Three places keep them out, each
answering with the name of the field:

- `ControlCharacterMiddleware`, for every request: the path, the headers, the query string
  and, outside the API, form bodies are refused with a 400 before any view runs;
- the API's parsers (`registry.api.parsers`), for JSON, form and multipart bodies;
- `PlainTextMixin.clean_fields`, for every text field of every model the services write
  (`full_clean`), so that the admin, the API and the import are refused alike.

What was stored before these checks is written safely by the exports (`without_control_characters`).
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

# The same set as openpyxl's ILLEGAL_CHARACTERS_RE: what XML 1.0 cannot hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
API_PREFIX = "/api/"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def control_character_message(character: str) -> str:
    return _(
        "Remove the control character %(character)s: text may hold tabs and line breaks, but "
        "no other control characters."
    ) % {"character": f"U+{ord(character):04X}"}


def control_character_in(value: str) -> str | None:
    """The first control character of `value` that the registry refuses, or None."""
    found = CONTROL_CHARACTERS.search(value)
    return found.group() if found else None


def validate_plain_text(value) -> None:
    """A validator: refuses a string holding a control character other than tab or a line
    break."""
    if isinstance(value, str) and (character := control_character_in(value)):
        raise ValidationError(control_character_message(character), code="control_character")


def without_control_characters(value: str) -> str:
    """`value` without the control characters a file format cannot hold (for text stored
    before they were refused)."""
    return CONTROL_CHARACTERS.sub("", value)


def printable_name(name: str) -> str:
    """A parameter's or field's name with its control characters written out (`\\x00`)."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", name)


class PlainTextMixin:
    """`full_clean` also refuses control characters in every text field (CharField,
    TextField and their kin: slugs, URLs, e-mail addresses), naming the field."""

    def clean_fields(self, exclude=None):
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude or field.name in errors:
                continue
            if not isinstance(field, models.CharField | models.TextField):
                continue
            try:
                validate_plain_text(getattr(self, field.attname))
            except ValidationError as error:
                errors.setdefault(field.name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)


def refused_names(pairs: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The first (name, character) of (name, value) pairs where the name or the value holds
    a control character."""
    for name, value in pairs:
        character = control_character_in(name) or control_character_in(value)
        if character:
            return name, character
    return None


def _header_name(meta_key: str) -> str:
    return "-".join(part.capitalize() for part in meta_key.removeprefix("HTTP_").split("_"))


class ControlCharacterMiddleware:
    """A request whose path, headers, query string or form body holds a control character is
    a 400 naming where: JSON `{"name": ["message"]}` under /api/, a short text elsewhere.

    API bodies are left to the API's parsers, which read them only once the request is
    authenticated (and the document upload checks its size first). Header values may hold
    no control character but tab by HTTP itself, so none is lost.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refused(request)
        if refused is not None:
            return self.refusal(request, *refused)
        return self.get_response(request)

    def refused(self, request) -> tuple[str, str] | None:
        if character := control_character_in(request.path_info):
            return "path", character
        headers = (
            (_header_name(key), value)
            for key, value in request.META.items()
            if key.startswith("HTTP_") and isinstance(value, str)
        )
        found = refused_names(headers) or refused_names(
            (key, value) for key, values in request.GET.lists() for value in values
        )
        if found is not None:
            return found
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            request.method == "POST"
            and not request.path_info.startswith(API_PREFIX)
            and content_type.startswith(FORM_CONTENT_TYPES)
        ):
            return refused_names(
                (key, value)
                for key, values in request.POST.lists()
                for value in values
                if isinstance(value, str)
            )
        return None

    @staticmethod
    def refusal(request, name: str, character: str):
        name, message = printable_name(name), control_character_message(character)
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({name: [message]}, status=400)
        return HttpResponseBadRequest(f"{name}: {message}\n", content_type="text/plain")
