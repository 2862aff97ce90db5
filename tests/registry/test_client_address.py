"""Whose address a request has, for the sign-in lockout and the API's rate limits: the
connection's, or behind TRUSTED_PROXY_COUNT proxies the one the outermost proxy forwarded."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
PROXY = "127.0.0.1"  # nginx on the same machine: every request comes from its address
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.9"


@pytest.fixture
def staff(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="officer", is_staff=True, groups=["registry-editor"])


@pytest.fixture
def behind_one_proxy(settings):
    """What TRUSTED_PROXY_COUNT=1 in the environment sets."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def sign_in(client, password, forwarded_for=None, address=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(
        LOGIN,
        {"username": "officer", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def test_behind_a_trusted_proxy_one_clients_wrong_passwords_do_not_lock_out_another(
    client, staff, behind_one_proxy
):
    for _ in range(5):
        sign_in(client, "guess", forwarded_for=CLIENT_A)

    assert sign_in(client, PASSWORD, forwarded_for=CLIENT_A).status_code == 429
    assert sign_in(client, PASSWORD, forwarded_for=CLIENT_B).status_code == 302


def test_behind_a_trusted_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(
    client, staff, behind_one_proxy
):
    # The client writes its own X-Forwarded-For; the proxy appends the address it really saw.
    for forged in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]:
        sign_in(client, "guess", forwarded_for=f"{forged}, {CLIENT_A}")

    assert sign_in(client, PASSWORD, forwarded_for=f"10.0.0.6, {CLIENT_A}").status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, staff):
    for forged in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]:
        sign_in(client, "guess", forwarded_for=forged, address=CLIENT_A)

    assert sign_in(client, PASSWORD, forwarded_for="10.0.0.6", address=CLIENT_A).status_code == 429


@pytest.fixture
def two_anonymous_requests_a_minute(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})


def anonymous_get(forwarded_for, address=PROXY):
    return (
        APIClient()
        .get("/api/v1/cooperation-areas/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded_for)
        .status_code
    )


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_does_not_escape_the_rate_limit(
    two_anonymous_requests_a_minute,
):
    statuses = [anonymous_get(f"10.0.0.{n}", address=CLIENT_A) for n in range(3)]

    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(
    two_anonymous_requests_a_minute, behind_one_proxy
):
    client_a = [anonymous_get(f"10.0.0.{n}, {CLIENT_A}") for n in range(3)]
    client_b = anonymous_get(CLIENT_B)

    assert (client_a, client_b) == ([200, 200, 429], 200)
