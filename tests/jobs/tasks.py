"""A task for the tests of the jobs machinery: counts to `to`, as its parameters say."""

from django.core.files.base import ContentFile
from django_tasks import task

from jobs.models import Job
from jobs.running import JobOutcome, JobRefused, run_job


def _count(job: Job, progress) -> JobOutcome:
    parameters = job.parameters
    progress.start(parameters["to"])
    seen = []
    for _ in range(parameters["to"]):
        progress.advance()
        # What anyone reading the job sees now.
        seen.append(Job.objects.values_list("done", flat=True).get(pk=job.pk))
    if parameters.get("refuse"):
        raise JobRefused(["Counting refused.", "Line 2: not a number."])
    if parameters.get("crash"):
        raise RuntimeError("the counter broke")
    return JobOutcome(
        messages=[f"seen {seen}"],
        result=ContentFile(b"1 2 3"),
        result_name="count.txt",
    )


@task()
def count_task(job_id: int) -> str:
    return run_job(job_id, _count)
