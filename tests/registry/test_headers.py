"""Security headers on every kind of page, and the cookies of the production settings."""

import json
import re

import pytest

from tests.factories import DocumentFactory, SignedMemorandumFactory, UserFactory
from tests.system.production.support import manage, production_environment

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="officer", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path", ["/public/", "/admin/login/", "/api/v1/memoranda/", "/api/v1/schema/", "/healthz"]
)
def test_every_answer_forbids_inline_scripts_framing_and_sniffing(client, path):
    response = client.get(path)

    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/agreements/memorandum/"])
def test_staff_pages_have_the_same_policy_and_no_inline_script(staff_client, path):
    SignedMemorandumFactory()

    response = staff_client.get(path)

    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
    # Django's admin keeps data in <script type="application/json"> (json_script): not run.
    assert all('type="application/json"' in tag for tag in inline), inline


def test_the_api_docs_load_their_script_from_a_file(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', page)
    assert script, "the Swagger UI start-up script is not a file"
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in csp["style-src"]  # its one inline stylesheet
    start_up = client.get(script.group(1).replace("&amp;", "&"))
    assert start_up.status_code == 200
    assert "SwaggerUIBundle" in start_up.content.decode()


def test_the_public_page_policy_has_no_unsafe_inline_style(client):
    assert policy(client.get("/public/"))["style-src"] == ["'self'"]


def test_a_document_download_is_sandboxed(staff_client):
    document = DocumentFactory()

    response = staff_client.get(f"/api/v1/documents/{document.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


SHOW_COOKIE_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in [
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
]}))
"""


def test_production_settings_send_cookies_over_https_only():
    completed = manage("shell", "-c", SHOW_COOKIE_SETTINGS, env=production_environment())
    shown = json.loads(completed.stdout.strip().splitlines()[-1])

    assert shown == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_SSL_REDIRECT": True,
    }


def test_production_session_cookie_is_secure_and_http_only(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    UserFactory(username="officer", is_staff=True, password="correct horse battery staple")

    response = client.post(
        "/admin/login/",
        {"username": "officer", "password": "correct horse battery staple", "next": "/admin/"},
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
