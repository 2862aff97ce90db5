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
from agreements.models import Memorandum, Party, Signatory
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


def current_parts() -> Parts:
    return Parts(
        parties=Party.objects.all(),
        signatories=Signatory.objects.all(),
        area_links=Memorandum.cooperation_areas.through.objects.all(),
        sdg_links=Memorandum.sdgs.through.objects.all(),
        links_to=("memorandum", "id"),
        supersedes_reference=F("supersedes__reference"),
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
    )


def _listed(rows: QuerySet, value, order_by, *, of: tuple[str, str] = ("memorandum", "id")):
    """The outer memorandum's rows' `value`s in `order_by`, joined by `SEPARATOR`."""
    field, outer = of
    return Joined(rows.filter(**{field: OuterRef(outer)}), value, order_by, SEPARATOR)


def export_cells(parts: Parts, fingerprint: Expression | None = None) -> dict[str, object]:
    """Each column of `COLUMNS` as an expression on a row of memoranda that carries `status`
    and `supersedes_visible` (as `memorandum_list` does): the one definition of what an export
    shows. Lists are joined in party order, areas and tags in code-point order; a missing
    date is ''; `supersedes` only when the reader may see that memorandum."""
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
        "owner_unit": Coalesce(
            Subquery(
                OrganisationalUnit.objects.filter(pk=OuterRef("owner_unit_id")).values("name")[:1]
            ),
            Value(""),
            output_field=TextField(),
        ),
    }


def _with_cells(queryset: QuerySet, cells: dict[str, object], *leading: str) -> QuerySet:
    names = [f"export_{column}" for column in COLUMNS]
    annotations = {name: cells[column] for name, column in zip(names, COLUMNS, strict=True)}
    return queryset.prefetch_related(None).annotate(**annotations).values_list(*leading, *names)


def export_rows(queryset: QuerySet) -> Iterator[tuple[str, ...]]:
    """Every row of `queryset` (a `memorandum_list`) as its cells in `COLUMNS` order. The cells
    are annotations on the queryset: its visibility, filters and ordering stay as they are.

    The rows come a chunk at a time. On PostgreSQL through a server-side cursor, in a
    transaction of their own: so the cursor needs no WITH HOLD (with which PostgreSQL computes
    and stores every row before it sends the first), and JIT compilation can be turned off
    for this query alone. Its estimated cost, several correlated subqueries a row, crosses
    `jit_above_cost` from about a thousand rows, and compiling takes longer than it saves.
    """
    rows = _with_cells(queryset, export_cells(current_parts()))
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from rows.iterator(chunk_size=CHUNK)
        return
    with transaction.atomic(using=queryset.db):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield from rows.iterator(chunk_size=CHUNK)


def register_as_of_rows(day: datetime.date, register: list[Memorandum]) -> list[tuple[str, ...]]:
    """The rows of `register` (`memorandum_register_as_of(day)`, in its order), their cells
    made by `export_cells` from the history as it stood at the end of `day`. The fingerprint
    is not in the history: it is the one the register computed of the terms then."""
    cells = export_cells(parts_as_of(end_of(day)), fingerprint=Value(""))
    recorded = memoranda_as_of(day).annotate(supersedes_visible=Value(True))
    by_id = {row[0]: row[1:] for row in _with_cells(recorded, cells, "id")}
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


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection)."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


class _Line:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The CSV: BOM and header, then a line per row of cells in `COLUMNS` order, neutralised;
    yielded a chunk of lines at a time (a response encodes each piece it is given)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for chunk in chunks(rows, CHUNK):
        yield "".join([writer.writerow([neutralise(cell) for cell in row]) for row in chunk])


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
        sheet.append([neutralise(without_control_characters(cell)) for cell in row])
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
    """The download of `queryset` (a `memorandum_list`)."""
    return export_response(export_rows(queryset), export_format)


def _filename(name: str, export_format: str) -> str:
    return f"{name}-{timezone.localdate().isoformat()}.{export_format}"
