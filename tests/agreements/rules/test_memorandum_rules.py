import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from agreements.models import Commitment, CooperationArea, Memorandum
from agreements.services import memorandum_create, memorandum_update
from tests.factories import (
    InstitutionFactory,
    MemorandumFactory,
    PersonFactory,
    SignedMemorandumFactory,
)

pytestmark = pytest.mark.django_db

SIGNED = {"title": "Trilateral MoU", "stage": "signed", "signed_on": datetime.date(2023, 5, 29)}


def create_errors(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        memorandum_create(actor=None, **kwargs)
    return caught.value.message_dict


def test_signed_memorandum_with_one_party_is_rejected_on_parties(nu):
    errors = create_errors(parties=[{"institution": nu}], **SIGNED)

    assert errors["parties"] == ["A signed memorandum needs at least two distinct parties."]
    assert not Memorandum.objects.exists()


def test_same_institution_twice_does_not_count_as_two_parties(nu):
    errors = create_errors(parties=[{"institution": nu}, {"institution": nu}], **SIGNED)

    assert any("more than once: NU" in message for message in errors["parties"])
    assert "at least two distinct parties" in " ".join(errors["parties"])


def test_draft_may_have_a_single_party(nu):
    memorandum = memorandum_create(actor=None, title="Early draft", parties=[{"institution": nu}])

    assert memorandum.parties.count() == 1


def test_signed_memorandum_without_signing_date_is_rejected_on_signed_on(nu, sustech):
    errors = create_errors(
        title="MoU", stage="signed", parties=[{"institution": nu}, {"institution": sustech}]
    )

    assert errors["signed_on"] == ["A signed memorandum needs the date it was signed."]
    assert not Memorandum.objects.exists()


def test_expiry_before_effective_date_is_rejected_on_expires_on(nu, sustech):
    errors = create_errors(
        parties=[{"institution": nu}, {"institution": sustech}],
        expires_on=datetime.date(2023, 5, 28),
        **SIGNED,
    )

    assert errors["expires_on"] == [
        "The expiry date must be on or after the date the memorandum takes effect."
    ]


def test_expiry_on_the_effective_day_is_allowed(nu, sustech):
    memorandum = memorandum_create(
        actor=None,
        parties=[{"institution": nu}, {"institution": sustech}],
        expires_on=datetime.date(2023, 5, 29),
        **SIGNED,
    )

    assert memorandum.effective_from == datetime.date(2023, 5, 29)


def test_signatory_of_an_institution_that_is_not_a_party_is_rejected(nu, sustech):
    outsider = InstitutionFactory(name="Outsider College", short_name="OC")
    person = PersonFactory(institution=outsider)

    errors = create_errors(
        parties=[{"institution": nu}, {"institution": sustech}],
        signatories=[{"person": person, "institution": outsider}],
        **SIGNED,
    )

    assert errors["signatories"] == [
        "OC is not a party of this memorandum, so no one can sign for it."
    ]
    assert not Memorandum.objects.exists()


def test_commitment_of_an_institution_that_is_not_a_party_is_rejected(nu, sustech):
    outsider = InstitutionFactory(short_name="OC")

    errors = create_errors(
        parties=[{"institution": nu}, {"institution": sustech}],
        commitments=[{"title": "Summit", "responsible_institution": outsider}],
        **SIGNED,
    )

    assert "OC is not a party" in errors["commitments"][0]


def test_completion_date_only_for_a_done_commitment():
    commitment = Commitment(
        memorandum=MemorandumFactory(),
        title="Summit invitation",
        status=Commitment.Status.PLANNED,
        completed_on=datetime.date(2023, 12, 1),
    )

    with pytest.raises(ValidationError) as caught:
        commitment.full_clean()
    assert caught.value.message_dict["completed_on"] == [
        "Only a commitment whose status is done has a completion date."
    ]


def test_sdg_18_is_rejected_on_sdgs(nu, sustech):
    with pytest.raises(ValidationError) as caught:
        memorandum_create(
            actor=None,
            parties=[{"institution": nu}, {"institution": sustech}],
            sdgs=[4, 18],
            **SIGNED,
        )

    assert "SDG 18" in caught.value.message_dict["sdgs"][0]
    assert not Memorandum.objects.exists()


def test_memorandum_cannot_supersede_itself():
    memorandum = MemorandumFactory()
    memorandum.supersedes = memorandum

    with pytest.raises(ValidationError) as caught:
        memorandum.full_clean()
    assert "supersedes" in caught.value.message_dict


def test_supersedes_cycle_is_rejected_on_supersedes():
    first = MemorandumFactory()
    second = MemorandumFactory(supersedes=first)
    third = MemorandumFactory(supersedes=second)

    with pytest.raises(ValidationError) as caught:
        memorandum_update(memorandum=first, actor=None, supersedes=third)
    assert "cycle" in caught.value.message_dict["supersedes"][0]
    first.refresh_from_db()
    assert first.supersedes is None


def test_duplicate_reference_is_rejected_on_reference():
    MemorandumFactory(reference="MOU-2023-0001")

    with pytest.raises(ValidationError) as caught:
        memorandum_create(actor=None, reference="MOU-2023-0001", title="Copy", parties=[])
    assert caught.value.message_dict["reference"] == [
        "A memorandum with this reference already exists."
    ]


def test_database_refuses_a_signed_memorandum_without_date():
    with pytest.raises(IntegrityError):
        Memorandum.objects.create(title="Signed", stage="signed", reference="X-1")


def test_update_that_breaks_a_rule_changes_nothing(nu, sustech):
    memorandum = SignedMemorandumFactory(parties=[nu, sustech])

    with pytest.raises(ValidationError):
        memorandum_update(
            memorandum=memorandum,
            actor=None,
            title="Changed",
            parties=[{"institution": nu}],
        )

    memorandum.refresh_from_db()
    assert memorandum.title != "Changed"
    assert memorandum.version == 1
    assert memorandum.parties.count() == 2


def test_unknown_area_and_tags_are_stored_with_the_memorandum(nu, sustech):
    memorandum = memorandum_create(
        actor=None,
        parties=[{"institution": nu}, {"institution": sustech}],
        cooperation_areas=CooperationArea.objects.filter(code__in=["research", "teaching"]),
        sdgs=[4],
        tags=["trilateral"],
        **SIGNED,
    )

    assert sorted(memorandum.cooperation_areas.values_list("code", flat=True)) == [
        "research",
        "teaching",
    ]
    assert list(memorandum.sdgs.values_list("number", flat=True)) == [4]
    assert list(memorandum.tags.names()) == ["trilateral"]


def test_every_update_raises_the_version(nu, sustech):
    memorandum = SignedMemorandumFactory(parties=[nu, sustech])

    memorandum_update(memorandum=memorandum, actor=None, title="First change")
    memorandum_update(memorandum=memorandum, actor=None, title="Second change")

    memorandum.refresh_from_db()
    assert memorandum.version == 3
