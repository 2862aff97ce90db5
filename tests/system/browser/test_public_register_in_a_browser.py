"""The public register in Chromium, as an anonymous visitor: search, open, see nothing hidden."""

import re

import pytest
from django.urls import reverse

from tests.factories import SignatoryFactory

from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECRET = "Joint bid for the Paris consultancy"


def results(page) -> list[str]:
    return page.locator("#register-results h3").all_inner_texts()


def test_search_the_register_and_open_a_memorandum(new_page, agreements, screenshot):
    munich = agreements["munich"]
    party = munich.parties.get(institution__short_name="TUM")
    SignatoryFactory(
        party=party,
        person__honorific="Prof.",
        person__full_name="Anna Becker",
        person__email="anna.becker@example.org",
        person__phone="+49 89 000000",
        position_at_signing="Vice President International",
    )
    page = new_page()

    page.goto("/public/")

    assert page.get_by_role("heading", level=1).is_visible()
    assert sorted(results(page)) == [
        "Student exchange with Munich",
        "Trilateral memorandum on online education",
    ]
    screenshot(page, "public-register")

    page.get_by_label("Search", exact=True).fill("munich")
    page.get_by_label("Search", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"q=munich"))

    assert results(page) == ["Student exchange with Munich"]
    screenshot(page, "public-register-search")

    page.get_by_role("link", name="Student exchange with Munich").click()
    page.wait_for_url(re.compile(re.escape(reverse("public-detail", args=[munich.reference]))))

    assert page.get_by_role("heading", level=1).inner_text() == "Student exchange with Munich"
    parties = page.locator("#parties").inner_text()
    assert "Nazarbayev University (NU)" in parties
    assert "Technical University of Munich (TUM)" in parties and "Germany" in parties
    signatories = page.locator("#signatories").inner_text()
    assert "Prof. Anna Becker, Vice President International" in signatories
    assert "anna.becker@example.org" not in page.content()
    assert "+49 89" not in page.content()
    assert page.locator("#areas").inner_text() == "Student mobility"
    assert "10 January 2019" in page.content()
    screenshot(page, "public-memorandum")


def test_a_confidential_agreement_appears_nowhere_for_an_anonymous_visitor(
    new_page,
    agreements,
):
    page = new_page()
    secret = agreements["paris"]
    internal = agreements["centre"]

    for url in [
        "/public/",
        "/public/?q=Paris",
        "/public/?q=Sorbonne",
        "/public/?country=FR",
        "/public/?visibility=confidential",
        "/public/?status=active",
        "/api/v1/memoranda/",
        "/api/v1/memoranda/?q=Paris",
        "/api/v1/stats/",
    ]:
        page.goto(url)
        text = page.content()
        assert SECRET not in text, url
        assert secret.reference not in text, url
        assert internal.title not in text, url

    for url in [
        reverse("public-detail", args=[secret.reference]),
        reverse("public-detail", args=[internal.reference]),
        f"/api/v1/memoranda/{secret.pk}/",
    ]:
        response = page.goto(url)
        assert response.status == 404, url
        assert SECRET not in page.content()

    page.goto("/")
    assert re.search(r"/admin/login/\?next=/$", page.url)
    assert SECRET not in page.content()

    page.goto("/public/")
    assert (
        page.get_by_label("Partner country", exact=True)
        .locator("option", has_text="France")
        .count()
        == 0
    )


def test_the_register_is_the_same_for_signed_in_staff(new_page, agreements, staff_editor):
    page = new_page()
    sign_in(page, "office")

    page.goto("/public/?q=Paris")

    assert results(page) == []
    assert page.locator("#register-empty").is_visible()
    assert SECRET not in page.content()
