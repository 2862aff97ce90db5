"""Documents: size and type checked by content, generated names, safe downloads, sha256
verified before a file is served."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agreements.models import Document
from tests.factories import DocumentFactory, SignedMemorandumFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    return buffer.getvalue()


@pytest.fixture
def editor_api():
    client = APIClient()
    client.force_authenticate(UserFactory(username="officer", groups=["registry-editor"]))
    return client


@pytest.fixture
def memorandum():
    return SignedMemorandumFactory()


def upload(client, memorandum, content, name="file.pdf", content_type="application/pdf"):
    return client.post(
        f"/api/v1/memoranda/{memorandum.pk}/documents/",
        {
            "title": "Signed copy",
            "kind": "signed_copy",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
        format="multipart",
    )


@pytest.mark.parametrize(
    ("content", "extension"),
    [
        (PDF, ".pdf"),
        (PNG, ".png"),
        (JPEG, ".jpg"),
        (office("word/document.xml"), ".docx"),
        (office("xl/workbook.xml"), ".xlsx"),
        ("Меморандум о взаимопонимании\n".encode(), ".txt"),
    ],
)
def test_accepted_types_are_stored_under_a_generated_name_with_their_own_extension(
    editor_api, memorandum, content, extension
):
    # The client's name and content type are ignored: only the content counts.
    response = upload(editor_api, memorandum, content, name="../../etc/passwd.exe")

    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    stored = Path(document.file.name)
    assert stored.suffix == extension
    assert "passwd" not in stored.name and ".." not in document.file.name
    assert len(stored.stem) == 32  # a uuid4
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(document.cookie)</script></html>",
        b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        plain_zip(),
        b"\x00\x01\x02binary",
    ],
    ids=["html", "svg", "exe", "zip", "binary"],
)
def test_other_content_is_refused_whatever_its_name(editor_api, memorandum, content):
    response = upload(editor_api, memorandum, content, name="signed.pdf")

    assert response.status_code == 400
    assert "not accepted" in response.json()["file"][0]
    assert not Document.objects.exists()


def test_an_empty_file_is_refused(editor_api, memorandum):
    response = upload(editor_api, memorandum, b"", name="empty.pdf")

    assert response.status_code == 400
    assert "file" in response.json()


def test_a_file_over_the_size_limit_is_refused(editor_api, memorandum, settings):
    settings.DOCUMENT_MAX_UPLOAD_SIZE = 1024

    response = upload(editor_api, memorandum, PDF + b"0" * 1024)

    assert response.status_code == 400
    assert "at most" in response.json()["file"][0]
    assert not Document.objects.exists()


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(editor_api, memorandum, settings):
    settings.DOCUMENT_MAX_UPLOAD_SIZE = 1024

    response = upload(editor_api, memorandum, PDF + b"0" * 200_000)

    assert response.status_code == 400
    assert "at most" in response.json()["file"][0]


def test_the_default_limit_is_20_megabytes(settings):
    assert settings.DOCUMENT_MAX_UPLOAD_SIZE == 20 * 1024 * 1024


def test_the_admin_inline_checks_uploads_the_same_way(memorandum):
    from django.forms import modelform_factory

    from agreements.admin.memoranda import DocumentForm

    form_class = modelform_factory(Document, form=DocumentForm, fields=["title", "kind", "file"])
    form = form_class(
        data={"title": "Annex", "kind": "annex"},
        files={"file": SimpleUploadedFile("annex.pdf", b"<html></html>")},
    )

    assert not form.is_valid()
    assert "not accepted" in form.errors["file"][0]


# --- Downloads -----------------------------------------------------------------------------


def test_a_download_is_an_attachment_that_browsers_do_not_sniff(editor_api):
    document = DocumentFactory()

    response = editor_api.get(f"/api/v1/documents/{document.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        f'filename="{document.memorandum.reference}-{document.pk}.pdf"'
        in (response["Content-Disposition"])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed copy"


def test_a_file_changed_on_disk_is_refused_with_409_and_not_served(editor_api):
    document = DocumentFactory()
    Path(document.file.path).write_bytes(b"%PDF-1.4 forged copy")  # same size, other bytes

    response = editor_api.get(f"/api/v1/documents/{document.pk}/download/")

    assert response.status_code == 409
    assert "checksum" in response.json()["detail"]
    assert b"forged" not in response.content


def test_a_truncated_file_is_refused(editor_api):
    document = DocumentFactory()
    Path(document.file.path).write_bytes(b"%PDF")

    response = editor_api.get(f"/api/v1/documents/{document.pk}/download/")

    assert response.status_code == 409


def test_a_missing_file_is_refused_not_a_500(editor_api):
    document = DocumentFactory()
    Path(document.file.path).unlink()

    response = editor_api.get(f"/api/v1/documents/{document.pk}/download/")

    assert response.status_code == 409
    assert "checksum" in response.json()["detail"]
