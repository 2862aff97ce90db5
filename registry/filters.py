"""Filter building blocks shared by the FilterSets of both apps."""

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

# The largest id a database column holds (a signed 64-bit integer): a larger number is no id,
# and would overflow the query.
LARGEST_ID = 2**63 - 1


class IntegerListField(forms.Field):
    """A repeatable whole-number parameter: `?party=3&party=7` (or `?party=3,7`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        numbers = []
        for item in values:
            for part in str(item).split(","):
                if not part.strip():
                    continue
                try:
                    number = int(part)
                except ValueError:
                    number = 0
                if not 1 <= number <= LARGEST_ID:
                    raise forms.ValidationError(
                        _("“%(value)s” is not an id: ids are whole numbers from 1.")
                        % {"value": part},
                        code="invalid",
                    )
                numbers.append(number)
        return numbers


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IntegerListFilter(django_filters.Filter):
    field_class = IntegerListField


@extend_schema_field(OpenApiTypes.STR)
class CountryFilter(django_filters.MultipleChoiceFilter):
    """ISO 3166 country codes, repeatable, any of them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: list(countries))
        super().__init__(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with empty dates last in both directions and ties broken by id, on any database."""

    def filter(self, qs, value):
        value = [param for param in value or () if param]  # `?ordering=,` names no field
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            field = F(self.param_map[param.lstrip("-")])
            ordering.append(
                field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
            )
        last_descending = value[-1].startswith("-")
        return qs.order_by(*ordering, "-id" if last_descending else "id")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true/false (or 1/0); anything else is an error rather than silently no filter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1"))
        super().__init__(*args, **kwargs)
