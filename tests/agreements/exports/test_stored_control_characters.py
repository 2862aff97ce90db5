"""Text stored before control characters were refused (written here straight to the database,
as legacy data) still exports: a file format that cannot hold them leaves them out."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from agreements.columns import COLUMNS
from agreements.services import calendar_feed_token_create
from tests.factories import SignedMemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def legacy():
    return SignedMemorandumFactory(
        title="Bell\x07 and vertical\x0b tab",
        expires_on=datetime.date(2030, 1, 1),
    )


@pytest.fixture
def editor_client():
    client = APIClient()
    client.force_authenticate(UserFactory(groups=["registry-editor"]))
    return client


def test_a_stored_control_character_exports_as_xlsx_without_it(legacy, editor_client):
    response = editor_client.get("/api/v1/memoranda/export/", {"format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][COLUMNS.index("title")] == "Bell and vertical tab"


def test_csv_and_json_keep_the_stored_text_as_it_is(legacy, editor_client):
    csv = editor_client.get("/api/v1/memoranda/export/", {"format": "csv"})
    json = editor_client.get("/api/v1/memoranda/export/", {"format": "json"})

    assert "Bell\x07 and vertical\x0b tab" in b"".join(csv.streaming_content).decode()
    assert "Bell\\u0007 and vertical\\u000b tab" in b"".join(json.streaming_content).decode()


def test_the_calendar_feed_leaves_them_out(legacy, client):
    user = UserFactory(groups=["registry-editor"])
    token = calendar_feed_token_create(user=user, actor=user)

    response = client.get("/api/v1/calendar.ics", {"token": token.key})

    assert response.status_code == 200
    assert b"Bell and vertical tab" in response.content
    assert b"\x07" not in response.content
