"""What an import refuses before it reads too much: a file too large, an XLSX that unpacks too
large or too far (a zip bomb), too many rows, a cell too long; and cells it cannot store."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from agreements.columns import COLUMNS
from agreements.importing.spreadsheet import memoranda_import, read_rows
from agreements.models import Memorandum
from tests.factories import InstitutionFactory

from .test_import import csv_file, import_csv, row

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def known():
    """The parties the rows of `row()` name."""
    InstitutionFactory(name="Nazarbayev University", short_name="NU", country="KZ")
    InstitutionFactory(name="Southern University of Science and Technology", short_name="SUSTech")


def refusal(file, file_format="csv") -> str:
    with pytest.raises(ValidationError) as caught:
        memoranda_import(rows=read_rows(file, file_format), actor=None, dry_run=True)
    return " ".join(caught.value.messages)


def workbook(*rows: dict) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for values in rows:
        sheet.append([values.get(column, "") for column in COLUMNS])
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    return content


def bomb(unpacked_mb: int) -> io.BytesIO:
    """A real workbook whose sharedStrings.xml unpacks to `unpacked_mb` megabytes of one
    repeated string, written a megabyte at a time: the file itself is a few dozen kilobytes."""
    good = zipfile.ZipFile(workbook(row()))
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in good.infolist():
            if member.filename != "xl/sharedStrings.xml":
                archive.writestr(member, good.read(member))
        with archive.open("xl/sharedStrings.xml", "w") as shared:
            shared.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            chunk = b"<si><t>" + b"A" * (MB - 15) + b"</t></si>"
            for _ in range(unpacked_mb):
                shared.write(chunk)
            shared.write(b"</sst>")
    content.seek(0)
    return content


def test_an_xlsx_bomb_is_refused_from_its_directory_without_being_unpacked(settings):
    settings.IMPORT_MAX_UNPACKED_SIZE = 8 * MB
    file = bomb(64)
    assert len(file.getvalue()) < MB // 4

    tracemalloc.start()
    try:
        message = refusal(file, "xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "The file unpacks to 64 MB; the limit is 8.0 MB (IMPORT_MAX_UNPACKED_MB)." in message
    assert peak < 2 * MB  # the 64 MB were never in memory


def test_an_xlsx_that_unpacks_too_far_is_refused_on_its_compression_ratio(settings):
    settings.IMPORT_MAX_UNPACKED_SIZE = 100 * MB
    settings.IMPORT_MAX_COMPRESSION_RATIO = 100

    message = refusal(bomb(4), "xlsx")

    assert "times its packed size; the limit is 100 times (IMPORT_MAX_COMPRESSION_RATIO)" in message


def test_a_plain_workbook_is_well_within_the_default_limits(known):
    report = memoranda_import(rows=read_rows(workbook(row()), "xlsx"), actor=None, dry_run=True)

    assert report.ok, report.problems


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(settings, known):
    settings.IMPORT_MAX_FILE_SIZE = 1024
    file = csv_file(*[row(reference=f"MOU-2023-{n:04d}") for n in range(1, 20)])

    message = refusal(file)

    assert message.startswith("The file is ")
    assert "the limit is 0.0 MB (IMPORT_MAX_FILE_MB)" in message


def test_the_admin_refuses_a_file_over_the_limit_on_the_form(client, editor, settings):
    settings.IMPORT_MAX_FILE_SIZE = 1024
    client.force_login(editor)
    upload = SimpleUploadedFile("memoranda.csv", b"x" * 2048)

    response = client.post("/admin/agreements/memorandum/import/", {"file": upload})

    assert response.status_code == 200
    assert "(IMPORT_MAX_FILE_MB)" in response.content.decode()


def test_more_rows_than_the_limit_are_refused_whole(settings, known):
    settings.IMPORT_MAX_ROWS = 3
    file = csv_file(*[row(reference=f"MOU-2023-{n:04d}") for n in range(1, 6)])

    message = refusal(file)

    assert message == (
        "The file has more than 3 rows; the limit is 3 (IMPORT_MAX_ROWS). "
        "Split it into smaller files."
    )
    assert not Memorandum.objects.exists()


def test_the_command_says_which_limit_was_hit(settings, tmp_path, known):
    settings.IMPORT_MAX_ROWS = 1
    path = tmp_path / "memoranda.csv"
    path.write_bytes(csv_file(row(), row(reference="MOU-2023-0002")).getvalue())

    with pytest.raises(CommandError, match=r"the limit is 1 \(IMPORT_MAX_ROWS\)"):
        call_command("import_memoranda", str(path), verbosity=0)


def test_a_cell_longer_than_the_limit_is_a_row_problem_naming_its_column(settings, known):
    settings.IMPORT_MAX_CELL_CHARS = 50

    report = import_csv(row(title="T" * 51))

    assert [(p.line, p.column) for p in report.problems] == [(2, "title")]
    assert "the cell holds 51 characters; the limit is 50" in report.problems[0].message


def test_a_cell_with_a_control_character_is_a_row_problem_naming_its_column(known):
    file = csv_file(row(), row(reference="MOU-2023-0002", tags="ring\x07"))

    report = memoranda_import(rows=read_rows(file, "csv"), actor=None)

    assert [(p.line, p.column) for p in report.problems] == [(3, "tags")]
    assert "control character U+0007" in report.problems[0].message
    assert not Memorandum.objects.exists()


def test_a_file_that_is_not_utf_8_is_refused_with_its_line(known):
    content = csv_file(row()).getvalue().replace(b"Trilateral", b"Trilat\xe9ral")

    assert refusal(io.BytesIO(content)).endswith(
        "the file is not UTF-8 text; save it as CSV UTF-8."
    )


def test_a_nul_byte_in_a_csv_is_a_row_problem_naming_its_column(known):
    content = csv_file(row()).getvalue().replace(b"Trilateral", b"Tri\x00lateral")

    report = memoranda_import(rows=read_rows(io.BytesIO(content), "csv"), actor=None)

    assert [(p.line, p.column) for p in report.problems] == [(2, "title")]


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04 truncated"])
def test_an_xlsx_that_is_not_a_workbook_is_refused(content):
    assert refusal(io.BytesIO(content), "xlsx") == (
        "The file is not an XLSX workbook (it is not a ZIP archive)."
    )


def test_a_zip_that_is_not_a_workbook_is_refused():
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("readme.txt", "hello")
    content.seek(0)

    assert "cannot be read as an XLSX workbook" in refusal(content, "xlsx")
