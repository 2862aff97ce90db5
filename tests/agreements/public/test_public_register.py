"""`/public/`: the published register shows public memoranda only, to anyone."""

import re

import pytest
from django.urls import reverse

from agreements.models import Memorandum
from tests.factories import SignatoryFactory, SignedMemorandumFactory

pytestmark = pytest.mark.django_db


def listed(html: str) -> set[str]:
    return set(re.findall(r'class="register__item" data-reference="([^"]+)"', html))


def test_the_register_lists_public_memoranda_only(client, register):
    response = client.get("/public/")
    html = response.content.decode()

    assert response.status_code == 200
    assert listed(html) == {register.public_active.reference, register.public_expired.reference}
    for hidden in (register.internal, register.confidential, register.draft):
        assert hidden.title not in html
        assert hidden.reference not in html
    assert '<option value="FR"' not in html  # only the confidential one has a French party


@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_the_register_is_the_same_for_signed_in_staff(client, register, role, request):
    client.force_login(request.getfixturevalue(role))

    html = client.get("/public/").content.decode()

    assert listed(html) == {register.public_active.reference, register.public_expired.reference}
    assert register.confidential.title not in html
    assert register.internal.title not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=munich", {"public_expired"}),
        ("q=online+education", {"public_active"}),
        ("q=SUSTech", {"public_active"}),  # a party's name; its confidential one stays hidden
        ("q=Paris", set()),  # the confidential one's title
        ("country=DE", {"public_expired"}),
        ("country=FR", set()),
        ("area=research", {"public_active"}),
        ("status=expired", {"public_expired"}),
        ("visibility=confidential", set()),
        ("q=memorandum&status=active", {"public_active"}),
    ],
)
def test_search_and_filters(client, register, query, expected):
    html = client.get(f"/public/?{query}").content.decode()

    assert listed(html) == {getattr(register, name).reference for name in expected}
    assert register.confidential.title not in html


def test_the_register_is_paginated(client, db):
    SignedMemorandumFactory.create_batch(23)

    first = client.get("/public/").content.decode()
    second = client.get("/public/?page=2").content.decode()

    assert len(listed(first)) == 20
    assert len(listed(second)) == 3
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert not listed(first) & listed(second)


def test_pagination_keeps_the_search(client, db):
    SignedMemorandumFactory.create_batch(21, title="Exchange agreement")

    html = client.get("/public/?q=exchange").content.decode()

    assert 'href="?q=exchange&amp;page=2"' in html


def test_a_public_memorandum_has_a_page(client, register):
    memorandum = register.public_active
    memorandum.summary = "Capacity building and the IIOE."
    memorandum.save()
    memorandum.sdgs.set([4])
    SignatoryFactory(
        party=memorandum.parties.get(institution=register.sustech),
        person__honorific="Prof.",
        person__full_name="Lu Chun",
        person__email="lu.chun@example.org",
        person__phone="+86 755 0000 0000",
        position_at_signing="Vice President",
    )

    response = client.get(reverse("public-detail", args=[memorandum.reference]))
    html = response.content.decode()

    assert response.status_code == 200
    assert memorandum.title in html
    assert "Nazarbayev University (NU)" in html
    assert "SUSTech" in html and "China" in html
    assert "Prof. Lu Chun, Vice President" in html
    assert "lu.chun@example.org" not in html
    assert "+86 755" not in html
    assert "Research" in html and "Teaching" in html
    assert "SDG 4: Quality education" in html
    assert "Capacity building and the IIOE." in html
    assert "29 May 2023" in html
    assert "Active" in html


def test_the_page_shows_no_internal_notes_or_owner(client, register):
    memorandum = register.public_active
    memorandum.internal_notes = "Budget still unclear"
    memorandum.owner_email = "owner@example.org"
    memorandum.save()

    html = client.get(reverse("public-detail", args=[memorandum.reference])).content.decode()

    assert "Budget still unclear" not in html
    assert "owner@example.org" not in html


@pytest.mark.parametrize("name", ["internal", "confidential", "draft"])
def test_memoranda_that_are_not_public_are_404(client, register, editor, name):
    url = reverse("public-detail", args=[getattr(register, name).reference])

    assert client.get(url).status_code == 404
    client.force_login(editor)  # even for those who may read it elsewhere
    assert client.get(url).status_code == 404


def test_an_unknown_reference_is_404(client, db):
    assert client.get("/public/MOU-1999-0001/").status_code == 404


def test_a_reference_with_a_slash_has_a_page(client, db):
    memorandum = SignedMemorandumFactory(reference="NU/SUSTech/2023", title="Slash")

    url = reverse("public-detail", args=[memorandum.reference])

    assert client.get(url).status_code == 200
    assert f'href="{url}"' in client.get("/public/").content.decode()


def test_pages_are_accessible_landmarks(client, register):
    html = client.get("/public/").content.decode()

    assert 'href="#main"' in html and 'id="main"' in html
    assert "<header" in html and "<nav" in html and "<main" in html and "<footer" in html
    assert html.count("<h1") == 1
    assert '<html lang="en">' in html
    for field in ("q", "country", "area", "status"):
        assert f'<label for="id_{field}">' in html
    assert "/static/registry/registry.css" in html
    assert "https://" not in re.sub(r'href="https?://[^"]*"', "", html)  # nothing fetched


def test_the_stylesheet_is_served_by_the_application(client):
    response = client.get("/static/registry/registry.css")

    assert response.status_code == 200
    assert b"@import" not in b"".join(response.streaming_content)


def test_a_public_draft_is_listed_as_not_signed(client, db):
    Memorandum.objects.create(reference="DRAFT-1", title="Public draft", visibility="public")

    html = client.get("/public/").content.decode()

    assert "Not signed yet" in html
