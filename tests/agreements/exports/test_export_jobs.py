"""XLSX exports of more than EXPORT_BACKGROUND_ROWS rows are written by a background job."""

import io

import pytest
from openpyxl import load_workbook

from jobs.models import Job
from tests.factories import SignedMemorandumFactory, UserFactory
from tests.support import api_client

EXPORT = "/api/v1/memoranda/export/"


@pytest.fixture(autouse=True)
def two_rows_at_most(settings):
    settings.EXPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def register(db):
    return [
        SignedMemorandumFactory(reference="PUB-1", title="Public one", visibility="public"),
        SignedMemorandumFactory(reference="PUB-2", title="Public two", visibility="public"),
        SignedMemorandumFactory(reference="INT-1", title="Internal", visibility="internal"),
        SignedMemorandumFactory(
            reference="CONF-1", title="Confidential", visibility="confidential"
        ),
    ]


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_a_large_xlsx_export_answers_202_and_its_job_serves_the_file(
    editor, register, worker, django_capture_on_commit_callbacks
):
    client = api_client(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT, {"format": "xlsx", "visibility": ["public", "internal"]})
    assert response.status_code == 202
    location = response["Location"]
    job = Job.objects.get()
    assert location == f"/api/v1/jobs/{job.pk}/"
    assert response.json()["state"] == "queued"
    assert (job.owner, job.kind, job.label) == (editor, "export", "XLSX export of 3 memoranda")

    worker()

    body = client.get(location).json()
    assert (body["state"], body["done"], body["total"], body["percent"]) == (
        "succeeded",
        3,
        3,
        100,
    )
    assert body["messages"] == ["3 memoranda exported."]
    download = client.get(body["result_url"])
    rows = sheet_rows(b"".join(download.streaming_content))
    # The list's filters applied: the confidential one is left out, as a download would.
    assert sorted(row[0] for row in rows[1:]) == ["INT-1", "PUB-1", "PUB-2"]


def test_the_job_reads_the_rows_its_owner_may_read(
    register, worker, django_capture_on_commit_callbacks
):
    viewer = UserFactory(groups=["registry-viewer"])
    client = api_client(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.get(EXPORT, {"format": "xlsx"})["Location"]
    worker()
    download = client.get(client.get(location).json()["result_url"])
    rows = sheet_rows(b"".join(download.streaming_content))
    assert sorted(row[0] for row in rows[1:]) == ["INT-1", "PUB-1", "PUB-2"]


@pytest.mark.parametrize(
    "query", [{"format": "csv"}, {"format": "json"}, {"format": "xlsx", "q": "Public"}]
)
def test_smaller_exports_and_streamed_formats_are_served_at_once(editor, register, query):
    response = api_client(editor).get(EXPORT, query)
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_an_anonymous_reader_gets_the_file_at_once(register, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    response = api_client().get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert len(sheet_rows(b"".join(response.streaming_content))) == 3


def test_the_admin_export_of_many_rows_becomes_a_job(
    client, editor, register, worker, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/admin/agreements/memorandum/export/xlsx/")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    worker()
    job.refresh_from_db()
    assert job.state == "succeeded"
    page = client.get(response["Location"]).content.decode()
    assert f"/api/v1/jobs/{job.pk}/result/" in page
    assert len(sheet_rows(job.result.read())) == 5
