"""Imports of more than IMPORT_BACKGROUND_ROWS rows run as background jobs, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Memorandum
from jobs.models import Job
from partners.models import Institution
from tests.agreements.importing.support import csv_file, parties, row

IMPORT = "/admin/agreements/memorandum/import/"


@pytest.fixture(autouse=True)
def two_rows_at_most(settings):
    settings.IMPORT_BACKGROUND_ROWS = 2


def upload(*rows: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("memoranda.csv", csv_file(*rows).getvalue(), "text/csv")


def good_rows() -> list[dict]:
    return [row(reference=f"MOU-2023-{index:04d}", signatories="") for index in range(1, 4)]


@pytest.fixture
def signed_in(client, editor, known):
    client.force_login(editor)
    return client


def test_a_large_file_is_imported_by_a_job_whose_page_follows_it(
    signed_in, editor, worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(IMPORT, {"file": upload(*good_rows())})
    job = Job.objects.get()
    assert response["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert (job.kind, job.state, job.owner) == ("import", "queued", editor)
    assert job.label == "Import of memoranda.csv (3 rows)"
    assert not Memorandum.objects.exists()

    worker()

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("succeeded", 3, 3)
    assert job.messages == ["Imported: 3 created, 0 updated, 0 unchanged, 0 new institutions."]
    assert Memorandum.objects.count() == 3
    assert Memorandum.history.filter(history_user=editor).count() == 3


def test_a_file_with_a_bad_row_writes_nothing_and_its_job_says_why(
    signed_in, worker, django_capture_on_commit_callbacks
):
    institutions = Institution.objects.count()
    rows = [
        row(reference="NEW-1", signatories="", **parties("New College", "NU")),
        *good_rows(),
        row(reference="BAD", signed_on="29/05/2023", signatories=""),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(IMPORT, {"file": upload(*rows)})
    worker()

    job = Job.objects.get()
    assert job.state == "failed"
    assert job.messages == [
        "Nothing was written (1 problem). The file would give: 4 created, 0 updated, "
        "0 unchanged, 1 new institutions.",
        "line 6, signed_on: “29/05/2023” is not a date: write it as YYYY-MM-DD",
    ]
    assert not Memorandum.objects.exists()
    assert Institution.objects.count() == institutions  # New College was not kept either


def test_the_same_file_is_not_imported_twice_at_once(
    signed_in, worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(IMPORT, {"file": upload(*good_rows())})
    again = signed_in.post(IMPORT, {"file": upload(*good_rows())})
    assert again.status_code == 200
    assert again.context["form"].errors == {
        "file": ["The same file is already being imported: wait for that job to finish."]
    }
    assert Job.objects.count() == 1

    worker()
    # Once the first is done, the file may go in again (and changes nothing).
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(IMPORT, {"file": upload(*good_rows())})
    worker()
    assert Job.objects.order_by("pk").last().messages == [
        "Imported: 0 created, 0 updated, 3 unchanged, 0 new institutions."
    ]


def test_a_small_file_is_still_previewed_and_confirmed_in_the_request(signed_in):
    preview = signed_in.post(IMPORT, {"file": upload(*good_rows()[:2])})
    assert preview.status_code == 200
    assert "Confirm import" in preview.content.decode()
    assert not Job.objects.exists()


def test_a_file_over_the_limits_is_refused_before_any_job(signed_in, settings):
    settings.IMPORT_MAX_ROWS = 2
    response = signed_in.post(IMPORT, {"file": upload(*good_rows())})
    assert "more than 2 rows" in str(response.context["form"].errors["file"])
    assert not Job.objects.exists()
