"""Import memoranda from CSV or XLSX in the export's columns (SPEC section 5).

All or nothing: every row is checked (each in a savepoint, so one bad row does not hide the
next), and unless every row is good, or when it is a dry run, the whole import rolls back.
Idempotent on reference: a row that says what the registry already says changes nothing.
"""

import csv
import datetime
import io
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django_countries import countries
from openpyxl import load_workbook

from partners.matching import InstitutionMatcher
from partners.models import Institution, Person
from partners.names import normalise
from partners.services import institution_create, person_create
from registry.history import acting_as

from .exports import COLUMNS, FORMULA_TRIGGERS
from .models import CooperationArea, Memorandum
from .services import memorandum_create, memorandum_update

REQUIRED_COLUMNS = {"title", "parties"}
OPTIONAL_COLUMNS = {"supersedes"}
# Derived, never read back: the status, the time of the last change, the terms' fingerprint.
IGNORED_COLUMNS = {"status", "updated_at", "fingerprint"}
SIGNATORY = re.compile(r"^(?P<name>.+?)\s*\((?P<institution>[^()]+)\)$")
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class Problem:
    line: int
    column: str
    message: str

    def __str__(self):
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    institutions_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        counts = (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.institutions_created)} new institutions"
        )
        if self.written:
            return f"Imported: {counts}."
        reason = f"{len(self.problems)} problems" if self.problems else "a dry run"
        return f"Nothing was written ({reason}). The file would give: {counts}."


def read_rows(file, file_format: str) -> Iterator[tuple[int, dict]]:
    """(line number, {column: text}) for each data row, read as a stream."""
    if file_format == "xlsx":
        workbook = load_workbook(file, read_only=True, data_only=True)
        rows = workbook.active.iter_rows(values_only=True)
        header = [str(cell or "").strip() for cell in next(rows, ())]
        for line, values in enumerate(rows, start=2):
            if any(value not in (None, "") for value in values):
                yield line, dict(zip(header, (_cell(value) for value in values), strict=False))
        workbook.close()
        return
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    for row in reader:
        if any((value or "").strip() for value in row.values() if isinstance(value, str)):
            yield reader.line_num, {key: (value or "") for key, value in row.items() if key}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_header(header: Iterable[str]) -> None:
    missing = REQUIRED_COLUMNS - set(header)
    unknown = set(header) - set(COLUMNS) - OPTIONAL_COLUMNS
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(sorted(missing))}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(sorted(unknown))}")
        raise ValidationError(
            f"The file's header does not match the export's columns ({'; '.join(parts)}). "
            f"Expected: {', '.join(COLUMNS)}."
        )


