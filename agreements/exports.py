"""The agreement list as CSV, XLSX or JSON (SPEC section 3), streamed in bounded memory."""

import csv
import gc
import json
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

COLUMNS = [
    "reference",
    "title",
    "kind",
    "status",
    "stage",
    "parties",
    "party_countries",
    "signatories",
    "cooperation_areas",
    "signed_on",
    "effective_from",
    "expires_on",
    "auto_renew",
    "visibility",
    "sdgs",
    "tags",
    "source_url",
    "updated_at",
    # Beyond SPEC's list, at the end so its order stands: the reference of the memorandum this
    # one amends or renews, so that an export imports back whole.
    "supersedes",
]
FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
CHUNK = 2000
SEPARATOR = "; "
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _date(value) -> str:
    return value.isoformat() if value else ""


def export_record(memorandum) -> dict:
    """One memorandum as a row of the export, its lists joined in party order."""
    parties = list(memorandum.parties.all())
    return {
        "reference": memorandum.reference,
        "title": memorandum.title,
        "kind": memorandum.kind,
        "status": memorandum.status,
        "stage": memorandum.stage,
        "parties": SEPARATOR.join(party.institution.label for party in parties),
        "party_countries": SEPARATOR.join(party.institution.country.code for party in parties),
        "signatories": SEPARATOR.join(
            f"{signatory.person.full_name} ({signatory.institution.label})"
            for signatory in memorandum.signatories.all()
        ),
        "cooperation_areas": SEPARATOR.join(
            sorted(area.code for area in memorandum.cooperation_areas.all())
        ),
        "signed_on": _date(memorandum.signed_on),
        "effective_from": _date(memorandum.effective_from),
        "expires_on": _date(memorandum.expires_on),
        "auto_renew": "true" if memorandum.auto_renew else "false",
        "visibility": memorandum.visibility,
        "sdgs": SEPARATOR.join(str(sdg.number) for sdg in memorandum.sdgs.all()),
        "tags": SEPARATOR.join(sorted(tag.name for tag in memorandum.tags.all())),
        "source_url": memorandum.source_url,
        "updated_at": memorandum.updated_at.isoformat(),
        "supersedes": memorandum.supersedes.reference
        if memorandum.supersedes_id and getattr(memorandum, "supersedes_visible", True)
        else "",
    }


def export_records(queryset: QuerySet) -> Iterator[dict]:
    """Rows fetched a chunk at a time (prefetching per chunk), never the whole list at once."""
    for index, memorandum in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        yield export_record(memorandum)
        if index % CHUNK == 0:
            # Rows with their prefetched parts form reference cycles; free each chunk's now,
            # so that the peak stays that of one chunk however long the export.
            gc.collect()


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection)."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


class _Line:
    def write(self, value):
        return value


def csv_lines(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for record in records:
        yield writer.writerow([neutralise(record[column]) for column in COLUMNS])


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    yield "["
    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


def xlsx_file(records: Iterable[dict]):
    """A workbook written row by row (openpyxl's write-only mode) into a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("memoranda")
    sheet.append(COLUMNS)
    for record in records:
        sheet.append([neutralise(record[column]) for column in COLUMNS])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    workbook.save(output)
    output.seek(0)
    return output


def export_response(records: Iterable[dict], export_format: str, *, name: str = "memoranda"):
    """The download, named for what and when: `memoranda-2026-11-28.csv`."""
    filename = f"{name}-{timezone.localdate().isoformat()}.{export_format}"
    if export_format == "xlsx":
        return FileResponse(
            xlsx_file(records),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES["xlsx"],
        )
    chunks = csv_lines(records) if export_format == "csv" else json_chunks(records)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
