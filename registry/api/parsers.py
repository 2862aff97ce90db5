"""The API's parsers: DRF's, refusing a body that holds a control character (see
`registry.characters`) with a 400 that names the field, nested as the serializers' errors are:
`{"parties": {"0": {"role": ["..."]}}}`."""

from typing import Any

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from registry.characters import control_character_in, control_character_message, printable_name


def control_character_errors(data: Any) -> Any:
    """The errors of `data` (parsed JSON or form fields), shaped like the data, or None."""
    if isinstance(data, QueryDict):
        # A form field sent several times is still one field.
        data = {key: "".join(data.getlist(key)) for key in data}
    if isinstance(data, str):
        character = control_character_in(data)
        return [control_character_message(character)] if character else None
    if isinstance(data, dict):
        errors = {}
        for key, value in data.items():
            key_text = str(key)
            if character := control_character_in(key_text):
                errors[printable_name(key_text)] = [control_character_message(character)]
            elif (found := control_character_errors(value)) is not None:
                errors[key_text] = found
        return errors or None
    if isinstance(data, list):
        errors = {
            str(index): found
            for index, value in enumerate(data)
            if (found := control_character_errors(value)) is not None
        }
        return errors or None
    return None


def refuse_control_characters(data: Any) -> Any:
    errors = control_character_errors(data)
    if errors is None:
        return data
    if not isinstance(errors, dict):
        errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
    raise ValidationError(errors)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_control_characters(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_control_characters(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_control_characters(parsed.data)
        return parsed
