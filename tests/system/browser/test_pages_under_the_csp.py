"""The Content-Security-Policy blocks nothing the pages need: Swagger UI (its start-up script
a file of its own), the admin's sign-in and the public register render in Chromium without a
single CSP violation on the console."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_swagger_ui_the_admin_and_the_public_register_render_under_the_csp(live_server, new_page):
    page = new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # the operations are drawn
    page.goto(f"{live_server.url}/admin/login/")
    page.wait_for_selector("#id_username")
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("main")

    violations = [text for text in console if "Content Security Policy" in text]
    assert not violations, violations
