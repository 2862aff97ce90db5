"""The dashboard in Chromium: sign in, read the figures, filter, follow a link to the admin."""

import re
from urllib.parse import urlsplit

import pytest

from agreements.models import Memorandum
from tests.factories import UserFactory

from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def chart(page, key: str) -> dict[str, int]:
    rows = page.locator(f'[data-chart="{key}"] .chart__row')
    return {
        rows.nth(index).get_attribute("data-key"): int(rows.nth(index).get_attribute("data-value"))
        for index in range(rows.count())
    }


def figure(page, name: str) -> int:
    return int(page.locator(f'[data-figure="{name}"] dd').inner_text())


def expiring_titles(page) -> list[str]:
    return page.locator("#expiring-table tbody tr td:nth-child(2) a").all_inner_texts()


def test_sign_in_filter_the_dashboard_and_open_the_admin(
    new_page, staff_editor, agreements, screenshot
):
    page = new_page()

    sign_in(page, "office")

    assert page.get_by_role("heading", level=1).inner_text() == "Partnership agreements"
    assert figure(page, "total") == 4
    assert figure(page, "expiring-90") == 2
    assert chart(page, "country") == {"CN": 3, "KZ": 3, "DE": 1, "FR": 1}
    assert page.locator('[data-chart="year"] svg').is_visible()
    assert expiring_titles(page) == [
        "Trilateral memorandum on online education",
        "Joint bid for the Paris consultancy",
        "Research centre framework",
    ]
    screenshot(page, "dashboard")

    page.get_by_label("Partner country", exact=True).select_option(label="France")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"\?country=FR"))

    assert page.get_by_label("Partner country", exact=True).input_value() == "FR"
    assert figure(page, "total") == 1
    assert chart(page, "country") == {"CN": 1, "FR": 1}
    assert chart(page, "area") == {"joint-bidding": 1}
    assert expiring_titles(page) == ["Joint bid for the Paris consultancy"]
    screenshot(page, "dashboard-filtered-france")

    page.get_by_label("Cooperation area", exact=True).select_option(label="Research")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"area=research"))

    assert figure(page, "total") == 0
    assert page.locator("#expiring-none").is_visible()
    assert page.locator('[data-chart="country"] svg').count() == 0

    page.get_by_role("link", name="Clear").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/" and not urlsplit(url).query)
    assert figure(page, "total") == 4

    page.locator("#expiring-table").get_by_role("link", name="Research centre framework").click()
    page.wait_for_url(re.compile(rf"/admin/agreements/memorandum/{agreements['centre'].pk}/"))
    assert page.locator("#id_title").input_value() == "Research centre framework"
    screenshot(page, "admin-change-from-dashboard", full_page=False)


def test_the_skip_link_is_the_first_stop(new_page, staff_editor, agreements):
    page = new_page()
    sign_in(page, "office")

    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    assert page.locator(".skip-link").is_visible()


def test_the_dashboard_is_readable_on_a_phone(new_page, staff_editor, agreements, screenshot):
    page = new_page(width=390, height=844)
    sign_in(page, "office")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    label_size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.field label')).fontSize)"
    )

    assert overflow <= 0
    assert label_size >= 16
    assert page.get_by_label("Partner country", exact=True).is_visible()
    screenshot(page, "dashboard-phone")


def test_a_screenshot_of_the_demo_dashboard(new_page, screenshot, db):
    """The picture in the README and docs/features.md (docs/dashboard.png is a copy of this one)."""
    from agreements.demo import load_demo

    load_demo()
    UserFactory(username="office", is_staff=True, groups=["registry-editor"])
    total = Memorandum.objects.count()
    page = new_page(width=1280, height=1700)
    sign_in(page, "office")

    assert figure(page, "total") == total
    assert len(chart(page, "country")) > 5
    screenshot(page, "dashboard-demo", full_page=False)  # < 300 KB for the README
