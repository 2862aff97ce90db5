"""A memorandum's detail runs the same number of queries whatever its parts hold."""

import pytest
from rest_framework.test import APIClient

from partners.models import PartnerLink
from tests.factories import (
    CommitmentFactory,
    InstitutionFactory,
    SignatoryFactory,
    SignedMemorandumFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def memorandum_with(parts: int):
    """A signed memorandum with `parts` parties (each with a signatory), areas, SDGs, tags and
    commitments."""
    memorandum = SignedMemorandumFactory(parties=InstitutionFactory.create_batch(max(parts, 2)))
    for party in memorandum.parties.all()[:parts]:
        SignatoryFactory(party=party)
    memorandum.tags.add(*[f"tag-{index}" for index in range(parts)])
    memorandum.cooperation_areas.set(range(1, parts + 1))
    memorandum.sdgs.set(range(1, parts + 1))
    CommitmentFactory.create_batch(parts, memorandum=memorandum)
    return memorandum


@pytest.mark.parametrize("parts", [1, 3])
def test_a_memorandums_detail(editor, parts, django_assert_num_queries):
    memorandum = memorandum_with(parts)
    client = APIClient()
    client.force_authenticate(editor)

    # 1 the user's groups (visibility), 2 the memorandum with its status, creator, editor and
    # stored fingerprint, 3 parties with institutions, 4 signatories with people and
    # institutions, 5 cooperation areas, 6 SDGs, 7 tags, 8 acknowledgements.
    with django_assert_num_queries(8):
        response = client.get(f"/api/v1/memoranda/{memorandum.pk}/")

    assert response.status_code == 200
    assert len(response.json()["signatories"]) == parts
    assert response["ETag"]


@pytest.mark.parametrize("parts", [1, 3])
def test_a_memorandums_detail_for_its_partner_client(parts, django_assert_num_queries):
    memorandum = memorandum_with(parts)
    partner = UserFactory()
    PartnerLink.objects.create(user=partner, institution=memorandum.parties.first().institution)
    client = APIClient()
    client.force_authenticate(partner)

    # 1 groups, 2 partner link, 3 the memorandum, 4 parties, 5 signatories, 6 areas, 7 SDGs,
    # 8 tags, 9 acknowledgements
    with django_assert_num_queries(9):
        response = client.get(f"/api/v1/memoranda/{memorandum.pk}/")

    assert response.status_code == 200
    assert "internal_notes" not in response.json()
