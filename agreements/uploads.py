"""What may be uploaded as a document, decided by the file's content, never by its name.

The whitelist: PDF, PNG, JPEG, Word (DOCX) and Excel (XLSX) files, and plain UTF-8 text. A
file's type is recognised from its first bytes (and, for the two Office formats, which are
ZIP archives, from the members the format requires); the name and the Content-Type the
client sent are ignored. The stored file gets the extension of the type found, under a
generated name (`agreements.models.document_upload_to`).

Downloads check the file against the sha256 recorded at upload (`verify_stored_file`), so a
file changed or damaged in storage is refused instead of served.
"""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
PNG = DocumentType("png", "image/png", _("PNG image"))
JPEG = DocumentType("jpg", "image/jpeg", _("JPEG image"))
DOCX = DocumentType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    _("Word document (DOCX)"),
)
XLSX = DocumentType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"
)
TEXT = DocumentType("txt", "text/plain", _("plain text (UTF-8)"))
ACCEPTED = (PDF, PNG, JPEG, DOCX, XLSX, TEXT)
BY_EXTENSION = {kind.extension: kind for kind in ACCEPTED}


def accepted_labels() -> str:
    """The accepted types, named in the active language."""
    return ", ".join(str(kind.label) for kind in ACCEPTED)


def _office_type(upload) -> DocumentType | None:
    """DOCX or XLSX: a ZIP archive with [Content_Types].xml and the format's main part."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(head: bytes, complete: bool) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sniffed part is still text.
        return not complete and error.start >= len(head) - 3
    return True


def detect_type(upload) -> DocumentType | None:
    """The accepted type of the file's content, or None."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    if _is_text(head, complete=len(head) < SNIFF_BYTES):
        # Markup would be rendered by a browser that ignores the download headers: refused.
        if head.lstrip()[:1] == b"<":
            return None
        return TEXT
    return None


def max_upload_size() -> int:
    return settings.DOCUMENT_MAX_UPLOAD_SIZE


def size_message(limit: int) -> str:
    return _("A document may be at most %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"}


def check_upload(upload) -> DocumentType:
    """Raise ValidationError on `file` unless the upload is small enough and of an accepted
    type; on success the upload is renamed with the extension of its type."""
    limit = max_upload_size()
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": [size_message(limit)]}, code="too_large")
    if not upload.size:
        raise ValidationError({"file": [_("The file is empty.")]}, code="empty")
    kind = detect_type(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "This type of file is not accepted (checked by its content, not its "
                        "name). Upload one of: %(types)s."
                    )
                    % {"types": accepted_labels()}
                ]
            },
            code="type",
        )
    upload.name = f"document.{kind.extension}"
    return kind


class StoredFileMismatch(Exception):
    """The stored file is not the one uploaded: its size or sha256 differ from the record."""


def verify_stored_file(document) -> None:
    """Read the stored file through and compare it with the size and sha256 recorded at upload.

    Raises StoredFileMismatch when they differ or the file is missing."""
    digest = hashlib.sha256()
    size = 0
    try:
        with document.file.open("rb") as stored:
            for chunk in stored.chunks():
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, OSError) as error:
        raise StoredFileMismatch(f"the stored file cannot be read: {error}") from error
    finally:
        document.file.close()
    if size != document.size or digest.hexdigest() != document.sha256:
        raise StoredFileMismatch(
            f"stored file has {size} bytes, sha256 {digest.hexdigest()}; "
            f"recorded {document.size} bytes, sha256 {document.sha256}"
        )
