"""`stats/` runs a fixed number of queries, however many memoranda it counts."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import Memorandum
from partners.models import PartnerLink
from tests.factories import InstitutionFactory, SignedMemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db


def memoranda(count: int, **kwargs) -> None:
    today = timezone.localdate()
    for index in range(count):
        memorandum = SignedMemorandumFactory(
            parties=kwargs.get("parties")
            or [
                InstitutionFactory(country="KZ"),
                InstitutionFactory(country=["CN", "DE"][index % 2]),
            ],
            visibility=kwargs.get("visibility", Memorandum.Visibility.PUBLIC),
            signed_on=datetime.date(2019 + index, 3, 1),
            expires_on=today + datetime.timedelta(days=30 + 60 * index),
        )
        memorandum.cooperation_areas.set([1 + index, 2 + index])


@pytest.mark.parametrize("rows", [1, 3])
def test_stats_for_an_editor(editor, rows, django_assert_num_queries):
    memoranda(rows, visibility=Memorandum.Visibility.CONFIDENTIAL)
    client = APIClient()
    client.force_authenticate(editor)

    # 1 the user's groups (visibility), 2 the memoranda the word matches, 3 counts by status
    # with the expiring ones, 4 by party country, 5 by cooperation area, 6 by year signed,
    # 7 by owning unit
    with django_assert_num_queries(7):
        response = client.get("/api/v1/stats/", {"country": ["KZ", "CN"], "q": "memorandum"})

    assert response.json()["total"] == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_stats_for_a_partner_client_with_an_area_filter(rows, django_assert_num_queries):
    nu = InstitutionFactory(country="KZ")
    partner = UserFactory()
    PartnerLink.objects.create(user=partner, institution=nu)
    memoranda(rows, parties=[nu, InstitutionFactory(country="CN")], visibility="confidential")
    client = APIClient()
    client.force_authenticate(partner)

    # 1 groups, 2 partner link, 3 the area codes of the filter, 4 by status, 5 by country,
    # 6 by area, 7 by year, 8 by owning unit
    with django_assert_num_queries(8):
        response = client.get("/api/v1/stats/", {"area": ["capacity-building", "teaching"]})

    assert response.json()["total"] >= 1


@pytest.mark.parametrize("rows", [1, 3])
def test_stats_for_an_anonymous_visitor(rows, django_assert_num_queries):
    memoranda(rows)

    # 1 by status, 2 by country, 3 by area, 4 by year, 5 by owning unit (no user: no
    # visibility query)
    with django_assert_num_queries(5):
        response = APIClient().get("/api/v1/stats/")

    assert response.json()["total"] == rows
