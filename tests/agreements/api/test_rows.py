"""Lists and details are built from plain rows (agreements/api/rows.py) in exactly the shape the
memorandum serializer writes, for every kind of reader."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from agreements.acknowledgements.services import acknowledgement_create
from agreements.api.serializers import MemorandumSerializer
from agreements.selectors import memorandum_list
from agreements.services import memorandum_create, memorandum_update
from partners.models import PartnerLink
from tests.factories import InstitutionFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(editor):
    """Memoranda with every kind of part: a confidential original superseded by a public
    amendment, acknowledgements current and stale, signatories, areas, SDGs and tags."""
    nu, sustech, ichei = (
        InstitutionFactory(short_name="NU", country="KZ"),
        InstitutionFactory(short_name="SUSTech", country="CN"),
        InstitutionFactory(short_name="", country="CN"),
    )
    katsu = PersonFactory(honorific="Prof.", full_name="Shigeo Katsu", institution=nu)
    original = memorandum_create(
        actor=editor,
        title="Confidential original",
        stage="signed",
        signed_on=datetime.date(2021, 3, 1),
        visibility="confidential",
        internal_notes="Only ours.",
        owner_email="office@nu.example",
        parties=[{"institution": nu}, {"institution": sustech}],
    )
    amendment = memorandum_create(
        actor=editor,
        title="Public amendment",
        kind="amendment",
        stage="signed",
        signed_on=datetime.date(2023, 5, 29),
        expires_on=datetime.date(2028, 5, 28),
        visibility="public",
        supersedes=original,
        summary="Research and teaching.",
        tags=["trilateral", "research"],
        sdgs=[17, 4],
        parties=[
            {"institution": ichei, "role": "coordinator"},
            {"institution": nu},
            {"institution": sustech},
        ],
        signatories=[
            {
                "person": katsu,
                "institution": nu,
                "position_at_signing": "President",
                "signed_on": datetime.date(2023, 5, 29),
                "mode": "in_person",
            }
        ],
    )
    acknowledgement_create(
        memorandum=amendment, institution=nu, fingerprint_seen=amendment.fingerprint, actor=None
    )
    acknowledgement_create(
        memorandum=amendment,
        institution=sustech,
        fingerprint_seen=amendment.fingerprint,
        actor=None,
    )
    memorandum_update(memorandum=amendment, actor=editor, sdgs=[4])
    acknowledgement_create(
        memorandum=amendment,
        institution=nu,
        fingerprint_seen=memorandum_list(editor).get(pk=amendment.pk).fingerprint,
        actor=None,
    )
    memorandum_create(actor=editor, title="A bare draft", visibility="internal")
    partner = UserFactory(username="sustech-client")
    PartnerLink.objects.create(user=partner, institution=sustech)
    return partner


def serialized(user, memorandum) -> dict:
    return MemorandumSerializer(memorandum, context={"request": SimpleNamespace(user=user)}).data


@pytest.mark.parametrize("reader", ["anonymous", "viewer", "editor", "auditor", "partner"])
def test_list_and_detail_are_what_the_serializer_writes(reader, register, request):
    readers = {"anonymous": AnonymousUser(), "partner": register}
    user = readers[reader] if reader in readers else request.getfixturevalue(reader)
    client = APIClient()
    if user.is_authenticated:
        client.force_authenticate(user)
    visible = memorandum_list(user)

    listed = client.get("/api/v1/memoranda/", {"ordering": "title"}).json()["results"]

    expected = [serialized(user, memorandum) for memorandum in visible.order_by("title", "id")]
    assert listed == expected
    assert listed, "every reader sees at least the public amendment"
    for row in expected:
        detail = client.get(f"/api/v1/memoranda/{row['id']}/")
        assert detail.json() == row
        assert detail["ETag"] == f'"m{row["id"]}-v{row["version"]}"'


def test_a_detail_that_is_not_a_number_or_not_visible_is_a_404(register):
    client = APIClient()

    assert client.get("/api/v1/memoranda/abc/").status_code == 404
    assert client.get("/api/v1/memoranda/99999999999999999999/").status_code == 404
