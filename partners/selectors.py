"""Who may read people's contact details. Which institutions and people a user may see
depends on the agreements it may read: `agreements.selectors` holds those gates. And the
name an institution is shown by in the reader's language."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Subquery
from django.utils import translation

from .models import Institution, InstitutionAlias, OrganisationalUnit, UnitEditorGrant


def can_read_contact_details(user) -> bool:
    """Emails and phone numbers are never shown to anonymous visitors."""
    return user.is_authenticated


def units_with_descendants(unit_ids: Iterable[int]) -> list[int]:
    """The units `unit_ids` and every unit under them, in one query over the tree."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in OrganisationalUnit.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, waiting = set(), list(unit_ids)
    while waiting:
        pk = waiting.pop()
        if pk not in found:
            found.add(pk)
            waiting += children.get(pk, [])
    return sorted(found)


def units_edited_by(user) -> list[int]:
    """The units whose memoranda `user` edits as a unit editor: its granted units and every
    unit under them."""
    granted = UnitEditorGrant.objects.filter(user_id=user.pk).values_list("unit_id", flat=True)
    return units_with_descendants(list(granted))


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


def units_with_ancestors(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each of `unit_ids` with the units above it, nearest first (itself, its parent, …), in
    one query over the tree."""
    parents = dict(OrganisationalUnit.objects.values_list("pk", "parent_id"))
    chains = {}
    for unit_id in unit_ids:
        chain, current = [], unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        chains[unit_id] = chain
    return chains
