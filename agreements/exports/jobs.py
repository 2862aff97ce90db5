"""Large XLSX exports as background jobs: a workbook of tens of thousands of rows takes longer
to write than a request may wait. CSV and JSON stream as they are read, so they never need one.

The job keeps what the export was asked for (the list's filters, or the admin's selected ids)
and reads the rows in the worker through the same gate as the download would have, as its
owner: its file is served back to that owner alone, while their reading rights are unchanged
(`jobs.selectors.job_result_servable`)."""

from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from agreements.exports import memoranda as exports
from agreements.filters import MemorandumFilterSet
from agreements.selectors import memorandum_list, reader_audience
from jobs.models import Job
from jobs.running import JobOutcome, Progress, run_job
from jobs.services import job_create


def exports_in_background(export_format: str, rows: QuerySet, user) -> int | None:
    """The number of rows when an export of `rows` by `user` should be a job; None when it
    is served at once: a CSV or JSON file, an anonymous reader, or few rows."""
    if export_format != "xlsx" or not user.is_authenticated:
        return None
    count = rows.count()
    return count if count > settings.EXPORT_BACKGROUND_ROWS else None


def export_job_create(*, query: str = "", ids: list[int] | None = None, rows: int, actor) -> Job:
    """A job writing the XLSX export of the memoranda `query` (the list's filters, URL-encoded)
    or `ids` select, as `actor` reads them."""
    return job_create(
        task=export_memoranda_task,
        kind=Job.Kind.EXPORT,
        label=f"XLSX export of {rows:,} memoranda",
        parameters={"query": query, "ids": ids, "rows": rows},
        audience=reader_audience(actor),
        actor=actor,
    )


def _rows(job: Job) -> QuerySet:
    owner = job.owner
    queryset = memorandum_list(owner, acknowledgements=False)
    if job.parameters.get("ids") is not None:
        return queryset.filter(pk__in=job.parameters["ids"])
    filters = MemorandumFilterSet(
        QueryDict(job.parameters["query"]),
        queryset=queryset,
        request=SimpleNamespace(user=owner),
    )
    return filters.qs


def _export(job: Job, progress: Progress) -> JobOutcome:
    progress.start(job.parameters["rows"])

    def counted(rows):
        for row in rows:
            progress.advance()
            yield row

    workbook = exports.xlsx_file(counted(exports.export_rows(_rows(job), "xlsx")))
    return JobOutcome(
        messages=[f"{progress.done:,} memoranda exported."],
        result=File(workbook),
        result_name=f"memoranda-{timezone.localdate().isoformat()}.xlsx",
    )


@task()
def export_memoranda_task(job_id: int) -> str:
    return run_job(job_id, _export)
