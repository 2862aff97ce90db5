"""The reminder run started from the admin's reminder log, as a background job."""

import pytest

from agreements.models import Reminder
from jobs.models import Job
from tests.factories import UserFactory

from .support import OWNER, in_force

RUN = "/admin/agreements/reminder/run/"


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", is_staff=True, groups=["registry-admin"])


def test_an_administrator_sends_the_due_reminders_through_a_job(
    administrator, client, clock, worker, mailoutbox, django_capture_on_commit_callbacks
):
    in_force(expires_in=90, reference="DUE-1")
    in_force(expires_in=30, reference="DUE-2", owner_email="")
    client.force_login(administrator)
    assert "Send due reminders now" in client.get("/admin/agreements/reminder/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUN)
    job = Job.objects.get()
    assert response["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    assert (job.kind, job.label) == ("reminders", "Reminders due on 2025-03-03")

    worker()

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("succeeded", 2, 2)
    assert job.messages == [
        "1 reminder(s) sent, 1 without an owner email, 0 failed.",
        "Not sent, no owner email: expiry_30 about DUE-2.",
    ]
    assert [message.to for message in mailoutbox] == [[OWNER]]
    sent = Reminder.objects.get(memorandum__reference="DUE-1", outcome=Reminder.Outcome.SENT)
    assert (sent.kind, sent.recipient) == ("expiry_90", OWNER)


def test_only_administrators_start_a_reminder_run(client, editor):
    client.force_login(editor)
    assert (
        "Send due reminders now" not in client.get("/admin/agreements/reminder/").content.decode()
    )
    assert client.post(RUN).status_code == 403
    assert client.get(RUN).status_code == 405
    assert not Job.objects.exists()
