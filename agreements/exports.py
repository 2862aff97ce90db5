"""The agreement list as CSV, XLSX or JSON (SPEC section 3), streamed in bounded memory."""

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from taggit.models import TaggedItem

from registry.iteration import chunks

from .fingerprint import fingerprint
from .models import Commitment, Document, Memorandum, Party, Signatory

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
    # The sha256 of a signed memorandum's terms (agreements/fingerprint.py), blank for one that
    # is not signed: what its partners acknowledge. Computed, so an import ignores it.
    "fingerprint",
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
        "fingerprint": fingerprint(memorandum) or "",
    }


class _Related(list):
    """A list that answers `.all()`, as a prefetched related manager does."""

    def all(self):
        return self


def export_records(queryset: QuerySet) -> Iterator[dict]:
    """Every row of `queryset` (a `memorandum_list`), a chunk at a time.

    Model instances with prefetched relations cost most of an export's time; the rows here
    are read as plain values and shaped like the models (attributes and `.all()`), so that
    `export_record` and the fingerprint read them exactly as they read a memorandum.
    """
    fields = [
        "pk", "reference", "title", "kind", "status", "stage", "signed_on", "effective_from",
        "expires_on", "auto_renew", "visibility", "source_url", "updated_at", "supersedes_id",
        "supersedes__reference", "supersedes_visible",
    ]  # fmt: skip
    rows = queryset.prefetch_related(None).values(*fields)
    for chunk in chunks(rows.iterator(chunk_size=CHUNK), CHUNK):
        related = _related_values([row["pk"] for row in chunk])
        for row in chunk:
            memorandum = SimpleNamespace(**row)
            reference = row["supersedes__reference"]
            memorandum.supersedes = SimpleNamespace(reference=reference) if reference else None
            for name, by_memorandum in related.items():
                setattr(memorandum, name, _Related(by_memorandum.get(row["pk"], ())))
            yield export_record(memorandum)


def _related_values(ids: list[int]) -> dict[str, dict[int, list]]:
    """The parts of memoranda `ids` that a row shows, one query each, as plain objects."""

    def grouped(queryset, *fields, shape):
        by_memorandum: dict[int, list] = {}
        for memorandum_id, *values in queryset.values_list(*fields):
            by_memorandum.setdefault(memorandum_id, []).append(shape(*values))
        return by_memorandum

    def institution(name, short_name, country="", ror_id=None):
        return SimpleNamespace(
            name=name,
            label=short_name or name,
            country=SimpleNamespace(code=country),
            ror_id=ror_id,
        )

    return {
        "parties": grouped(
            Party.objects.filter(memorandum_id__in=ids).order_by("memorandum_id", "order", "id"),
            "memorandum_id", "pk", "order", "role", "institution_id", "institution__name",
            "institution__short_name", "institution__country", "institution__ror_id",
            shape=lambda pk, order, role, institution_id, *names: SimpleNamespace(
                pk=pk, order=order, role=role, institution_id=institution_id,
                institution=institution(*names),
            ),
        ),
        "signatories": grouped(
            Signatory.objects.filter(memorandum_id__in=ids).order_by("memorandum_id", "id"),
            "memorandum_id", "person__full_name", "institution__name", "institution__short_name",
            shape=lambda full_name, *names: SimpleNamespace(
                person=SimpleNamespace(full_name=full_name), institution=institution(*names)
            ),
        ),
        "cooperation_areas": grouped(
            Memorandum.cooperation_areas.through.objects.filter(memorandum_id__in=ids),
            "memorandum_id", "cooperationarea__code",
            shape=lambda code: SimpleNamespace(code=code),
        ),
        "sdgs": grouped(
            Memorandum.sdgs.through.objects.filter(memorandum_id__in=ids).order_by(
                "memorandum_id", "sustainabledevelopmentgoal_id"
            ),
            "memorandum_id", "sustainabledevelopmentgoal_id",
            shape=lambda number: SimpleNamespace(number=number),
        ),
        "tags": grouped(
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Memorandum), object_id__in=ids
            ),
            "object_id", "tag__name",
            shape=lambda name: SimpleNamespace(name=name),
        ),
        "commitments": grouped(
            Commitment.objects.filter(memorandum_id__in=ids),
            "memorandum_id", "title", "due_on", "responsible_institution_id", "area_id",
            "area__code",
            shape=lambda title, due_on, responsible, area_id, code: SimpleNamespace(
                title=title, due_on=due_on, responsible_institution_id=responsible,
                area_id=area_id, area=SimpleNamespace(code=code),
            ),
        ),
        "documents": grouped(
            Document.objects.filter(memorandum_id__in=ids), "memorandum_id", "sha256",
            shape=lambda sha256: SimpleNamespace(sha256=sha256),
        ),
    }  # fmt: skip


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


def jsonchunks(records: Iterable[dict]) -> Iterator[str]:
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
    chunks = csv_lines(records) if export_format == "csv" else jsonchunks(records)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
