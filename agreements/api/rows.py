"""The read path of memoranda lists and details: each row built as a plain dict from `values()`
queries, one per part for the whole page, in exactly the shape `MemorandumSerializer` writes.

A serializer builds a page field by field from model instances; for a page of 100 memoranda
with their parts that is most of a request's time. Writes keep the serializer, which checks
input; `tests/agreements/api/test_rows.py` holds the two shapes equal.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from rest_framework import serializers

from agreements.acknowledgements.api import ACKNOWLEDGEMENT_STATE
from agreements.acknowledgements.states import party_states
from agreements.models import Acknowledgement, Memorandum, Party, Signatory
from agreements.selectors import can_read_internal_notes, can_read_staff_names
from partners.selectors import can_read_contact_details

# A memorandum's representation, in the order of its keys; the serializer declares the same.
MEMORANDUM_FIELDS = [
    "id",
    "reference",
    "title",
    "kind",
    "stage",
    "status",
    "summary",
    "signed_on",
    "signed_at",
    "effective_from",
    "expires_on",
    "auto_renew",
    "renewal_notice_days",
    "supersedes",
    "visibility",
    "parties",
    "signatories",
    "cooperation_areas",
    "sdgs",
    "tags",
    "source_url",
    "owner_unit",
    "owner_unit_name",
    "owner_email",
    "internal_notes",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
    "fingerprint",
    "acknowledgements",
]
# The memorandum's own columns before its parts, and those after them read as they are.
OWN_FIELDS = MEMORANDUM_FIELDS[: MEMORANDUM_FIELDS.index("parties")]
LATER_FIELDS = MEMORANDUM_FIELDS[
    MEMORANDUM_FIELDS.index("source_url") : MEMORANDUM_FIELDS.index("created_by")
]
DATES = ("signed_on", "effective_from", "expires_on")
DATETIME = serializers.DateTimeField()


def _date(value):
    return value.isoformat() if value is not None else None


def _datetime(value):
    return DATETIME.to_representation(value) if value is not None else None


def redact(data: dict[str, Any], user, *, supersedes_visible: bool) -> dict[str, Any]:
    """Leave out of a memorandum's representation what `user` may not read: internal notes,
    the owner's email, the staff's user names, and the memorandum it supersedes when that one
    is hidden from them."""
    if user is None or not can_read_internal_notes(user):
        data.pop("internal_notes")
    if user is None or not can_read_contact_details(user):
        data.pop("owner_email")
    if user is None or not can_read_staff_names(user):
        data["created_by"] = data["updated_by"] = None
    if not supersedes_visible:
        data["supersedes"] = None
    return data


def _grouped(rows: Iterable[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    by_memorandum: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_memorandum[row.pop("memorandum_id")].append(row)
    return by_memorandum


def memorandum_values(memoranda: QuerySet) -> QuerySet:
    """`memoranda` (from `memorandum_list`, filtered and ordered) as the dicts `memorandum_rows`
    completes: its own columns, status and whether its superseded memorandum is visible."""
    return memoranda.prefetch_related(None).values(
        *OWN_FIELDS,
        *(name for name in LATER_FIELDS if name != "owner_unit_name"),
        "updated_at",
        "version",
        "fingerprint",
        "supersedes_visible",
        owner_unit_name=F("owner_unit__name"),
        created_by_name=F("created_by__username"),
        updated_by_name=F("updated_by__username"),
    )


def memorandum_rows(page: list[dict[str, Any]], user) -> list[dict[str, Any]]:
    """The API's representation of each memorandum of `page` (from `memorandum_values`), in
    its order: five queries for the parts of the whole page, whatever its size."""
    ids = [row["id"] for row in page]
    parties = _grouped(
        Party.objects.filter(memorandum_id__in=ids)
        .order_by("order", "id")
        .values(
            "memorandum_id",
            "role",
            "order",
            "institution_id",
            "unit_id",
            name=F("institution__name"),
            short_name=F("institution__short_name"),
            country=F("institution__country"),
            unit_name=F("unit__name"),
        )
    )
    signatories = _grouped(
        Signatory.objects.filter(memorandum_id__in=ids)
        .order_by("id")
        .values(
            "memorandum_id",
            "position_at_signing",
            "signed_on",
            "mode",
            "person_id",
            "institution_id",
            honorific=F("person__honorific"),
            full_name=F("person__full_name"),
        )
    )
    areas = _grouped(
        Memorandum.cooperation_areas.through.objects.filter(memorandum_id__in=ids)
        .order_by("cooperationarea__name", "cooperationarea__id")
        .values("memorandum_id", code=F("cooperationarea__code"))
    )
    sdgs = _grouped(
        Memorandum.sdgs.through.objects.filter(memorandum_id__in=ids)
        .order_by("sustainabledevelopmentgoal__number")
        .values("memorandum_id", number=F("sustainabledevelopmentgoal__number"))
    )
    tags = _grouped(
        Memorandum.tags.through.objects.filter(
            content_type__app_label="agreements",
            content_type__model="memorandum",
            object_id__in=ids,
        ).values(memorandum_id=F("object_id"), name=F("tag__name"))
    )
    acknowledgements = _grouped(
        Acknowledgement.objects.filter(memorandum_id__in=ids)
        .order_by("acknowledged_at", "id")
        .values("memorandum_id", "institution_id", "fingerprint", "acknowledged_at")
    )
    return [
        _row(
            row,
            user,
            parties=parties.get(row["id"], []),
            signatories=signatories.get(row["id"], []),
            areas=areas.get(row["id"], []),
            sdgs=sdgs.get(row["id"], []),
            tags=tags.get(row["id"], []),
            acknowledgements=acknowledgements.get(row["id"], []),
        )
        for row in page
    ]


def _row(row, user, *, parties, signatories, areas, sdgs, tags, acknowledgements) -> dict:
    data = {name: row[name] for name in OWN_FIELDS}
    for name in DATES:
        data[name] = _date(data[name])
    data["parties"] = [
        {
            "institution": party["institution_id"],
            "name": party["name"],
            "short_name": party["short_name"],
            "country": party["country"],
            "unit": party["unit_id"],
            "unit_name": party["unit_name"],
            "role": party["role"],
            "order": party["order"],
        }
        for party in parties
    ]
    data["signatories"] = [
        {
            "person": signatory["person_id"],
            "honorific": signatory["honorific"],
            "full_name": signatory["full_name"],
            "institution": signatory["institution_id"],
            "position_at_signing": signatory["position_at_signing"],
            "signed_on": _date(signatory["signed_on"]),
            "mode": signatory["mode"],
        }
        for signatory in signatories
    ]
    data["cooperation_areas"] = [area["code"] for area in areas]
    data["sdgs"] = [sdg["number"] for sdg in sdgs]
    data["tags"] = sorted(tag["name"] for tag in tags)
    for name in LATER_FIELDS:
        data[name] = row[name]
    data["created_at"] = _datetime(row["created_at"])
    data["created_by"] = row["created_by_name"]
    data["updated_at"] = _datetime(row["updated_at"])
    data["updated_by"] = row["updated_by_name"]
    data["version"] = row["version"]
    data["fingerprint"] = row["fingerprint"] or None
    data["acknowledgements"] = [
        ACKNOWLEDGEMENT_STATE.to_representation(state)
        for state in party_states(
            [party["institution_id"] for party in parties],
            [
                (a["institution_id"], a["fingerprint"], a["acknowledged_at"])
                for a in acknowledgements
            ],
            data["fingerprint"],
        )
    ]
    return redact(data, user, supersedes_visible=row["supersedes_visible"])
