"""A control character anywhere in a request is a 400 naming where it is, never a server error.

PostgreSQL refuses NUL in any string, so each of these was a 500 there before they were
refused; on SQLite they reached the database unnoticed. The suite runs on both.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agreements.models import CalendarFeedToken, Memorandum
from tests.factories import InstitutionFactory, SignedMemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db

REMOVE = "Remove the control character U+0000"


def api_client(user=None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "url, name",
    [
        ("/api/v1/memoranda/?tag=a%00b", "tag"),
        ("/api/v1/memoranda/?q=a%00b", "q"),
        ("/api/v1/memoranda/export/?format=csv&party=1%00", "party"),
        ("/api/v1/institutions/?ror_id=%00", "ror_id"),
        ("/api/v1/calendar.ics?token=a%00b", "token"),
        ("/api/v1/memoranda/?q=bell%07", "q"),
    ],
)
def test_a_control_character_in_a_query_parameter_is_a_400_naming_it(editor, url, name):
    response = api_client(editor).get(url)

    assert response.status_code == 400
    assert list(response.json()) == [name]
    assert "Remove the control character" in response.json()[name][0]


def test_a_calendar_token_with_a_nul_is_a_400_not_a_database_error(editor):
    CalendarFeedToken.objects.create(user=editor)

    response = api_client().get("/api/v1/calendar.ics", {"token": "\x00"})

    assert response.status_code == 400
    assert response.json()["token"][0].startswith(REMOVE)


def test_a_parameter_whose_name_holds_a_nul_is_named_with_it_written_out(editor):
    response = api_client(editor).get("/api/v1/memoranda/?a%00b=1")

    assert response.status_code == 400
    assert list(response.json()) == ["a\\x00b"]


def test_a_token_header_with_a_nul_is_a_400_naming_the_header():
    response = api_client().get("/api/v1/memoranda/", HTTP_AUTHORIZATION="Token abc\x00def")

    assert response.status_code == 400
    assert list(response.json()) == ["Authorization"]


def test_a_path_with_a_nul_is_a_400(client):
    response = client.get("/public/MOU-2023-0001%00/")

    assert response.status_code == 400
    assert response.content.decode().startswith("path: Remove the control character U+0000")


def test_a_form_posted_to_a_page_with_a_nul_is_a_400_naming_the_field(client):
    response = client.post("/admin/login/", {"username": "editor\x00", "password": "x"})

    assert response.status_code == 400
    assert response.content.decode().startswith("username: Remove the control character")


def test_a_json_body_field_with_a_control_character_is_a_400_naming_the_field(editor):
    institution = InstitutionFactory()

    response = api_client(editor).post(
        "/api/v1/memoranda/",
        {"title": "Bell\x07", "parties": [{"institution": institution.pk, "role": "x\x00"}]},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"title", "parties"}
    assert "U+0007" in response.json()["title"][0]
    assert "U+0000" in response.json()["parties"]["0"]["role"][0]
    assert not Memorandum.objects.exists()


def test_tabs_and_line_breaks_are_text(editor):
    institution = InstitutionFactory()

    response = api_client(editor).post(
        "/api/v1/memoranda/",
        {
            "title": "Tabs\tstay",
            "summary": "Line one\r\nline\ttwo",
            "parties": [{"institution": institution.pk}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Memorandum.objects.get().summary == "Line one\r\nline\ttwo"


def test_a_multipart_field_with_a_control_character_is_a_400_naming_the_field(editor):
    memorandum = SignedMemorandumFactory()
    upload = SimpleUploadedFile("note.txt", b"plain text", content_type="text/plain")

    response = api_client(editor).post(
        f"/api/v1/memoranda/{memorandum.pk}/documents/",
        {"file": upload, "title": "Scan\x1b", "kind": "other"},
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    assert not memorandum.documents.exists()


def test_an_intake_text_with_a_nul_is_a_400_naming_text(editor):
    response = api_client(editor).post(
        "/api/v1/memoranda/intake/", {"text": "Signed\x00"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["text"]


def test_the_admin_search_with_a_nul_is_a_400(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/agreements/memorandum/", {"q": "\x00"})

    assert response.status_code == 400
    assert response.content.decode().startswith("q: ")
