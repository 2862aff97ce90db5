"""Jobs run by the database worker: state, progress, failures, dead workers, expiry."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import running
from jobs.models import Job
from jobs.services import STALE_MESSAGE, job_begin, job_create, jobs_sweep
from tests.factories import JobFactory, UserFactory
from tests.jobs.tasks import count_task


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", is_staff=True, groups=["registry-editor"])


@pytest.fixture
def count(owner, django_capture_on_commit_callbacks):
    """`count(to=3, ...)`: a job counting to 3, committed and so enqueued."""

    def create(**parameters) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            return job_create(
                task=count_task,
                kind=Job.Kind.EXPORT,
                label="Counting",
                parameters=parameters,
                actor=owner,
            )

    return create


def test_a_job_waits_queued_until_a_worker_runs_it_and_reports_every_step(
    count, worker, monkeypatch
):
    monkeypatch.setattr(running, "REPORT_EVERY", 0)
    job = count(to=3)
    assert (job.state, job.done, job.total) == ("queued", 0, None)

    assert worker() == 1

    job.refresh_from_db()
    assert job.state == "succeeded"
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    # Each step was visible to readers while the job ran.
    assert job.messages == ["seen [1, 2, 3]"]
    assert job.started_at <= job.finished_at
    assert job.expires_at == job.finished_at + datetime.timedelta(days=7)
    assert job.result_name == "count.txt"
    assert job.result.read() == b"1 2 3"


def test_progress_is_reported_at_most_every_half_second(count, worker):
    job = count(to=3)
    worker()
    job.refresh_from_db()
    # The three steps came within half a second of the start: only the start was reported.
    assert job.messages == ["seen [0, 0, 0]"]
    assert job.done == 3  # and the end


def test_a_refused_job_fails_saying_why_and_keeps_no_result(count, worker):
    job = count(to=2, refuse=True)
    worker()
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.messages == ["Counting refused.", "Line 2: not a number."]
    assert not job.result
    # The work said no; the task itself ran to its end.
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_an_unexpected_error_fails_the_job_and_its_task(count, worker):
    job = count(to=1, crash=True)
    worker()
    job.refresh_from_db()
    assert (job.state, job.messages) == (
        "failed",
        ["The job stopped on an unexpected error (logged)."],
    )
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED"
    assert "the counter broke" in task.traceback


def test_a_job_runs_once_however_often_its_task_is_delivered(count, worker):
    job = count(to=1)
    count_task.enqueue(job.pk)  # delivered twice
    assert worker() == 2
    assert DBTaskResult.objects.filter(return_value="succeeded").count() == 1
    assert DBTaskResult.objects.filter(return_value="not queued").count() == 1
    assert job_begin(job_id=job.pk) is None


def test_a_job_belongs_to_a_signed_in_user(db):
    with pytest.raises(ValidationError) as refused:
        job_create(task=count_task, kind="export", label="x", actor=None)
    assert list(refused.value.message_dict) == ["owner"]


def test_the_same_input_is_refused_while_a_job_with_it_is_unfinished(count, owner, worker):
    first = count(to=1)
    Job.objects.filter(pk=first.pk).update(input_sha256="a" * 64)

    def again():
        return job_create(
            task=count_task,
            kind=Job.Kind.EXPORT,
            label="Counting",
            parameters={"to": 1},
            input_sha256="a" * 64,
            actor=owner,
        )

    with pytest.raises(ValidationError) as refused:
        again()
    assert refused.value.message_dict == {
        "file": ["The same file is already being imported: wait for that job to finish."]
    }
    worker()
    assert again().state == "queued"


def test_a_job_whose_worker_died_is_failed_by_the_next_worker(count, worker, settings):
    dead = count(to=1)
    job_begin(job_id=dead.pk)  # a worker took it, then died: no more reports
    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    with time_machine.travel(later):
        count(to=1)
        worker()
    dead.refresh_from_db()
    assert (dead.state, dead.messages) == ("failed", [STALE_MESSAGE])
    assert Job.objects.exclude(pk=dead.pk).get().state == "succeeded"


def test_a_running_job_that_reports_is_left_running(count, settings):
    alive = count(to=1)
    job_begin(job_id=alive.pk)
    within = timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS - 5)
    with time_machine.travel(within):
        assert jobs_sweep() == (0, 0)
    alive.refresh_from_db()
    assert alive.state == "running"


def test_jobs_and_their_files_are_deleted_after_job_result_days(count, worker, settings):
    settings.JOB_RESULT_DAYS = 2
    # An input its work did not delete (its worker died, say) goes with the job.
    left_over = default_storage.save("imports/left-over.csv", ContentFile(b"reference\n"))
    job = count(to=1, input_file=left_over)
    worker()
    job.refresh_from_db()
    stored = job.result.name
    assert default_storage.exists(stored)
    unfinished = JobFactory(owner=job.owner)

    with time_machine.travel(job.finished_at + datetime.timedelta(days=1)):
        call_command("jobs_sweep", stdout=io.StringIO())
    assert Job.objects.filter(pk=job.pk).exists()

    with time_machine.travel(job.finished_at + datetime.timedelta(days=2, seconds=1)):
        assert jobs_sweep() == (0, 1)
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not default_storage.exists(stored)
    assert not default_storage.exists(left_over)
    assert Job.objects.filter(pk=unfinished.pk).exists()
