"""Large imports as background jobs: a file of more than IMPORT_BACKGROUND_ROWS rows is imported
by a worker, all or nothing as ever; the job lists the problems of a file that wrote nothing.

The file waits in the file storage until its job is done. Its sha256 keeps the same file from
being imported by two jobs at once (`jobs_same_input_once_at_a_time`)."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django_tasks import task

from agreements.importing.spreadsheet import PendingUpload, memoranda_import, read_rows
from jobs.models import Job
from jobs.running import JobOutcome, JobRefused, Progress, run_job
from jobs.services import job_create

HASH_CHUNK = 1024 * 1024


def rows_in(upload: PendingUpload) -> int:
    """How many data rows the stored upload holds, within the import's limits (else
    ValidationError)."""
    with upload.open() as file:
        return sum(1 for _ in read_rows(file, upload.file_format))


def imports_in_background(rows: int) -> bool:
    return rows > settings.IMPORT_BACKGROUND_ROWS


def file_sha256(upload: PendingUpload) -> str:
    digest = hashlib.sha256()
    with upload.open() as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def import_job_create(*, upload: PendingUpload, label: str, rows: int, actor) -> Job:
    """A job importing the stored `upload` of `rows` rows (deleted when the job ends); refused
    (ValidationError on `file`, the upload deleted) while the same file is being imported."""
    try:
        return job_create(
            task=import_memoranda_task,
            kind=Job.Kind.IMPORT,
            label=f"Import of {label} ({rows:,} rows)",
            parameters={"input_file": upload.name, "format": upload.file_format, "rows": rows},
            input_sha256=file_sha256(upload),
            actor=actor,
        )
    except ValidationError:
        upload.discard()
        raise


def _import(job: Job, progress: Progress) -> JobOutcome:
    parameters = job.parameters
    progress.start(parameters["rows"])
    try:
        with default_storage.open(parameters["input_file"], "rb") as file:
            report = memoranda_import(
                rows=read_rows(file, parameters["format"]),
                actor=job.owner,
                progress=progress.advance,
            )
    except ValidationError as error:
        raise JobRefused(error.messages) from None
    finally:
        default_storage.delete(parameters["input_file"])
    if not report.written:
        raise JobRefused([report.summary(), *map(str, report.problems)])
    return JobOutcome(messages=[report.summary()])


@task()
def import_memoranda_task(job_id: int) -> str:
    return run_job(job_id, _import)
