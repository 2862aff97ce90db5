"""A background job's admin page in Chromium: its bar follows the job without a reload, and the
page shows the result once the job succeeded."""

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from jobs.models import Job
from jobs.services import job_finish, job_progress
from tests.factories import JobFactory

from .conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def meanwhile(work) -> None:
    """`work` done by "the worker": in a thread of its own, since the browser's event loop
    keeps this one from the database; its connection is closed when it is done."""

    def run():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_the_progress_bar_follows_the_job_and_the_page_offers_the_result(
    new_page, staff_editor, screenshot
):
    job = JobFactory(
        owner=staff_editor,
        label="XLSX export of 20 memoranda",
        state=Job.State.RUNNING,
        total=20,
        audience="everything",
    )
    path = f"/admin/jobs/job/{job.pk}/change/"
    page = new_page()
    from playwright.sync_api import expect  # the test extra; conftest skips without it

    sign_in(page, "office", next_url=path)
    bar = page.locator(".job-progress progress")
    assert bar.get_attribute("value") == "0"

    meanwhile(lambda: job_progress(job=job, done=10, total=20))
    # The page's script reads the API every second and moves the bar (no reload, the same page).
    expect(bar).to_have_attribute("value", "50")
    expect(page.locator(".job-progress-text")).to_have_text("Running · 10 of 20 (50 %)")
    screenshot(page, "job-progress-running")

    meanwhile(
        lambda: job_finish(
            job=job,
            messages=["20 memoranda exported."],
            result=ContentFile(b"PK"),
            result_name="memoranda.xlsx",
        )
    )
    # Finished: the page reloads itself once, for the messages and the result.
    result = page.get_by_role("link", name="memoranda.xlsx")
    result.wait_for()
    assert result.get_attribute("href") == f"/api/v1/jobs/{job.pk}/result/"
    assert "20 memoranda exported." in page.locator(".job-messages").inner_text()
    expect(page.locator(".job-progress progress")).to_have_attribute("value", "100")
    screenshot(page, "job-progress-succeeded")
