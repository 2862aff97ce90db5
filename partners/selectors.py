"""Who may read people's contact details. Which institutions and people a user may see
depends on the agreements it may read: `agreements.selectors` holds those gates. And the
name an institution is shown by in the reader's language."""

from django.db.models import OuterRef, Subquery
from django.utils import translation

from .models import Institution, InstitutionAlias


def can_read_contact_details(user) -> bool:
    """Emails and phone numbers are never shown to anonymous visitors."""
    return user.is_authenticated


def localized_name(institution: str = "pk") -> Subquery:
    """An institution's alias in the active language (None without one), for annotating a
    query: `institution` is the path from the query's rows to the institution's id. One
    subquery in the same statement, so a page's query count does not change."""
    return Subquery(
        InstitutionAlias.objects.filter(
            institution=OuterRef(institution), language=translation.get_language()
        )
        .order_by("id")
        .values("name")[:1]
    )


def display_name(institution: Institution, localized: str | None = None) -> str:
    """The name a reader sees: the alias in the reader's language, else the official name."""
    return localized or institution.name


def display_label(institution: Institution, localized: str | None = None) -> str:
    """The short name a reader sees in lists: the alias in the reader's language, else the
    acronym, else the official name."""
    return localized or institution.label
