"""Import memoranda from CSV or XLSX in the export's columns.

All or nothing: every row is checked, each bad row reported with every problem, and unless
every row is good, or when it is a dry run, the whole import rolls back. Idempotent on
reference: a row that says what the registry already says changes nothing.

This module reads the file, matches its names to institutions and people, and reports the
problems row by row; the services write (`memoranda_bulk_create`, `memoranda_bulk_update`),
in bulk, so that files of thousands of rows import in seconds.
"""

import csv
import datetime
import io
import re
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries
from openpyxl import load_workbook

from agreements.columns import COLUMNS, FORMULA_TRIGGERS
from agreements.models import CooperationArea, Memorandum
from agreements.services import BulkRefused, memoranda_bulk_create, memoranda_bulk_update
from partners.home import home_institution
from partners.matching import InstitutionMatcher
from partners.models import Institution, OrganisationalUnit, Person
from partners.names import normalise
from partners.services import institution_create, organisational_unit_create
from registry.characters import control_character_in, control_character_message
from registry.iteration import chunks

REQUIRED_COLUMNS = {"title", "parties"}
OPTIONAL_COLUMNS = {"supersedes", "owner_unit"}
SIGNATORY = re.compile(r"^(?P<name>.+?)\s*\((?P<institution>[^()]+)\)$")
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}
# The values each column of choices accepts, in the order the problem lists them.
CHOICES = {
    "kind": Memorandum.Kind.values,
    "stage": Memorandum.Stage.values,
    "visibility": Memorandum.Visibility.values,
}
# A memorandum's parts and relations: passed, written and compared apart from its own fields.
PARTS = ("parties", "signatories", "cooperation_areas", "sdgs", "tags")
# Values per IN (...): within SQLite's limit of parameters.
CHUNK = 500
MEGABYTE = 1024 * 1024


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
        counts = _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(institutions)d new institutions"
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "institutions": len(self.institutions_created),
        }
        if self.written:
            return _("Imported: %(counts)s.") % {"counts": counts}
        reason = (
            ngettext("%(count)d problem", "%(count)d problems", len(self.problems))
            % {"count": len(self.problems)}
            if self.problems
            else _("a dry run")
        )
        return _("Nothing was written (%(reason)s). The file would give: %(counts)s.") % {
            "reason": reason,
            "counts": counts,
        }


def megabytes(size: int) -> str:
    value = size / MEGABYTE
    return f"{value:,.1f} MB" if value < 10 else f"{value:,.0f} MB"


def check_file_size(size: int) -> None:
    limit = settings.IMPORT_MAX_FILE_SIZE
    if size > limit:
        raise ValidationError(
            _(
                "The file is %(size)s; the limit is %(limit)s (IMPORT_MAX_FILE_MB). "
                "Split it into smaller files."
            )
            % {"size": megabytes(size), "limit": megabytes(limit)}
        )


