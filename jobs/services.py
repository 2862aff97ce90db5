"""Writes to jobs. A job is made by its owner (`job_create`, the actor); the rest is the worker's
report of how it goes, so those services take the job and no actor.

Progress is committed on the `jobs` database connection when there is one (on PostgreSQL,
registry/settings.py): an import's own transaction stays open until its last row, and progress
written inside it would show only at the end.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.utils import timezone

from .models import Job

PROGRESS_DB = "jobs"
MESSAGE_CHARS = 1000
MOST_MESSAGES = 200


def progress_db() -> str:
    return PROGRESS_DB if PROGRESS_DB in settings.DATABASES else DEFAULT_DB_ALIAS


def _messages(messages: Iterable[str]) -> list[str]:
    """At most MOST_MESSAGES, each at most MESSAGE_CHARS long: a job's record stays small
    however many problems a file has; the last says how many were left out."""
    messages = [str(message)[:MESSAGE_CHARS] for message in messages]
    if len(messages) > MOST_MESSAGES:
        left_out = len(messages) - MOST_MESSAGES + 1
        messages = [*messages[: MOST_MESSAGES - 1], f"... and {left_out:,} more."]
    return messages


def job_create(
    *,
    task,
    kind: str,
    label: str,
    parameters: dict | None = None,
    input_sha256: str = "",
    audience: str = "",
    actor,
) -> Job:
    """A job owned by `actor`, queued: `task` (a django-tasks task taking the job's id) is
    enqueued once the job is committed. The same input (`input_sha256`) of the same kind is
    refused while a job with it is queued or running."""
    if actor is None or not actor.is_authenticated:
        raise ValidationError({"owner": "A job belongs to a signed-in user."})
    job = Job(
        owner=actor,
        kind=kind,
        label=label[:200],
        parameters=parameters or {},
        input_sha256=input_sha256,
        audience=audience,
    )
    job.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            {"file": "The same file is already being imported: wait for that job to finish."}
        ) from None
    transaction.on_commit(lambda: task.enqueue(job.pk))
    return job


def job_begin(*, job_id: int) -> Job | None:
    """The queued job, now running; None when it is not queued any more (finished, failed by
    the sweep, or already taken by another worker), and then nothing is to be done."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now
    )
    return Job.objects.get(pk=job_id) if taken else None


def job_progress(*, job: Job, done: int, total: int | None = None) -> None:
    """Record how far a running job is, and that its worker is alive."""
    changes = {"done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        changes["total"] = total
    Job.objects.using(progress_db()).filter(pk=job.pk, state=Job.State.RUNNING).update(**changes)
    job.done = done
    if total is not None:
        job.total = total


def _finished(*, job: Job, state: str, messages: Iterable[str]) -> dict:
    now = timezone.now()
    return {
        "state": state,
        "messages": _messages(messages),
        "finished_at": now,
        "heartbeat_at": now,
        "expires_at": now + datetime.timedelta(days=settings.JOB_RESULT_DAYS),
    }


def job_finish(
    *, job: Job, messages: Iterable[str] = (), result: File | None = None, result_name: str = ""
) -> Job:
    """The job succeeded: its messages, and its result file, kept for JOB_RESULT_DAYS."""
    changes = _finished(job=job, state=Job.State.SUCCEEDED, messages=messages)
    if job.total is not None:
        changes["done"] = job.total
    if result is not None:
        changes["result"] = default_storage.save(f"jobs/{job.pk}-{result_name}", result)
        changes["result_name"] = result_name
    Job.objects.using(progress_db()).filter(pk=job.pk).update(**changes)
    job.refresh_from_db()
    return job


def job_fail(*, job: Job, messages: Iterable[str]) -> Job:
    """The job failed, saying why (its work wrote nothing: it runs in one transaction)."""
    changes = _finished(job=job, state=Job.State.FAILED, messages=messages)
    Job.objects.using(progress_db()).filter(pk=job.pk).update(**changes)
    job.refresh_from_db()
    return job


STALE_MESSAGE = (
    "The worker running this job stopped without finishing it (it was killed, or its machine "
    "went down): start the job again. An import wrote nothing (it writes all or nothing)."
)


def jobs_sweep(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Fail the running jobs whose worker stopped reporting JOB_STALE_SECONDS ago, and delete
    the jobs that expired, with their result and input files. Returns (failed, deleted)."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    failed = Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=stale_before).update(
        state=Job.State.FAILED,
        messages=[STALE_MESSAGE],
        finished_at=now,
        expires_at=now + datetime.timedelta(days=settings.JOB_RESULT_DAYS),
    )
    deleted = 0
    for job in Job.objects.filter(expires_at__lt=now).only("pk", "result", "parameters"):
        for name in (job.result.name, job.parameters.get("input_file")):
            if name:
                default_storage.delete(name)
        deleted += Job.objects.filter(pk=job.pk).delete()[0]
    return failed, deleted
