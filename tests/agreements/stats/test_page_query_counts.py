"""The pages run a fixed number of queries, however many memoranda they show."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InstitutionFactory, SignatoryFactory, SignedMemorandumFactory

pytestmark = pytest.mark.django_db


def memoranda(count: int) -> list:
    today = timezone.localdate()
    created = []
    for index in range(count):
        memorandum = SignedMemorandumFactory(
            parties=[InstitutionFactory(country="KZ"), InstitutionFactory(country="CN")],
            signed_on=datetime.date(2020 + index, 1, 15),
            expires_on=today + datetime.timedelta(days=20 + 30 * index),
        )
        memorandum.cooperation_areas.set([1, 2 + index])
        memorandum.sdgs.set([4, 17])
        for party in memorandum.parties.all():
            SignatoryFactory(party=party)
        created.append(memorandum)
    return created


@pytest.mark.parametrize("rows", [1, 3])
def test_dashboard(client, editor, rows, django_assert_num_queries):
    memoranda(rows)
    client.force_login(editor)

    # 1 session, 2 user, 3 the user's groups, 4 party countries (filter form), 5 areas (filter
    # form), 6 counts by status, 7 by country, 8 by area, 9 by year, 10 by owning unit,
    # 11 expiring, 12 their parties, 13 recently updated with who updated them, 14 what waits
    # for the user's approval
    with django_assert_num_queries(14):
        response = client.get("/", {"country": "CN", "status": "active"})

    assert response.status_code == 200
    assert response.content.decode().count('<tr data-reference="') == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_public_list(client, rows, django_assert_num_queries):
    memoranda(rows)

    # 1 party countries (filter form), 2 areas (filter form), 3 the memoranda the word matches,
    # 4 count, 5 page, 6 parties, 7 areas of the page's memoranda
    with django_assert_num_queries(7):
        response = client.get("/public/", {"q": "memorandum", "country": "KZ"})

    assert response.content.decode().count('class="register__item"') == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_public_detail(client, rows, django_assert_num_queries):
    memorandum = memoranda(rows)[-1]

    # 1 the memorandum with its status, 2 parties, 3 signatories with people and
    # institutions, 4 areas, 5 SDGs
    with django_assert_num_queries(5):
        response = client.get(reverse("public-detail", args=[memorandum.reference]))

    assert response.status_code == 200
