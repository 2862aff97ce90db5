"""Brute-forcing a password is locked out (django-axes); API tokens rotate and are revoked."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(db):
    return UserFactory(username="officer", is_staff=True, groups=["registry-editor"])


def sign_in(client, password, username="officer", address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_correct_password_signs_in(client, staff):
    response = sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_after_five_failures_even_the_right_password_is_refused(client, staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert sign_in(client, "guess").status_code == 200  # the form again, with an error

    locked = sign_in(client, "guess")
    assert locked.status_code == 429

    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="officer").failures_since_start >= 5


def test_the_lockout_is_per_user_name_and_address(client, staff):
    for _ in range(5):
        sign_in(client, "guess")

    assert sign_in(client, PASSWORD, address="10.0.0.2").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, staff):
    for _ in range(4):
        sign_in(client, "guess")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        sign_in(client, "guess")
    assert sign_in(client, PASSWORD).status_code == 302


def test_sign_ins_without_a_request_still_work(staff, client):
    """The test client's login() and management code call authenticate() without a request."""
    assert client.login(username="officer", password=PASSWORD)


def test_api_tokens_are_not_locked_out_by_the_password_guesser(client, staff):
    token = Token.objects.create(user=staff)
    for _ in range(6):
        sign_in(client, "guess")

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/memoranda/").status_code == 200


# --- Tokens ----------------------------------------------------------------------------------


def api_status(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/memoranda/").status_code


def test_rotating_a_token_issues_a_new_key_and_the_old_one_stops_working(capsys):
    user = UserFactory(username="dashboard", groups=["registry-viewer"])
    old = Token.objects.create(user=user).key
    assert api_status(old) == 200

    call_command("rotate_api_token", "dashboard")
    new = capsys.readouterr().out.strip()

    assert new != old
    assert Token.objects.get(user=user).key == new
    assert api_status(old) == 401
    assert api_status(new) == 200


def test_a_revoked_token_answers_401(capsys):
    user = UserFactory(username="dashboard", groups=["registry-viewer"])
    key = Token.objects.create(user=user).key

    call_command("rotate_api_token", "dashboard", "--revoke")

    assert "Revoked" in capsys.readouterr().out
    assert not Token.objects.filter(user=user).exists()
    assert api_status(key) == 401


def test_rotating_the_token_of_an_unknown_client_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named"):
        call_command("rotate_api_token", "nobody")