class RowReader:
    """Turns one row's text into the arguments of `memorandum_create`, naming each problem."""

    def __init__(self, matcher: InstitutionMatcher, report: ImportReport, actor):
        self.matcher = matcher
        self.report = report
        self.actor = actor
        self.created_in_row: list[tuple[Institution, str]] = []
        self.areas = {area.code: area for area in CooperationArea.objects.all()}

    def text(self, row: dict, column: str) -> str:
        value = (row.get(column) or "").strip()
        # Undo the export's guard against spreadsheet formulas.
        if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
            value = value[1:]
        return value

    def items(self, row: dict, column: str) -> list[str]:
        return [item.strip() for item in self.text(row, column).split(";") if item.strip()]

    def choice(self, row, column, choices, default) -> str:
        value = self.text(row, column) or default
        if value not in dict(choices):
            allowed = ", ".join(dict(choices))
            raise RowError(column, f"unknown {column} “{value}”: use one of {allowed}")
        return value

    def date(self, row, column) -> datetime.date | None:
        value = self.text(row, column)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise RowError(column, f"“{value}” is not a date: write it as YYYY-MM-DD") from None

    def boolean(self, row, column) -> bool:
        value = self.text(row, column).lower()
        if value in TRUE | FALSE:
            return value in TRUE
        raise RowError(column, f"“{value}” is not true or false")

    def parties(self, row) -> list[Institution]:
        labels = self.items(row, "parties")
        codes = [code.upper() for code in self.items(row, "party_countries")]
        if codes and len(codes) != len(labels):
            raise RowError(
                "party_countries",
                f"{len(codes)} countries for {len(labels)} parties: give one per party, in order",
            )
        institutions = []
        for index, label in enumerate(labels):
            country = codes[index] if codes else None
            if country and country not in dict(countries):
                raise RowError("party_countries", f"unknown country “{country}”")
            institutions.append(self.institution(label, country))
        return institutions

    def institution(self, label: str, country: str | None) -> Institution:
        matches = self.matcher.exact(label, country)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = "; ".join(f"{m.name} ({m.country.code}, id {m.pk})" for m in matches)
            raise RowError(
                "parties", f"“{label}” names several institutions ({names}): use a ROR id"
            )
        near = self.matcher.near(label, country)
        if near:
            raise RowError(
                "parties",
                f"“{label}” is not in the registry but looks like {near[0]}: write that "
                "institution's exact name, acronym or ROR id, or add “"
                f"{label}” to its aliases (or, if it is a different institution, create it "
                "first)",
            )
        if not country:
            raise RowError(
                "party_countries",
                f"“{label}” is a new institution: give its country in party_countries",
            )
        try:
            institution = institution_create(actor=self.actor, name=label, country=country)
        except ValidationError as error:
            raise RowError("parties", f"“{label}”: {' '.join(error.messages)}") from None
        self.matcher.add(institution)
        self.created_in_row.append((institution, f"{label} ({country})"))
        return institution

    def signatories(self, row, parties: list[Institution]) -> list[dict]:
        signatories = []
        for item in self.items(row, "signatories"):
            match = SIGNATORY.match(item)
            if not match:
                raise RowError("signatories", f"“{item}” should read “Full Name (Institution)”")
            institution = next(
                (
                    party
                    for party in parties
                    if normalise(match["institution"])
                    in {normalise(party.label), normalise(party.name)}
                ),
                None,
            )
            if institution is None:
                raise RowError(
                    "signatories",
                    f"{match['name']} signs for “{match['institution']}”, which is not a party "
                    "of this memorandum",
                )
            person = Person.objects.filter(
                institution=institution, full_name__iexact=match["name"]
            ).first() or person_create(
                actor=self.actor, institution=institution, full_name=match["name"]
            )
            signatories.append({"person": person, "institution": institution})
        return signatories

    def arguments(self, row: dict) -> dict:
        """Every problem of the row's own cells is raised before anything is written."""
        title = self.text(row, "title")
        if not title:
            raise RowError("title", "a memorandum needs a title")
        codes = self.items(row, "cooperation_areas")
        unknown = [code for code in codes if code not in self.areas]
        if unknown:
            raise RowError(
                "cooperation_areas",
                f"unknown area code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                f"known codes are {', '.join(sorted(self.areas))}",
            )
        sdgs = []
        for item in self.items(row, "sdgs"):
            if not item.isdigit() or not 1 <= int(item) <= 17:
                raise RowError("sdgs", f"“{item}” is not an SDG: they are numbered 1 to 17")
            sdgs.append(int(item))
        arguments = {
            "reference": self.text(row, "reference"),
            "title": title,
            "kind": self.choice(row, "kind", Memorandum.Kind.choices, "mou"),
            "stage": self.choice(row, "stage", Memorandum.Stage.choices, "draft"),
            "visibility": self.choice(row, "visibility", Memorandum.Visibility.choices, "internal"),
            "signed_on": self.date(row, "signed_on"),
            "effective_from": self.date(row, "effective_from"),
            "expires_on": self.date(row, "expires_on"),
            "auto_renew": self.boolean(row, "auto_renew"),
            "source_url": self.text(row, "source_url"),
            "cooperation_areas": [self.areas[code] for code in codes],
            "sdgs": sdgs,
            "tags": self.items(row, "tags"),
        }
        parties = self.parties(row)
        arguments["parties"] = [{"institution": institution} for institution in parties]
        arguments["signatories"] = self.signatories(row, parties)
        return arguments


def _unchanged(memorandum: Memorandum, arguments: dict) -> bool:
    """Whether the row says exactly what the registry holds, so importing it changes nothing."""
    own = {
        name: getattr(memorandum, name)
        for name in arguments
        if name not in {"parties", "signatories", "cooperation_areas", "sdgs", "tags"}
    }
    if "supersedes" in own:
        own["supersedes"] = memorandum.supersedes_id
        wanted_supersedes = arguments["supersedes"]
        arguments = {**arguments, "supersedes": wanted_supersedes.pk if wanted_supersedes else None}
    wanted = {name: value for name, value in arguments.items() if name in own}
    if wanted.get("effective_from") is None and wanted.get("signed_on"):
        wanted["effective_from"] = wanted["signed_on"]
    return (
        own == wanted
        and [p.institution_id for p in memorandum.parties.all()]
        == [p["institution"].pk for p in arguments["parties"]]
        and sorted((s.person_id, s.institution_id) for s in memorandum.signatories.all())
        == sorted((s["person"].pk, s["institution"].pk) for s in arguments["signatories"])
        and {a.code for a in memorandum.cooperation_areas.all()}
        == {a.code for a in arguments["cooperation_areas"]}
        and {s.number for s in memorandum.sdgs.all()} == set(arguments["sdgs"])
        and {t.name for t in memorandum.tags.all()} == set(arguments["tags"])
    )


