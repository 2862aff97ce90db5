"""Running a job's work inside a task: the job's state around it, its progress as it goes."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files import File

from .models import Job
from .services import job_begin, job_fail, job_finish, job_progress, jobs_sweep

# Seconds between two progress reports of a job: often enough for the bar, rare enough to cost
# nothing beside the work.
REPORT_EVERY = 0.5


class JobRefused(Exception):
    """The work found its input wrong: the job fails with these messages, and nothing else
    is wrong (the task itself ends normally)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class JobOutcome:
    messages: list[str] = field(default_factory=list)
    result: File | None = None
    result_name: str = ""


class Progress:
    """Counts a job's steps and reports them, at most every REPORT_EVERY seconds."""

    def __init__(self, job: Job):
        self.job = job
        self.done = 0
        self.total: int | None = None
        self.reported_at = 0.0

    def start(self, total: int | None) -> None:
        self.total = total
        self.report()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if time.monotonic() - self.reported_at >= REPORT_EVERY:
            self.report()

    def set(self, done: int, total: int | None) -> None:
        """For work that counts its own steps."""
        self.total = total
        self.advance(done - self.done)

    def report(self) -> None:
        job_progress(job=self.job, done=self.done, total=self.total)
        self.reported_at = time.monotonic()


def run_job(job_id: int, work: Callable[[Job, Progress], JobOutcome]) -> str:
    """Run `work` for the queued job `job_id`, recording that it runs, how far it is and how it
    ended. A worker first fails the jobs of workers that died (`jobs_sweep`). An unexpected
    error fails the job and is raised again, so the task's result records it too."""
    jobs_sweep()
    job = job_begin(job_id=job_id)
    if job is None:
        return "not queued"
    progress = Progress(job)
    try:
        outcome = work(job, progress)
    except JobRefused as refused:
        job_fail(job=job, messages=refused.messages)
        return Job.State.FAILED
    except Exception:
        job_fail(job=job, messages=["The job stopped on an unexpected error (logged)."])
        raise
    job_finish(
        job=job, messages=outcome.messages, result=outcome.result, result_name=outcome.result_name
    )
    return Job.State.SUCCEEDED
