"""The reminder run as a background job, started from the admin's reminder log: the run mails
one owner after another, longer than a request may wait on a large register."""

from django.utils import timezone
from django_tasks import task

from agreements.reminders.mail import reminders_send
from jobs.models import Job
from jobs.running import JobOutcome, JobRefused, Progress, run_job
from jobs.services import job_create


def reminders_job_create(*, actor) -> Job:
    return job_create(
        task=send_reminders_task,
        kind=Job.Kind.REMINDERS,
        label=f"Reminders due on {timezone.localdate().isoformat()}",
        actor=actor,
    )


def _send(job: Job, progress: Progress) -> JobOutcome:
    run = reminders_send(today=timezone.localdate(), actor=job.owner, progress=progress.set)
    lines = [
        f"{len(run.sent)} reminder(s) sent, {len(run.no_recipient)} without an owner email, "
        f"{len(run.failed)} failed."
    ]
    lines += [
        f"Not sent, no owner email: {reminder.kind} about {reminder.memorandum.reference}."
        for reminder in run.no_recipient
    ]
    lines += [
        f"Failed, will be tried again on the next run: {reminder.kind} about "
        f"{reminder.memorandum.reference}: {error}"
        for reminder, error in run.failed
    ]
    if run.failed:
        raise JobRefused(lines)
    return JobOutcome(messages=lines)


@task()
def send_reminders_task(job_id: int) -> str:
    return run_job(job_id, _send)
