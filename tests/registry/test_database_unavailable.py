"""A database that does not answer is a 503 JSON answer with Retry-After, wherever it fails."""

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from agreements.api import views as api_views
from agreements.public import views as page_views
from registry.unavailable import MESSAGE, server_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def refuse(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": MESSAGE}
    assert response["Retry-After"] == "5"
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_api_view_answers_503_when_the_database_fails(client, monkeypatch, error):
    def fail(*args, **kwargs):
        raise error("connection already closed")

    monkeypatch.setattr(api_views, "memorandum_list", fail)

    assert_unavailable(client.get("/api/v1/memoranda/"))


def test_a_write_through_the_api_answers_503(client, monkeypatch):
    client.force_login(UserFactory(username="officer", groups=["registry-editor"]))
    monkeypatch.setattr(api_views.services, "memorandum_create", refuse)

    response = client.post(
        "/api/v1/memoranda/", {"title": "A draft"}, content_type="application/json"
    )

    assert_unavailable(response)


def test_a_page_answers_503_when_the_database_fails(monkeypatch):
    monkeypatch.setattr(page_views.selectors, "public_memoranda", refuse)

    assert_unavailable(Client(raise_request_exception=False).get("/public/"))


def test_a_failure_outside_any_view_answers_503(rf):
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(rf.get("/admin/"))

    assert_unavailable(response)


def test_other_errors_stay_a_plain_500(rf):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/admin/"))

    assert response.status_code == 500


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/memoranda/not.a.number/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
