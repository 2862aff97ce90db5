"""The agreement list as CSV, XLSX or JSON (SPEC section 3), streamed in bounded memory."""

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connections, transaction
from django.db.models import (
    Case,
    Expression,
    F,
    Func,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from taggit.models import TaggedItem

from agreements.columns import COLUMNS, FORMULA_TRIGGERS, SEPARATOR
from agreements.fingerprint import (
    area_codes,
    fingerprint,
    fingerprint_sql,
    party_terms,
    sdg_numbers,
)
from agreements.models import Commitment, Document, Memorandum, Party, Signatory
from registry.iteration import chunks
from registry.sql import aggregated, code_point_order, concatenated

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
CHUNK = 2000


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


# On PostgreSQL the CSV of a `memorandum_list` is made by one query (`export_rows_sql`): the
# database joins, aggregates, formats and hashes, about as fast as a COPY of the same join, and
# Python only writes the CSV. Its cells are, byte for byte, those of `export_record`.


class _RowOfCells(Expression):
    """`(SELECT ARRAY[cell, ...] FROM (aggregates) AS name, ...)`: the outer memorandum's row of
    the export as a text[].

    Each related table is read once per memorandum, into a derived table of aggregates (one
    row, NULLs when the memorandum has no rows there) whose columns the cells use through
    `_column(name, column)` as often as they need: the parties give three columns and part of
    the fingerprint, the areas and SDGs a column and part of the fingerprint. (With a
    correlated subquery per cell, the database reads them again for each, and the export
    takes half as long again.)
    """

    output_field = ArrayField(TextField())

    def __init__(self, cells: list, tables: dict[str, QuerySet]):
        super().__init__()
        self.cells = cells
        # Subquery resolves the tables' OuterRef("pk") to the outer memorandum and compiles
        # them in parentheses, as a derived table needs.
        self.tables = {
            name: Subquery(rows, output_field=TextField()) for name, rows in tables.items()
        }

    def get_source_expressions(self):
        return [*self.cells, *self.tables.values()]

    def set_source_expressions(self, expressions):
        self.cells = expressions[: len(self.cells)]
        self.tables = dict(zip(self.tables, expressions[len(self.cells) :], strict=True))

    def as_sql(self, compiler, connection):
        params = []
        cells = []
        for cell in self.cells:
            sql, cell_params = compiler.compile(cell)
            cells.append(sql)
            params += cell_params
        tables = []
        for name, table in self.tables.items():
            sql, table_params = compiler.compile(table)
            tables.append(f"{sql} AS {connection.ops.quote_name(name)}")
            params += table_params
        return f"(SELECT ARRAY[{', '.join(cells)}] FROM {', '.join(tables)})", params


def _column(table: str, column: str) -> RawSQL:
    """A column of one of `_RowOfCells`'s derived tables."""
    return RawSQL(f'"{table}"."{column}"', ())


def _listed(value, order_by) -> StringAgg:
    return StringAgg(value, SEPARATOR, order_by=order_by, output_field=TextField())


def _listed_array(array) -> Coalesce:
    """An array's items (or none) as `SEPARATOR.join` writes them."""
    listed = Func(array, Value(SEPARATOR), function="ARRAY_TO_STRING", output_field=TextField())
    return _text(listed)


def _text(value) -> Coalesce:
    """A cell: NULL (nothing to list or no date) is written as nothing."""
    return Coalesce(value, Value(""), output_field=TextField())


def _to_char(field: str, template: str) -> Func:
    return Func(F(field), Value(template), function="TO_CHAR", output_field=TextField())


def _export_row() -> _RowOfCells:
    """The cells of `COLUMNS` as `export_record` writes them, for the outer memorandum."""
    label = Coalesce(NullIf(F("institution__short_name"), Value("")), F("institution__name"))
    party_order = ("order", "id")
    memorandum_type = ContentType.objects.filter(app_label="agreements", model="memorandum")
    tag_name = F("tag__name")
    tables = {
        "parties": aggregated(
            Party.objects.all(),
            "memorandum",
            labels=_listed(label, party_order),
            countries=_listed(F("institution__country"), party_order),
            terms=party_terms(),
        ),
        "signatories": aggregated(
            Signatory.objects.all(),
            "memorandum",
            names=_listed(
                concatenated(F("person__full_name"), Value(" ("), label, Value(")")), "id"
            ),
        ),
        "areas": aggregated(
            Memorandum.cooperation_areas.through.objects.all(), "memorandum", codes=area_codes()
        ),
        "sdgs": aggregated(
            Memorandum.sdgs.through.objects.all(), "memorandum", numbers=sdg_numbers()
        ),
        "tags": aggregated(
            # The content type's id is looked up once per query, not joined per memorandum.
            TaggedItem.objects.filter(content_type=Subquery(memorandum_type.values("pk"))),
            "object_id",
            names=_listed(tag_name, code_point_order(tag_name)),
        ),
    }
    cells = {
        "reference": F("reference"),
        "title": F("title"),
        "kind": F("kind"),
        "status": F("status"),
        "stage": F("stage"),
        "parties": _text(_column("parties", "labels")),
        "party_countries": _text(_column("parties", "countries")),
        "signatories": _text(_column("signatories", "names")),
        "cooperation_areas": _listed_array(_column("areas", "codes")),
        "signed_on": _text(_to_char("signed_on", "YYYY-MM-DD")),
        "effective_from": _text(_to_char("effective_from", "YYYY-MM-DD")),
        "expires_on": _text(_to_char("expires_on", "YYYY-MM-DD")),
        "auto_renew": Case(When(auto_renew=True, then=Value("true")), default=Value("false")),
        "visibility": F("visibility"),
        "sdgs": _listed_array(_column("sdgs", "numbers")),
        "tags": _text(_column("tags", "names")),
        "source_url": F("source_url"),
        # isoformat(): the microseconds only when there are some.
        "updated_at": concatenated(
            Func(
                _to_char("updated_at", 'YYYY-MM-DD"T"HH24:MI:SS.US'), Value(".000000"), Value(""),
                function="REPLACE", output_field=TextField(),
            ),
            _to_char("updated_at", "TZH:TZM"),
        ),
        "supersedes": Case(
            When(supersedes_visible=True, then=_text(F("supersedes__reference"))),
            default=Value(""), output_field=TextField(),
        ),
        "fingerprint": fingerprint_sql(
            parties=_column("parties", "terms"),
            areas=_column("areas", "codes"),
            sdgs=_column("sdgs", "numbers"),
        ),
    }  # fmt: skip
    return _RowOfCells([cells[column] for column in COLUMNS], tables)


def export_rows_sql(queryset: QuerySet) -> Iterator[list[str]]:
    """Every row of `queryset` (a `memorandum_list`) as its cells in `COLUMNS` order, made by
    PostgreSQL. The cells are one annotation on the queryset: its visibility, filters and
    ordering stay as they are.

    The rows come through a server-side cursor, a chunk at a time, in a transaction of their
    own: so the cursor needs no WITH HOLD (with which PostgreSQL computes and stores every row
    before it sends the first), and JIT compilation can be turned off for this query alone.
    Its estimated cost, many correlated subqueries a row, crosses `jit_above_cost` from about
    a thousand rows, and compiling takes longer than it saves: twice the time at a thousand
    rows, seconds more at a hundred thousand.
    """
    rows = queryset.prefetch_related(None).annotate(export_row=_export_row())
    with transaction.atomic(using=queryset.db):
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield from rows.values_list("export_row", flat=True).iterator(chunk_size=CHUNK)


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection)."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


