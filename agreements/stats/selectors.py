"""Figures of the register: totals by status, country, area and year; what expires; what changed.

Their memoranda come from `memorandum_visible_to` (through `memoranda_for_statistics`) and then
the `MemorandumFilterSet`, so visibility and filters apply to every figure, chart and table."""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django_countries import countries

from agreements.models import (
    Memorandum,
    Party,
)
from agreements.querysets import Status
from agreements.selectors import memorandum_visible_to, ordered_parties, partner_institution_id
from partners.home import home_institution_id
from registry import roles
from registry.caching import remembered


def memoranda_for_statistics(user, *, today: datetime.date | None = None) -> QuerySet:
    """What `user`'s statistics and dashboard count, with their status: the memoranda it may
    read (`memorandum_visible_to`); for a partner client, only the agreements its institution
    is a party to, not the rest of the public register."""
    memoranda = memorandum_visible_to(user).with_status(today)
    if roles.reads_everything(user):
        return memoranda
    institution_id = partner_institution_id(user)
    if institution_id is not None:
        memoranda = memoranda.filter(
            Exists(Party.objects.filter(memorandum=OuterRef("pk"), institution_id=institution_id))
        )
    return memoranda


def memorandum_statistics(queryset: QuerySet, *, today: datetime.date) -> dict:
    """Totals of `queryset` by status, party country, cooperation area and year signed, and how
    many active ones expire within 90 and 180 days, and by owning unit: the data version, then
    (unless cached for that version) five queries, whatever the data size.

    `queryset` is visible to the reader and filtered; it carries the `with_status()` annotation
    (added here for `today` when it does not).
    """
    if "status" not in queryset.query.annotations:
        queryset = queryset.with_status(today)
    return remembered("statistics", queryset, lambda: _statistics(queryset.order_by(), today=today))


def _statistics(memoranda: QuerySet, *, today: datetime.date) -> dict:
    selected = memoranda.values("pk")

    # 1. Counts by status, with the expiring ones counted inside each status group.
    by_status = {status: 0 for status in Status.values}
    expiring = {90: 0, 180: 0}
    rows = memoranda.values("status").annotate(
        count=Count("pk"),
        **{
            f"within_{days}": Count(
                "pk",
                filter=Q(expires_on__range=(today, today + datetime.timedelta(days=days))),
            )
            for days in expiring
        },
    )
    for row in rows:
        by_status[row["status"]] = row["count"]
        if row["status"] == Status.ACTIVE:
            for days in expiring:
                expiring[days] = row[f"within_{days}"]

    # 2. Memoranda by the country of a partner (each memorandum once per country): our own
    # institution is no partner (a query for it only when REGISTRY_HOME_INSTITUTION is set).
    partners = Party.objects.filter(memorandum__in=selected)
    home_id = home_institution_id()
    if home_id is not None:
        partners = partners.exclude(institution_id=home_id)
    by_country = [
        {"country": row["country"], "name": countries.name(row["country"]), "count": row["count"]}
        for row in partners.values(country=F("institution__country"))
        .annotate(count=Count("memorandum_id", distinct=True))
        .order_by("-count", "country")
    ]

    # 3. Memoranda by cooperation area.
    by_area = [
        {"code": row["code"], "name": row["name"], "count": row["count"]}
        for row in Memorandum.cooperation_areas.through.objects.filter(memorandum__in=selected)
        .values(code=F("cooperationarea__code"), name=F("cooperationarea__name"))
        .annotate(count=Count("memorandum_id"))
        .order_by("-count", "name")
    ]

    # 4. Memoranda by the year they were signed.
    by_year = list(
        Memorandum.objects.filter(pk__in=selected, signed_on__isnull=False)
        .values(year=ExtractYear("signed_on"))
        .annotate(count=Count("pk"))
        .order_by("year")
    )

    # 5. Memoranda by the unit of ours that owns them.
    by_unit = list(
        Memorandum.objects.filter(pk__in=selected, owner_unit__isnull=False)
        .values(unit=F("owner_unit_id"), name=F("owner_unit__name"))
        .annotate(count=Count("pk"))
        .order_by("-count", "name")
    )

    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_country": by_country,
        "by_area": by_area,
        "by_year": by_year,
        "by_unit": by_unit,
        "expiring_within_90": expiring[90],
        "expiring_within_180": expiring[180],
    }


def memorandum_expiring(queryset: QuerySet, *, today: datetime.date, days: int) -> QuerySet:
    """Active memoranda of `queryset` (with status) expiring within `days` days, soonest first,
    with their parties: two queries."""
    horizon = today + datetime.timedelta(days=days)
    return (
        queryset.filter(status=Status.ACTIVE, expires_on__range=(today, horizon))
        .order_by("expires_on", "id")
        .prefetch_related(ordered_parties())
    )


def memorandum_recently_updated(queryset: QuerySet) -> QuerySet:
    """Memoranda of `queryset` (with status), the latest change first, with who made it."""
    return queryset.order_by("-updated_at", "-id").select_related("updated_by")