SERVICE_FIELDS_TO_COLUMNS = {"__all__": "row"}


def memoranda_import(
    *,
    rows: Iterable[tuple[int, dict]],
    actor,
    dry_run: bool = False,
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import every row or none; `report.problems` lists each bad row's line, column, message."""
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic(), acting_as(actor):
        reader = RowReader(InstitutionMatcher.load(), report, actor)
        header_checked = False
        # Rows that supersede a memorandum further down the file, linked once all are in.
        later_links: list[tuple[int, str, str]] = []
        for line, row in rows:
            if not header_checked:
                check_header(row)
                header_checked = True
            _import_row(reader, line, row, actor, report, later_links)
            if progress:
                progress()
        for line, reference, earlier in later_links:
            _link(line, reference, earlier, actor, report)
        if not report.written:
            transaction.set_rollback(True)
    return report


def _import_row(reader, line: int, row: dict, actor, report: ImportReport, later_links) -> None:
    reader.created_in_row = []
    try:
        with transaction.atomic():
            arguments = reader.arguments(row)
            reference = arguments["reference"]
            earlier = reader.text(row, "supersedes")
            if "supersedes" in row:
                arguments["supersedes"] = (
                    Memorandum.objects.filter(reference=earlier).first() if earlier else None
                )
            existing = (
                Memorandum.objects.prefetch_related(
                    "parties", "signatories", "cooperation_areas", "sdgs", "tags"
                )
                .filter(reference=reference)
                .first()
                if reference
                else None
            )
            if earlier and arguments.get("supersedes") is None:
                later_links.append((line, reference, earlier))
                arguments.pop("supersedes")
            if existing is None:
                created = memorandum_create(actor=actor, **arguments)
                report.created.append(created.reference)
            elif _unchanged(existing, arguments):
                report.unchanged.append(reference)
            else:
                arguments.pop("reference")
                memorandum_update(memorandum=existing, actor=actor, **arguments)
                report.updated.append(reference)
    except RowError as error:
        report.problems.append(Problem(line, error.column, error.message))
    except ValidationError as error:
        _report_invalid(line, error, report)
    else:
        report.institutions_created += [label for _, label in reader.created_in_row]
        return
    # The row's savepoint rolled back the institutions it created: the matcher forgets them.
    for institution, _ in reader.created_in_row:
        reader.matcher.forget(institution)


def _link(line: int, reference: str, earlier: str, actor, report: ImportReport) -> None:
    memorandum = Memorandum.objects.filter(reference=reference).first()
    target = Memorandum.objects.filter(reference=earlier).first()
    if memorandum is None:
        return  # the row itself failed and is reported already
    if target is None:
        report.problems.append(
            Problem(line, "supersedes", f"no memorandum “{earlier}” in the registry or the file")
        )
        return
    if memorandum.supersedes_id == target.pk:
        return
    try:
        with transaction.atomic():
            memorandum_update(memorandum=memorandum, actor=actor, supersedes=target)
    except ValidationError as error:
        _report_invalid(line, error, report)


def _report_invalid(line: int, error: ValidationError, report: ImportReport) -> None:
    for name, messages in error.message_dict.items():
        column = SERVICE_FIELDS_TO_COLUMNS.get(name, name)
        report.problems.extend(Problem(line, column, message) for message in messages)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV (UTF-8) or XLSX file with the export's columns.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise ValidationError("Choose a .csv or .xlsx file.")
        return upload


@dataclass
class PendingUpload:
    """A file uploaded for preview, kept in the file storage until it is confirmed."""

    token: str
    name: str
    file_format: str

    def open(self):
        return default_storage.open(self.name, "rb")

    def discard(self) -> None:
        default_storage.delete(self.name)


SESSION_KEY = "pending_imports"


def keep_upload(request, uploaded) -> PendingUpload:
    token = secrets.token_urlsafe(16)
    file_format = PurePath(uploaded.name).suffix.lower().lstrip(".")
    name = default_storage.save(f"imports/{token}.{file_format}", uploaded)
    request.session.setdefault(SESSION_KEY, {})[token] = [name, file_format]
    request.session.modified = True
    return PendingUpload(token, name, file_format)


def pending_import(request, token: str) -> PendingUpload | None:
    """The upload this user previewed under `token`; each confirms once."""
    kept = request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    if kept is None or not default_storage.exists(kept[0]):
        return None
    return PendingUpload(token, *kept)
