"""Browser tests: pytest with Playwright for Python driving Debian's Chromium.

They need the `playwright` package (the test extra) and a Chromium at /usr/bin/chromium
(`apt-get install chromium`; CHROMIUM_PATH overrides the path). Playwright's own browser
downloads are never used. Without a browser the tests are skipped, with the reason in pytest's
summary (`make test` prints it) — except when CI=true, where a missing browser fails the run.

Screenshots go to test-artifacts/screenshots/, which git ignores.
"""

import datetime
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from agreements.models import CooperationArea
from tests.factories import SignedMemorandumFactory, UserFactory
from tests.support import five_institutions

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        hint = f" (one is at {found}: set CHROMIUM_PATH)" if found else ""
        return f"no Chromium at {CHROMIUM}{hint}; install it with apt-get install chromium"
    return None


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def pytest_collection_modifyitems(config, items):
    """Without a browser, skip these tests before their database and live server start."""
    reason = missing_browser()
    if not reason or running_in_ci():
        return  # CI=true: `new_page` fails each test instead
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"Browser tests skipped: {reason}")
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture
def new_page(live_server):
    """`new_page(width=…, height=…)`: a page in a fresh browser context (no cookies) on the
    live server.

    Chromium starts at the first call, so a test prepares its data first and then opens pages.
    Playwright's sync API keeps an event loop running in this thread while it is started; with
    one running, Django refuses database access here (SynchronousOnlyOperation) and would use
    another connection if allowed (DJANGO_ALLOW_ASYNC_UNSAFE), missing the test's transaction
    state. So nothing here allows it: the test's own queries come before the browser, the live
    server answers the browser from its own threads, and the browser is closed before the
    database is flushed.
    """
    reason = missing_browser()
    if reason:
        if running_in_ci():
            pytest.fail(f"Browser tests cannot run and CI=true: {reason}", pytrace=False)
        pytest.skip(f"Browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    started = {}

    def open_page(width: int = 1280, height: int = 900):
        if not started:
            started["playwright"] = sync_playwright().start()
            started["browser"] = started["playwright"].chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        context = started["browser"].new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        return context.new_page()

    yield open_page
    if started:
        started["browser"].close()
        started["playwright"].stop()


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` saves test-artifacts/screenshots/name.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


def sign_in(page, username: str, password: str = PASSWORD, next_url: str = "/") -> None:
    """Sign in through the admin's login page, as staff do."""
    page.goto(next_url)
    page.wait_for_url(re.compile(r"/admin/login/\?next="))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == next_url and not urlsplit(url).query)


@pytest.fixture
def staff_editor(db):
    return UserFactory(username="office", is_staff=True, groups=["registry-editor"])


@pytest.fixture
def agreements(db):
    """Four agreements: two public, one internal, one confidential (the only one with France)."""
    today = timezone.localdate()
    nu, sustech, ichei, tum, sorbonne = five_institutions().values()
    areas = {area.code: area for area in CooperationArea.objects.all()}
    rows = {
        "online": ("Trilateral memorandum on online education", [nu, sustech], "public",
                   datetime.date(2023, 5, 29), 30, "online-education"),
        "munich": ("Student exchange with Munich", [nu, tum], "public",
                   datetime.date(2019, 1, 10), -400, "student-mobility"),
        "centre": ("Research centre framework", [nu, ichei], "internal",
                   datetime.date(2022, 9, 1), 120, "research"),
        "paris": ("Joint bid for the Paris consultancy", [sustech, sorbonne], "confidential",
                  datetime.date(2021, 3, 1), 60, "joint-bidding"),
    }  # fmt: skip
    made = {}
    for key, (title, parties, visibility, signed_on, expires_in, area) in rows.items():
        made[key] = SignedMemorandumFactory(
            title=title,
            parties=parties,
            visibility=visibility,
            signed_on=signed_on,
            expires_on=today + datetime.timedelta(days=expires_in),
        )
        made[key].cooperation_areas.set([areas[area]])
    return made
