"""The derived status: the SQL annotation, the status filter and the model property agree on
every case (agreements/querysets.py holds the one definition)."""

import datetime

import pytest
from django.utils import timezone

from agreements.models import Memorandum
from tests.factories import MemorandumFactory, SignedMemorandumFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
DAY = datetime.timedelta(days=1)


def annotated_status(memorandum: Memorandum, today=TODAY) -> str:
    return Memorandum.objects.with_status(today).get(pk=memorandum.pk).status


def assert_status(memorandum: Memorandum, expected: str, today=TODAY) -> None:
    assert annotated_status(memorandum, today) == expected
    assert Memorandum.objects.in_status([expected], today).filter(pk=memorandum.pk).exists()


@pytest.mark.parametrize("stage", ["draft", "negotiation"])
def test_unsigned_stages_are_their_own_status(stage):
    assert_status(MemorandumFactory(stage=stage), stage)


def test_terminated_stays_terminated_even_within_its_dates():
    memorandum = SignedMemorandumFactory(expires_on=TODAY + 100 * DAY)
    Memorandum.objects.filter(pk=memorandum.pk).update(stage="terminated")

    assert_status(memorandum, "terminated")


EFFECTIVE = {"signed_on": TODAY - 30 * DAY}
EXPIRING = {"signed_on": TODAY - 365 * DAY}


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        pytest.param(
            EFFECTIVE | {"effective_from": TODAY + DAY}, "pending", id="effective tomorrow"
        ),
        pytest.param(EFFECTIVE | {"effective_from": TODAY}, "active", id="effective today"),
        pytest.param(
            EFFECTIVE | {"effective_from": TODAY - DAY}, "active", id="effective yesterday"
        ),
        pytest.param(EXPIRING | {"expires_on": TODAY + DAY}, "active", id="expires tomorrow"),
        pytest.param(EXPIRING | {"expires_on": TODAY}, "active", id="expires today"),
        pytest.param(EXPIRING | {"expires_on": TODAY - DAY}, "expired", id="expired yesterday"),
    ],
)
def test_pending_until_the_effective_day_and_in_force_through_the_expiry_day(dates, expected):
    assert_status(SignedMemorandumFactory(**dates), expected)


def test_auto_renewing_memorandum_does_not_expire():
    memorandum = SignedMemorandumFactory(
        signed_on=TODAY - 365 * DAY, expires_on=TODAY - DAY, auto_renew=True
    )

    assert_status(memorandum, "active")


def test_open_ended_memorandum_stays_active():
    assert_status(SignedMemorandumFactory(signed_on=TODAY - 3000 * DAY), "active")


def test_superseded_once_a_signed_successor_exists():
    original = SignedMemorandumFactory(signed_on=TODAY - 400 * DAY)
    renewal = MemorandumFactory(kind="renewal", supersedes=original)

    assert_status(original, "active")

    renewal.stage = "signed"
    renewal.signed_on = TODAY - DAY
    renewal.save()
    for party in original.parties.all():
        renewal.parties.create(institution=party.institution)

    assert_status(original, "superseded")
    assert_status(renewal, "active")


def test_status_filters_and_sorts_in_sql():
    active = SignedMemorandumFactory(signed_on=TODAY - 10 * DAY)
    expired = SignedMemorandumFactory(signed_on=TODAY - 800 * DAY, expires_on=TODAY - 5 * DAY)
    draft = MemorandumFactory()

    statuses = Memorandum.objects.with_status(TODAY)
    assert list(statuses.filter(status="expired")) == [expired]
    assert list(statuses.order_by("status").values_list("pk", flat=True)) == [
        active.pk,
        draft.pk,
        expired.pk,
    ]


def test_status_property_asks_the_database_when_loaded_without_it():
    original = SignedMemorandumFactory(signed_on=timezone.localdate() - 400 * DAY)
    renewal = SignedMemorandumFactory(
        kind="renewal", supersedes=original, signed_on=timezone.localdate()
    )
    draft = MemorandumFactory(stage="negotiation")

    statuses = [Memorandum.objects.get(pk=m.pk).status for m in (original, renewal, draft)]

    assert statuses == ["superseded", "active", "negotiation"]
    assert original.get_status_display() == "Superseded"


def test_status_property_uses_the_annotation_when_loaded_with_it():
    memorandum = SignedMemorandumFactory(signed_on=TODAY - 10 * DAY)

    loaded = Memorandum.objects.with_status(TODAY + 1000 * DAY).get(pk=memorandum.pk)
    assert loaded.status == "active"
    assert loaded.get_status_display() == "Active"


def test_status_condition_selects_the_same_rows_as_the_annotation():
    SignedMemorandumFactory(signed_on=TODAY - 10 * DAY)
    SignedMemorandumFactory(signed_on=TODAY - 30 * DAY, effective_from=TODAY + DAY)
    SignedMemorandumFactory(signed_on=TODAY - 800 * DAY, expires_on=TODAY - DAY)
    SignedMemorandumFactory(signed_on=TODAY - 800 * DAY, expires_on=TODAY - DAY, auto_renew=True)
    SignedMemorandumFactory(signed_on=TODAY - 10 * DAY, expires_on=TODAY)
    original = SignedMemorandumFactory(signed_on=TODAY - 400 * DAY)
    renewal = SignedMemorandumFactory(signed_on=TODAY - DAY, kind="renewal")
    Memorandum.objects.filter(pk=renewal.pk).update(supersedes=original)
    MemorandumFactory(stage="negotiation")
    MemorandumFactory()
    terminated = SignedMemorandumFactory()
    Memorandum.objects.filter(pk=terminated.pk).update(stage="terminated")

    annotated = Memorandum.objects.with_status(TODAY)
    for status in Memorandum.Status.values:
        by_condition = set(Memorandum.objects.in_status([status], TODAY))
        assert by_condition == set(annotated.filter(status=status)), status
    assert Memorandum.objects.in_status(["active", "expired"], TODAY).count() == 5
