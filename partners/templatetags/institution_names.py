"""Institutions' names in the reader's language, in templates.

Each filter takes what points to an institution (a party, a signatory): a query made with
`partners.selectors.localized_name` annotated it with `institution_localized_name`, the
institution's alias in the active language; without one the official name is shown."""

from django import template

from partners.selectors import display_label, display_name

register = template.Library()


@register.filter
def institution_name(holder) -> str:
    return display_name(holder.institution, getattr(holder, "institution_localized_name", None))


@register.filter
def institution_label(holder) -> str:
    return display_label(holder.institution, getattr(holder, "institution_localized_name", None))
