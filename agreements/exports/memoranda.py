"""The agreement list as CSV, XLSX or JSON, streamed in bounded memory.

A row of the export is defined once, in SQL (`export_cells`): the database joins, aggregates
and formats every cell of every memorandum in one query, on PostgreSQL and SQLite alike, and
the three formats write those cells as they come.
"""

import csv
import datetime
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import (
    Case,
    Expression,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from taggit.models import TaggedItem

from agreements.columns import COLUMNS, FORMULA_TRIGGERS, SEPARATOR
from agreements.models import Approval, Memorandum, Party, Signatory
from agreements.selectors import end_of, history_as_of, memoranda_as_of
from partners.models import OrganisationalUnit
from registry.characters import without_control_characters
from registry.history import historical_through
from registry.iteration import chunks
from registry.sql import CodePointOrder, Joined, concatenated

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
CHUNK = 2000


class IsoDate(Func):
    """A date as ISO 8601 text (`date.isoformat()`), '' when there is none."""

    output_field = TextField()

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_postgresql(self, compiler, connection):
        return self.as_sql(
            compiler, connection, template="COALESCE(TO_CHAR(%(expressions)s, 'YYYY-MM-DD'), '')"
        )

    def as_sqlite(self, compiler, connection):
        # SQLite keeps a date as this very text.
        return self.as_sql(compiler, connection, template="COALESCE(%(expressions)s, '')")


class IsoTimestamp(Func):
    """A timestamp (with time zone, in UTC) as `datetime.isoformat()` writes it: microseconds
    only when there are some, then the offset."""

    output_field = TextField()

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_postgresql(self, compiler, connection):
        template = (
            "(REPLACE(TO_CHAR(%(expressions)s, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
            " || TO_CHAR(%(expressions)s, 'TZH:TZM'))"
        )
        return self.as_sql(compiler, connection, template=template)

    def as_sqlite(self, compiler, connection):
        # Stored as `str(datetime)` of its UTC value: "2024-05-06 07:08:09[.123456]".
        return self.as_sql(
            compiler, connection, template="(REPLACE(%(expressions)s, ' ', 'T') || '+00:00')"
        )


@dataclass(frozen=True)
class Parts:
    """Where a register's rows read their parts: today's tables (`current_parts`), or the
    history as it stood at a moment (`parts_as_of`). Parties and signatories name their
    memorandum by `memorandum`; the area and SDG links name the memorandum's row by
    `links_to[0]` (its id today; in the history, the memorandum's record)."""

    parties: QuerySet
    signatories: QuerySet
    area_links: QuerySet
    sdg_links: QuerySet
    links_to: tuple[str, str]
    supersedes_reference: Expression
    approval_state: Expression
    approval_step: Expression


_approval = Approval.objects.filter(memorandum=OuterRef("pk"))


def current_parts() -> Parts:
    return Parts(
        parties=Party.objects.all(),
        signatories=Signatory.objects.all(),
        area_links=Memorandum.cooperation_areas.through.objects.all(),
        sdg_links=Memorandum.sdgs.through.objects.all(),
        links_to=("memorandum", "id"),
        supersedes_reference=F("supersedes__reference"),
        approval_state=Subquery(_approval.values("state")[:1]),
        approval_step=Subquery(_approval.values("current_step__name")[:1]),
    )


def parts_as_of(moment: datetime.datetime) -> Parts:
    recorded = Memorandum.history.model
    return Parts(
        parties=history_as_of(Party, moment),
        signatories=history_as_of(Signatory, moment),
        area_links=historical_through(recorded, "cooperation_areas").objects.all(),
        sdg_links=historical_through(recorded, "sdgs").objects.all(),
        links_to=("history", "pk"),
        supersedes_reference=Subquery(
            history_as_of(Memorandum, moment)
            .filter(id=OuterRef("supersedes_id"))
            .values("reference")[:1]
        ),
        # The register as it stood is rebuilt from the terms' history; approvals are not.
        approval_state=Value(""),
        approval_step=Value(""),
    )


def _listed(rows: QuerySet, value, order_by, *, of: tuple[str, str] = ("memorandum", "id")):
    """The outer memorandum's rows' `value`s in `order_by`, joined by `SEPARATOR`."""
    field, outer = of
    return Joined(rows.filter(**{field: OuterRef(outer)}), value, order_by, SEPARATOR)


def export_cells(parts: Parts, fingerprint: Expression | None = None) -> dict[str, object]:
    """Each column of `COLUMNS` as an expression on a row of memoranda that carries `status`,
    `supersedes_visible` and `approvals_visible` (as `memorandum_list` does): the one
    definition of what an export shows. Lists are joined in party order, areas and tags in
    code-point order; a missing date is ''; `supersedes` only when the reader may see that
    memorandum."""
    label = Coalesce(NullIf(F("institution__short_name"), Value("")), F("institution__name"))
    party_order = ("order", "id")
    memorandum_type = ContentType.objects.filter(app_label="agreements", model="memorandum")
    area_code = F("cooperationarea__code")
    tag_name = F("tag__name")
    sdg = "sustainabledevelopmentgoal_id"
    return {
        "reference": F("reference"),
        "title": F("title"),
        "kind": F("kind"),
        "status": F("status"),
        "stage": F("stage"),
        "parties": _listed(parts.parties, label, party_order),
        "party_countries": _listed(parts.parties, F("institution__country"), party_order),
        "signatories": _listed(
            parts.signatories,
            concatenated(F("person__full_name"), Value(" ("), label, Value(")")),
            ("id",),
        ),
        "cooperation_areas": _listed(
            parts.area_links, area_code, (CodePointOrder(area_code),), of=parts.links_to
        ),
        "signed_on": IsoDate("signed_on"),
        "effective_from": IsoDate("effective_from"),
        "expires_on": IsoDate("expires_on"),
        "auto_renew": Case(
            When(auto_renew=True, then=Value("true")),
            default=Value("false"),
            output_field=TextField(),
        ),
        "visibility": F("visibility"),
        "sdgs": _listed(parts.sdg_links, Cast(sdg, TextField()), (sdg,), of=parts.links_to),
        "tags": _listed(
            # The content type's id is looked up once per query, not joined per memorandum.
            TaggedItem.objects.filter(content_type=Subquery(memorandum_type.values("pk"))),
            tag_name,
            (CodePointOrder(tag_name),),
            of=("object_id", "id"),
        ),
        "source_url": F("source_url"),
        "updated_at": IsoTimestamp("updated_at"),
        "supersedes": Case(
            When(
                supersedes_visible=True,
                then=Coalesce(parts.supersedes_reference, Value(""), output_field=TextField()),
            ),
            default=Value(""),
            output_field=TextField(),
        ),
        "fingerprint": F("fingerprint") if fingerprint is None else fingerprint,
        "approval_state": _staff_only(parts.approval_state),
        "approval_step": _staff_only(parts.approval_step),
        "owner_unit": Coalesce(
            Subquery(
                OrganisationalUnit.objects.filter(pk=OuterRef("owner_unit_id")).values("name")[:1]
            ),
            Value(""),
            output_field=TextField(),
        ),
    }


def _staff_only(value: Expression) -> Case:
    """`value` for readers who see approvals (`approvals_visible`, the institution's own
    staff), '' for anyone else and where there is none."""
    return Case(
        When(approvals_visible=True, then=Coalesce(value, Value(""), output_field=TextField())),
        default=Value(""),
        output_field=TextField(),
    )


def _with_cells(queryset: QuerySet, cells: dict[str, object], *leading: str) -> QuerySet:
    names = [f"export_{column}" for column in COLUMNS]
    annotations = {name: cells[column] for name, column in zip(names, COLUMNS, strict=True)}
    return queryset.prefetch_related(None).annotate(**annotations).values_list(*leading, *names)


def _cells_sql(rows: QuerySet, export_format: str, *leading: str) -> tuple[str, tuple]:
    """The SQL of `rows` (`_with_cells(…, *leading)`): its leading columns and its cells, and
    nothing else (a query that orders a DISTINCT selects its ordering too). The cells are made
    safe for `export_format`: a spreadsheet runs a cell that starts with one of
    `FORMULA_TRIGGERS` as a formula (CSV/formula injection), so a CSV or XLSX cell that would
    is written after an apostrophe, which spreadsheets show as text. Done over the finished
    rows, so that each cell's subqueries run once."""
    sql, params = rows.query.sql_with_params()
    quote = connections[rows.db].ops.quote_name
    cells = [f"cells.{quote(f'export_{column}')}" for column in COLUMNS]
    columns = [f"cells.{quote(name)}" for name in leading]
    if export_format == "json":
        outer = f"SELECT {', '.join(columns + cells)} FROM ({sql}) AS cells"
        return outer, params
    triggers = ", ".join(["%s"] * len(FORMULA_TRIGGERS))
    columns += [
        f"CASE WHEN substr({cell}, 1, 1) IN ({triggers}) THEN '''' || {cell} ELSE {cell} END"
        for cell in cells
    ]
    outer = f"SELECT {', '.join(columns)} FROM ({sql}) AS cells"
    return outer, (*(FORMULA_TRIGGERS * len(COLUMNS)), *params)


def _fetched(using: str, sql: str, params: tuple) -> Iterator[tuple[str, ...]]:
    """The rows of `sql`, a chunk at a time (on PostgreSQL through a server-side cursor)."""
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            yield from chunk


def _current_rows_sql(queryset: QuerySet, export_format: str) -> tuple[str, tuple]:
    return _cells_sql(_with_cells(queryset, export_cells(current_parts())), export_format)


@contextmanager
def _export_transaction(using: str):
    """On PostgreSQL, an export reads its rows in a transaction of its own, so that its
    server-side cursor needs no WITH HOLD (with which PostgreSQL computes and stores every row
    before it sends the first), and with JIT compilation off for this query alone: its
    estimated cost, several correlated subqueries a row, crosses `jit_above_cost` from about a
    thousand rows, and compiling takes longer than it saves."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield connection
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield connection


def export_rows(queryset: QuerySet, export_format: str) -> Iterator[tuple[str, ...]]:
    """Every row of `queryset` (a `memorandum_list`) as its cells in `COLUMNS` order, made
    safe for `export_format`. The cells are annotations on the queryset: its visibility,
    filters and ordering stay as they are. The rows come a chunk at a time."""
    sql, params = _current_rows_sql(queryset, export_format)
    with _export_transaction(queryset.db):
        yield from _fetched(queryset.db, sql, params)


def csv_copied(queryset: QuerySet):
    """The CSV of `queryset`, written by PostgreSQL's `COPY … TO STDOUT` into a temporary file:
    the database formats every line as fast as it produces the rows, in constant memory. The
    same bytes as `csv_lines` writes: no cell is NULL, so the NULL marker never appears and an
    empty cell is left unquoted."""
    sql, params = _current_rows_sql(queryset, "csv")
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    output.write(csv_header().encode())
    with _export_transaction(queryset.db) as connection, connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '\\N')", output)
    output.seek(0)
    return output


def register_as_of_rows(
    day: datetime.date, register: list[Memorandum], export_format: str
) -> list[tuple[str, ...]]:
    """The rows of `register` (`memorandum_register_as_of(day)`, in its order), their cells
    made by `export_cells` from the history as it stood at the end of `day`, safe for
    `export_format`. The fingerprint is not in the history: it is the one the register
    computed of the terms then (hexadecimal, safe in every format)."""
    cells = export_cells(parts_as_of(end_of(day)), fingerprint=Value(""))
    recorded = memoranda_as_of(day).annotate(
        supersedes_visible=Value(True), approvals_visible=Value(True)
    )
    sql, params = _cells_sql(_with_cells(recorded, cells, "id"), export_format, "id")
    by_id = {row[0]: row[1:] for row in _fetched(recorded.db, sql, params)}
    rows = []
    for memorandum in register:
        row = list(by_id[memorandum.pk])
        row[COLUMNS.index("fingerprint")] = memorandum.fingerprint
        rows.append(tuple(row))
    return rows


def export_records(rows: Iterable[Sequence[str]]) -> Iterator[dict[str, str]]:
    """Rows of cells as {column: cell}, as JSON writes them."""
    for row in rows:
        yield dict(zip(COLUMNS, row, strict=True))


class _Line:
    def write(self, value):
        return value


# Quotes a cell that holds a line feed or a carriage return, as `COPY` does.
_CSV_WRITER = csv.writer(_Line(), lineterminator="\r\n")


def _csv_line(cells: Sequence[str]) -> str:
    """One line of the CSV, ended by a line feed alone as `COPY` ends it."""
    return _CSV_WRITER.writerow(cells)[:-2] + "\n"


def csv_header() -> str:
    """The CSV's byte order mark (spreadsheets then read it as UTF-8) and its header line."""
    return "\ufeff" + _csv_line(COLUMNS)


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The CSV: BOM and header, then a line per row of cells in `COLUMNS` order; yielded a
    chunk of lines at a time (a response encodes each piece it is given)."""
    yield csv_header()
    for chunk in chunks(rows, CHUNK):
        yield "".join([_csv_line(row) for row in chunk])


def json_chunks(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    yield "["
    for index, record in enumerate(export_records(rows)):
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


def xlsx_file(rows: Iterable[Sequence[str]]):
    """A workbook written row by row (openpyxl's write-only mode) into a temporary file.
    XML holds no control characters (openpyxl refuses them): any stored before they were
    refused are left out of the cell."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("memoranda")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([without_control_characters(cell) for cell in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    workbook.save(output)
    output.seek(0)
    return output


def export_response(rows: Iterable[Sequence[str]], export_format: str, *, name: str = "memoranda"):
    """The download of `rows` (cells in `COLUMNS` order), named for what and when:
    `memoranda-2026-11-28.csv`."""
    if export_format == "xlsx":
        return FileResponse(
            xlsx_file(rows),
            as_attachment=True,
            filename=_filename(name, export_format),
            content_type=CONTENT_TYPES["xlsx"],
        )
    content = csv_lines(rows) if export_format == "csv" else json_chunks(rows)
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, export_format)}"'
    return response


def memoranda_response(queryset: QuerySet, export_format: str):
    """The download of `queryset` (a `memorandum_list`). PostgreSQL writes a CSV itself."""
    if export_format == "csv" and connections[queryset.db].vendor == "postgresql":
        return FileResponse(
            csv_copied(queryset),
            as_attachment=True,
            filename=_filename("memoranda", export_format),
            content_type=CONTENT_TYPES["csv"],
        )
    return export_response(export_rows(queryset, export_format), export_format)


def _filename(name: str, export_format: str) -> str:
    return f"{name}-{timezone.localdate().isoformat()}.{export_format}"