def check_xlsx_archive(file) -> None:
    """Refuse a workbook that would unpack too large, from its ZIP directory alone, before
    openpyxl reads any of it. The sizes the directory declares bound what is read: Python's
    zipfile stops at a member's declared size (and then fails its checksum)."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise ValidationError(
            _("The file is not an XLSX workbook (it is not a ZIP archive).")
        ) from None
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > settings.IMPORT_MAX_UNPACKED_SIZE:
        raise ValidationError(
            _("The file unpacks to %(size)s; the limit is %(limit)s (IMPORT_MAX_UNPACKED_MB).")
            % {"size": megabytes(unpacked), "limit": megabytes(settings.IMPORT_MAX_UNPACKED_SIZE)}
        )
    ratio = unpacked / max(packed, 1)
    if ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
        raise ValidationError(
            _(
                "The file unpacks to %(ratio)s times its packed size; the limit is %(limit)s "
                "times (IMPORT_MAX_COMPRESSION_RATIO)."
            )
            % {"ratio": f"{ratio:,.0f}", "limit": settings.IMPORT_MAX_COMPRESSION_RATIO}
        )
    file.seek(0)


def read_rows(file, file_format: str) -> Iterator[tuple[int, dict]]:
    """(line number, {column: text}) for each data row, read as a stream, within the limits
    of the settings: the file's size, an XLSX's unpacked size and compression ratio (checked
    before it is opened) and the number of rows; a file that breaks one is refused whole, as
    is one that cannot be read as CSV (UTF-8) or XLSX."""
    most_rows = settings.IMPORT_MAX_ROWS
    file.seek(0, io.SEEK_END)
    check_file_size(file.tell())
    file.seek(0)
    if file_format == "xlsx":
        check_xlsx_archive(file)
        rows = _xlsx_rows(file)
    else:
        rows = _csv_rows(file)
    for count, (line, row) in enumerate(rows, start=1):
        if count > most_rows:
            raise ValidationError(
                _(
                    "The file has more than %(rows)s rows; the limit is %(rows)s "
                    "(IMPORT_MAX_ROWS). Split it into smaller files."
                )
                % {"rows": f"{most_rows:,}"}
            )
        yield line, row


def _xlsx_rows(file) -> Iterator[tuple[int, dict]]:
    line = 1
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        rows = workbook.active.iter_rows(values_only=True)
        header = [str(cell or "").strip() for cell in next(rows, ())]
        for line, values in enumerate(rows, start=2):
            if any(value not in (None, "") for value in values):
                yield line, dict(zip(header, (_cell(value) for value in values), strict=False))
        workbook.close()
    # openpyxl has no error of its own for a damaged workbook: whatever reading it raises is
    # the file's fault, reported with the line it got to.
    except Exception as error:
        raise ValidationError(
            _("Line %(line)d: the file cannot be read as an XLSX workbook (%(error)s).")
            % {"line": line, "error": error}
        ) from None


def _csv_rows(file) -> Iterator[tuple[int, dict]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        for row in reader:
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                yield reader.line_num, {key: (value or "") for key, value in row.items() if key}
    except UnicodeDecodeError:
        raise ValidationError(
            _("Line %(line)d: the file is not UTF-8 text; save it as CSV UTF-8.")
            % {"line": reader.line_num + 1}
        ) from None
    except csv.Error as error:
        raise ValidationError(
            _("Line %(line)d: the file cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None


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
            parts.append(
                _("missing columns: %(columns)s") % {"columns": ", ".join(sorted(missing))}
            )
        if unknown:
            parts.append(
                _("unknown columns: %(columns)s") % {"columns": ", ".join(sorted(unknown))}
            )
        raise ValidationError(
            _(
                "The file's header does not match the export's columns (%(problems)s). "
                "Expected: %(columns)s."
            )
            % {"problems": "; ".join(parts), "columns": ", ".join(COLUMNS)}
        )


class RowReader:
    """Turns one row's text into the arguments of `memorandum_create`, naming each problem.

    Institutions the file names for the first time are created here (`institution_create`),
    so that later rows find them; signatories are only named here (`ImportRow.signers`): their
    people are looked up for the whole file at once (`People`).
    """

    def __init__(self, matcher: InstitutionMatcher, actor):
        self.matcher = matcher
        self.actor = actor
        self.cell_chars = settings.IMPORT_MAX_CELL_CHARS
        self.institutions_created: list[str] = []
        self.areas = {area.code: area for area in CooperationArea.objects.all()}
        self.home = home_institution()
        self.units = units_by_label(self.home)
        self.country_codes = set(dict(countries))

    def text(self, row: dict, column: str) -> str:
        value = (row.get(column) or "").strip()
        # Undo the export's guard against spreadsheet formulas.
        if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
            value = value[1:]
        return value

    def items(self, row: dict, column: str) -> list[str]:
        return [item.strip() for item in self.text(row, column).split(";") if item.strip()]

    def choice(self, row, column, default) -> str:
        value = self.text(row, column) or default
        if value not in CHOICES[column]:
            allowed = ", ".join(CHOICES[column])
            raise RowError(
                column,
                _("unknown %(column)s “%(value)s”: use one of %(allowed)s")
                % {"column": column, "value": value, "allowed": allowed},
            )
        return value

    def date(self, row, column) -> datetime.date | None:
        value = self.text(row, column)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise RowError(
                column, _("“%(value)s” is not a date: write it as YYYY-MM-DD") % {"value": value}
            ) from None

    def boolean(self, row, column) -> bool:
        value = self.text(row, column).lower()
        if value in TRUE | FALSE:
            return value in TRUE
        raise RowError(column, _("“%(value)s” is not true or false") % {"value": value})

    def owner_unit(self, row, parties: list[Institution]) -> OrganisationalUnit | None:
        """Our unit the cell names, by name or short name. One new to the registry is made
        under our institution (REGISTRY_HOME_INSTITUTION; unset, the row's first party), as a
        new party's institution is, so that an export imports back whole."""
        label = self.text(row, "owner_unit")
        if not label:
            return None
        found = self.units.get(label.casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            names = "; ".join(f"{unit.name} (id {unit.pk})" for unit in found)
            raise RowError("owner_unit", f"“{label}” names several units ({names})")
        institution = self.home or (parties[0] if parties else None)
        if institution is None:
            raise RowError("owner_unit", f"no unit is named “{label}” and no party to own it")
        try:
            unit = organisational_unit_create(
                actor=self.actor, institution=institution, name=label, kind="other"
            )
        except ValidationError as error:
            raise RowError("owner_unit", "; ".join(error.messages)) from None
        self.units[label.casefold()] = [unit]
        return unit

    def parties(self, row) -> list[Institution]:
        labels = self.items(row, "parties")
        codes = [code.upper() for code in self.items(row, "party_countries")]
        if codes and len(codes) != len(labels):
            raise RowError(
                "party_countries",
                _("%(countries)d countries for %(parties)d parties: give one per party, in order")
                % {"countries": len(codes), "parties": len(labels)},
            )
        institutions = []
        for index, label in enumerate(labels):
            country = codes[index] if codes else None
            if country and country not in self.country_codes:
                raise RowError(
                    "party_countries", _("unknown country “%(country)s”") % {"country": country}
                )
            institutions.append(self.institution(label, country))
        return institutions

    def institution(self, label: str, country: str | None) -> Institution:
        matches = self.matcher.exact(label, country)
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = "; ".join(f"{m.name} ({m.country.code}, id {m.pk})" for m in matches)
            raise RowError(
                "parties",
                _("“%(label)s” names several institutions (%(names)s): use a ROR id")
                % {"label": label, "names": names},
            )
        near = self.matcher.near(label, country)
        if near:
            raise RowError(
                "parties",
                _(
                    "“%(label)s” is not in the registry but looks like %(near)s: write that "
                    "institution's exact name, acronym or ROR id, or add “%(label)s” to its "
                    "aliases (or, if it is a different institution, create it first)"
                )
                % {"label": label, "near": near[0]},
            )
        if not country:
            raise RowError(
                "party_countries",
                _("“%(label)s” is a new institution: give its country in party_countries")
                % {"label": label},
            )
        try:
            institution = institution_create(actor=self.actor, name=label, country=country)
        except ValidationError as error:
            raise RowError("parties", f"“{label}”: {' '.join(error.messages)}") from None
        self.matcher.add(institution)
        self.institutions_created.append(f"{label} ({country})")
        return institution

    def signers(self, row, parties: list[Institution]) -> list[tuple[str, Institution]]:
        """(full name, the party signed for) of each signatory."""
        signers = []
        for item in self.items(row, "signatories"):
            match = SIGNATORY.match(item)
            if not match:
                raise RowError(
                    "signatories",
                    _("“%(item)s” should read “Full Name (Institution)”") % {"item": item},
                )
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
                    _(
                        "%(name)s signs for “%(institution)s”, which is not a party of this "
                        "memorandum"
                    )
                    % {"name": match["name"], "institution": match["institution"]},
                )
            signers.append((match["name"], institution))
        return signers

    def check_cells(self, row: dict) -> None:
        """Each cell within the length limit and free of control characters."""
        for column, value in row.items():
            if len(value) > self.cell_chars:
                raise RowError(
                    column,
                    _(
                        "the cell holds %(length)s characters; the limit is %(limit)s "
                        "(IMPORT_MAX_CELL_CHARS)"
                    )
                    % {"length": f"{len(value):,}", "limit": f"{self.cell_chars:,}"},
                )
            if character := control_character_in(value):
                raise RowError(column, control_character_message(character))

    def read(self, line: int, row: dict) -> "ImportRow":
        """The row, or the first problem of its own cells."""
        self.check_cells(row)
        title = self.text(row, "title")
        if not title:
            raise RowError("title", _("a memorandum needs a title"))
        codes = self.items(row, "cooperation_areas")
        unknown = [code for code in codes if code not in self.areas]
        if unknown:
            raise RowError(
                "cooperation_areas",
                ngettext(
                    "unknown area code %(codes)s: known codes are %(known)s",
                    "unknown area codes %(codes)s: known codes are %(known)s",
                    len(unknown),
                )
                % {"codes": ", ".join(unknown), "known": ", ".join(sorted(self.areas))},
            )
        sdgs = []
        for item in self.items(row, "sdgs"):
            if not item.isdigit() or not 1 <= int(item) <= 17:
                raise RowError(
                    "sdgs",
                    _("“%(item)s” is not an SDG: they are numbered 1 to 17") % {"item": item},
                )
            sdgs.append(int(item))
        arguments = {
            "reference": self.text(row, "reference"),
            "title": title,
            "kind": self.choice(row, "kind", "mou"),
            "stage": self.choice(row, "stage", "draft"),
            "visibility": self.choice(row, "visibility", "internal"),
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
        if "owner_unit" in row:
            arguments["owner_unit"] = self.owner_unit(row, parties)
        return ImportRow(
            line=line,
            arguments=arguments,
            signers=self.signers(row, parties),
            supersedes=self.text(row, "supersedes") if "supersedes" in row else None,
        )


def units_by_label(home: Institution | None) -> dict[str, list[OrganisationalUnit]]:
    """Our units (the home institution's; every unit when none is set) by their names and
    short names, case-insensitively."""
    units = OrganisationalUnit.objects.all()
    if home is not None:
        units = units.filter(institution=home)
    found: dict[str, list[OrganisationalUnit]] = {}
    for unit in units:
        for label in {unit.name.casefold(), unit.short_name.casefold()} - {""}:
            found.setdefault(label, []).append(unit)
    return found


@dataclass
class ImportRow:
    """A row whose cells read without problems, on its way into the registry."""

    line: int
    # `memorandum_create`'s keyword arguments; "signatories" is added once people are found.
    arguments: dict[str, Any]
    signers: list[tuple[str, Institution]]
    # The reference of the memorandum this one supersedes: "" for none, None when the file has
    # no supersedes column (an existing memorandum's link is then left as it is).
    supersedes: str | None

    @property
    def reference(self) -> str:
        return self.arguments["reference"]


class People:
    """The people who sign, found as `Person.objects.filter(institution=...,
    full_name__iexact=...).first()` finds them, in one query for the whole file. One not in
    the registry is a new Person, one per name and institution, which the services check and
    save."""

    def __init__(self, signers: Iterable[tuple[str, Institution]]):
        self.found: dict[tuple[int, str], Person] = {}
        institution_ids = sorted({institution.pk for _, institution in signers})
        # A chunk holds each institution's people whole, so the first of several stays first.
        for chunk in chunks(institution_ids, CHUNK):
            people = Person.objects.filter(institution_id__in=chunk)
            for person in people.order_by(*Person._meta.ordering):
                self.found.setdefault((person.institution_id, person.full_name.lower()), person)

    def get(self, name: str, institution: Institution) -> Person:
        key = (institution.pk, name.lower())
        if key not in self.found:
            self.found[key] = Person(institution=institution, full_name=name)
        return self.found[key]


def memoranda_by_reference(references: Iterable[str]) -> dict[str, Memorandum]:
    """The memoranda with these references, with the parts `_unchanged` compares."""
    found = {}
    for chunk in chunks(sorted(set(references) - {""}), CHUNK):
        memoranda = Memorandum.objects.prefetch_related(*PARTS)
        found |= {m.reference: m for m in memoranda.filter(reference__in=chunk)}
    return found


def _unchanged(memorandum: Memorandum, arguments: dict) -> bool:
    """Whether the row says exactly what the registry holds, so importing it changes nothing."""
    own = {name: getattr(memorandum, name) for name in arguments if name not in PARTS}
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


@transaction.atomic
def memoranda_import(
    *,
    rows: Iterable[tuple[int, dict]],
    actor,
    dry_run: bool = False,
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import every row or none; `report.problems` lists each bad row's line, column, message.

    Every row is read and checked against lookups loaded once for the whole file. The rows
    that make new memoranda go to `memoranda_bulk_create` together, then those naming a
    memorandum already in the registry (or made by an earlier row) that they change go to
    `memoranda_bulk_update`. Good rows are written even when others are bad, so that the
    problems met in writing are reported too; all of it rolls back unless every row is good
    and it is not a dry run.
    """
    report = ImportReport(dry_run=dry_run)
    run = _ImportRun(actor=actor, report=report)
    run.read(rows, progress)
    run.check()
    run.create()
    run.update()
    report.problems.sort(key=lambda problem: problem.line)
    if not report.written:
        transaction.set_rollback(True)
    return report


class _ImportRun:
    """One import's rows and what it has found and made of them, phase by phase."""

    def __init__(self, *, actor, report: ImportReport):
        self.actor = actor
        self.report = report
        self.rows: list[ImportRow] = []
        self.creates: list[ImportRow] = []
        # Rows naming a memorandum in the registry or made by an earlier row, in file order.
        self.updates: list[ImportRow] = []
        self.existing: dict[str, Memorandum] = {}
        # What a supersedes column can name: memoranda in the registry, then the new ones too.
        self.by_reference: dict[str, Memorandum] = {}

    def problem(self, line: int, error: RowError | ValidationError) -> None:
        if isinstance(error, RowError):
            self.report.problems.append(Problem(line, error.column, error.message))
            return
        for name, messages in error.message_dict.items():
            column = SERVICE_FIELDS_TO_COLUMNS.get(name, name)
            self.report.problems.extend(Problem(line, column, message) for message in messages)

    def read(self, rows: Iterable[tuple[int, dict]], progress: Callable[[], None] | None) -> None:
        reader = RowReader(InstitutionMatcher.load(), self.actor)
        for index, (line, row) in enumerate(rows):
            if index == 0:
                check_header(row)
            try:
                self.rows.append(reader.read(line, row))
            except RowError as error:
                self.problem(line, error)
            if progress:
                progress()
        self.report.institutions_created = reader.institutions_created

    def check(self) -> None:
        """Find the signatories' people, and sort the rows into creates and updates."""
        self.existing = memoranda_by_reference(
            [row.reference for row in self.rows] + [row.supersedes or "" for row in self.rows]
        )
        self.by_reference = dict(self.existing)
        people = People(signer for row in self.rows for signer in row.signers)
        known = set(self.existing)
        for row in self.rows:
            row.arguments["signatories"] = [
                {"person": people.get(name, institution), "institution": institution}
                for name, institution in row.signers
            ]
            if row.reference in known:
                self.updates.append(row)
            else:
                self.creates.append(row)
                if row.reference:
                    known.add(row.reference)

    def create(self) -> None:
        """The new memoranda, together. When the service refuses some rows, the others go in
        again without them, so that the report counts what the file would give and the rows
        further on meet the memoranda they name."""
        rows = self.creates
        while rows:
            rows = self.linked(rows)
            try:
                memoranda = memoranda_bulk_create(
                    memoranda=[row.arguments for row in rows], actor=self.actor
                )
            except BulkRefused as refused:
                for index, error in refused.errors.items():
                    self.problem(rows[index].line, error)
                rows = [row for index, row in enumerate(rows) if index not in refused.errors]
                continue
            self.report.created = [memorandum.reference for memorandum in memoranda]
            self.by_reference |= {memorandum.reference: memorandum for memorandum in memoranda}
            return

    def linked(self, rows: list[ImportRow]) -> list[ImportRow]:
        """The rows whose supersedes column names a memorandum in the registry or made by one
        of `rows` (by its reference, as `memoranda_bulk_create` takes it), or none; each other
        row is reported."""
        while True:
            references = {row.reference for row in rows if row.reference}
            kept = []
            for row in rows:
                target = row.supersedes
                if target and target not in self.existing and target not in references:
                    self.problem(row.line, self.nowhere(target))
                else:
                    kept.append(row)
            if len(kept) == len(rows):
                break
            rows = kept
        for row in rows:
            if row.supersedes:
                row.arguments["supersedes"] = self.existing.get(row.supersedes, row.supersedes)
        return rows

    @staticmethod
    def nowhere(reference: str) -> RowError:
        return RowError(
            "supersedes",
            _("no memorandum “%(reference)s” in the registry or the file")
            % {"reference": reference},
        )

    def update(self) -> None:
        """The rows naming a memorandum already there, in file order: a memorandum that
        several rows name changes once per pass."""
        rows = self.updates
        # Memoranda as `check` loaded them, until a pass changes them.
        as_loaded = self.existing
        while rows:
            this_pass, later, named = [], [], set()
            for row in rows:
                (later if row.reference in named else this_pass).append(row)
                named.add(row.reference)
            self.update_pass(this_pass, as_loaded)
            as_loaded = {}
            rows = later

    def update_pass(self, rows: list[ImportRow], as_loaded: dict[str, Memorandum]) -> None:
        """Each row unchanged, or its change made by `memoranda_bulk_update` with the others."""
        references = [row.reference for row in rows]
        loaded = {
            reference: as_loaded[reference] for reference in references if reference in as_loaded
        }
        loaded |= memoranda_by_reference(set(references) - set(loaded))
        changes, changing = [], []
        for row in rows:
            memorandum = loaded.get(row.reference)
            if memorandum is None:
                self.problem(
                    row.line,
                    RowError(
                        "reference",
                        _("the row that makes “%(reference)s” has problems")
                        % {"reference": row.reference},
                    ),
                )
                continue
            arguments = dict(row.arguments)
            if row.supersedes is not None:
                if row.supersedes and row.supersedes not in self.by_reference:
                    self.problem(row.line, self.nowhere(row.supersedes))
                    continue
                arguments["supersedes"] = self.by_reference.get(row.supersedes)
            if _unchanged(memorandum, arguments):
                self.report.unchanged.append(row.reference)
                continue
            del arguments["reference"]
            changes.append((memorandum, arguments))
            changing.append(row)
        if not changes:
            return
        try:
            memoranda_bulk_update(changes=changes, actor=self.actor)
        except BulkRefused as refused:
            for index, error in refused.errors.items():
                self.problem(changing[index].line, error)
            changing = [row for index, row in enumerate(changing) if index not in refused.errors]
        self.report.updated += [row.reference for row in changing]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A CSV (UTF-8) or XLSX file with the export's columns."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise ValidationError(_("Choose a .csv or .xlsx file."))
        check_file_size(upload.size)
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


def store_upload(uploaded) -> PendingUpload:
    """The uploaded file, kept in the file storage for a preview or a background job."""
    token = secrets.token_urlsafe(16)
    file_format = PurePath(uploaded.name).suffix.lower().lstrip(".")
    name = default_storage.save(f"imports/{token}.{file_format}", uploaded)
    return PendingUpload(token, name, file_format)


def keep_upload(request, upload: PendingUpload) -> PendingUpload:
    """The stored upload, waiting for this user to confirm its preview."""
    request.session.setdefault(SESSION_KEY, {})[upload.token] = [upload.name, upload.file_format]
    request.session.modified = True
    return upload


def pending_import(request, token: str) -> PendingUpload | None:
    """The upload this user previewed under `token`; each confirms once."""
    kept = request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    if kept is None or not default_storage.exists(kept[0]):
        return None
    return PendingUpload(token, *kept)
