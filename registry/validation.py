"""Refusals about one item of a list that a change carries (the second signatory of a
memorandum, a commitment), so that whoever shows the refusal can point at that item."""

from django.core.exceptions import ValidationError


class ItemError(ValidationError):
    """A message about the item at `index` of a list: about its `field`, or the item as a whole
    when `field` is None.

    It travels inside `ValidationError({"signatories": [...]})` like any message, so the admin
    and the importer read it as before; the API answers it on the item the client sent
    (`registry.api.exceptions`), or on the item's own field where the endpoint writes a single
    item (`item_fields`).
    """

    def __init__(self, message: str, *, index: int, field: str | None, code: str | None = None):
        super().__init__(message, code=code)
        self.index = index
        self.field = field


def item_fields(error: ValidationError, list_name: str) -> ValidationError:
    """`error` as a refusal of one item of `list_name`, written alone: the messages about that
    item's fields are keyed by those fields; the rest stay where they were."""
    if not hasattr(error, "error_dict") or list_name not in error.error_dict:
        return error
    fields: dict[str, list[ValidationError]] = {}
    for field, errors in error.error_dict.items():
        for message in errors:
            if field == list_name and isinstance(message, ItemError) and message.field:
                fields.setdefault(message.field, []).extend(message.messages)
            else:
                fields.setdefault(field, []).append(message)
    return ValidationError(fields)
