"""Reads of the published register: what an anonymous visitor may read, whoever asks."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from agreements.models import (
    Memorandum,
    Signatory,
)
from agreements.selectors import memorandum_visible_to, ordered_parties
from partners.selectors import localized_name


def public_memoranda(today: datetime.date | None = None) -> QuerySet:
    """The published register: what an anonymous visitor may read, whoever is asking."""
    return memorandum_visible_to(AnonymousUser()).with_status(today)


def public_register_rows(queryset: QuerySet) -> QuerySet:
    """A page of the public register: each row with its parties and areas (two queries)."""
    return queryset.prefetch_related(ordered_parties(), "cooperation_areas")


def public_memorandum(reference: str, today: datetime.date | None = None) -> Memorandum:
    """One memorandum of the published register with what its page shows: parties, signatories
    (their contact details are not shown), areas, SDGs. Raises Memorandum.DoesNotExist for one
    that is not public."""
    return (
        public_memoranda(today)
        .prefetch_related(
            ordered_parties(),
            Prefetch(
                "signatories",
                queryset=Signatory.objects.select_related("person", "institution")
                .annotate(institution_localized_name=localized_name("institution"))
                .order_by("id"),
            ),
            "cooperation_areas",
            "sdgs",
        )
        .get(reference=reference)
    )
