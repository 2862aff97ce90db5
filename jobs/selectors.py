"""Who reads a job: its owner alone. Its result file: its owner, while their reading rights are
still those the job was made with."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from .models import Job


def job_visible_to(user) -> QuerySet:
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def audience_of(user) -> str:
    """The user's reading rights, as `JOBS_AUDIENCE` (a dotted path to a function of the user)
    describes them: a job's result holds what they allowed when it was made."""
    return import_string(settings.JOBS_AUDIENCE)(user)


def job_result_servable(job: Job) -> bool:
    """Whether the job's result may be served to its owner now: the job succeeded, the result
    is kept, and the owner is active and reads what they read when the job was made."""
    owner = job.owner
    return (
        job.state == Job.State.SUCCEEDED
        and bool(job.result)
        and owner.is_active
        and audience_of(owner) == job.audience
    )