class _Line:
    def write(self, value):
        return value


def csv_lines(records: Iterable[dict]) -> Iterator[str]:
    return csv_rows([record[column] for column in COLUMNS] for record in records)


def csv_rows(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The CSV: BOM and header, then a line per row of cells in `COLUMNS` order, neutralised;
    yielded a chunk of lines at a time (a response encodes each piece it is given)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for chunk in chunks(rows, CHUNK):
        yield "".join([writer.writerow([neutralise(cell) for cell in row]) for row in chunk])


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
    if export_format == "xlsx":
        return FileResponse(
            xlsx_file(records),
            as_attachment=True,
            filename=_filename(name, export_format),
            content_type=CONTENT_TYPES["xlsx"],
        )
    chunks = csv_lines(records) if export_format == "csv" else jsonchunks(records)
    return _streamed(chunks, export_format, name)


def memoranda_response(queryset: QuerySet, export_format: str):
    """The download of `queryset` (a `memorandum_list`). On PostgreSQL the database makes the
    CSV's cells (`export_rows_sql`); other formats and databases go through `export_records`."""
    if export_format == "csv" and connections[queryset.db].vendor == "postgresql":
        return _streamed(csv_rows(export_rows_sql(queryset)), "csv", "memoranda")
    return export_response(export_records(queryset), export_format)


def _filename(name: str, export_format: str) -> str:
    return f"{name}-{timezone.localdate().isoformat()}.{export_format}"


def _streamed(content: Iterator[str], export_format: str, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, export_format)}"'
    return response
