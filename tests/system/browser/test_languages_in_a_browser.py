"""The dashboard and the public register in Chromium in each language: chosen with the
switcher (remembered for the next page) or with `?lang=`, institutions named in the reader's
language, charts drawn. Screenshots: test-artifacts/screenshots/dashboard-<language>.png and
public-register-<language>.png."""

import re
from urllib.parse import urlsplit

import pytest

from partners.services import institution_update

from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Language: the dashboard's heading and NU as its lists label it (the acronym where no name in
# the language is recorded), the register's heading and NU's name there.
LANGUAGES = {
    "en": (
        "Partnership agreements",
        "NU",
        "Public register of partnership agreements",
        "Nazarbayev University",
    ),
    "kk": (
        "Серіктестік туралы келісімдер",
        "Назарбаев Университет",
        "Серіктестік туралы келісімдердің жария тізілімі",
        "Назарбаев Университет",
    ),
    "ru": (
        "Соглашения о партнёрстве",
        "Назарбаев Университет",
        "Публичный реестр соглашений о партнёрстве",
        "Назарбаев Университет",
    ),
    "zh-hans": ("合作协议", "纳扎尔巴耶夫大学", "合作协议公开登记册", "纳扎尔巴耶夫大学"),
}


@pytest.fixture
def named_in_every_language(agreements, staff_editor):
    """The agreements, their NU party named in Kazakh, Russian and Chinese."""
    nu = agreements["online"].parties.get(institution__short_name="NU").institution
    institution_update(
        institution=nu,
        actor=staff_editor,
        aliases=[
            ("Назарбаев Университет", "kk"),
            ("Назарбаев Университет", "ru"),
            ("纳扎尔巴耶夫大学", "zh-hans"),
        ],
    )
    return agreements


def bars_drawn(page) -> bool:
    """Every chart bar has a width: its coordinates are read as numbers in any language."""
    bars = page.locator(".chart__bar")
    return bars.count() > 0 and all(
        (bars.nth(index).bounding_box() or {}).get("width", 0) > 0 for index in range(bars.count())
    )


def test_the_dashboard_in_each_language_from_the_switcher(
    new_page, named_in_every_language, screenshot
):
    page = new_page()
    sign_in(page, "office")

    for language, (heading, nu, _register, _name) in LANGUAGES.items():
        page.locator("#language-select").select_option(language)
        page.locator("#language-switcher button").click()
        page.wait_for_url(lambda url: urlsplit(url).path == "/")

        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert nu in page.locator("#expiring-table").inner_text()
        assert bars_drawn(page)
        screenshot(page, f"dashboard-{language}")

        # Remembered: the next page is in the same language.
        page.goto("/public/")
        assert page.locator("html").get_attribute("lang") == language
        page.goto("/")


def test_the_public_register_in_each_language_from_its_address(
    new_page, named_in_every_language, screenshot
):
    page = new_page()

    for language, (_dashboard, _label, heading, nu) in LANGUAGES.items():
        page.goto(f"/public/?lang={language}")

        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert nu in page.locator("#register-results").inner_text()
        screenshot(page, f"public-register-{language}")

        page.locator("#register-results h3 a").first.click()
        page.wait_for_url(re.compile(r"/public/[^/?]+/$"))  # the same address in every language
        assert nu in page.locator("#parties").inner_text()
