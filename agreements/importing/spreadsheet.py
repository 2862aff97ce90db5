"""Import memoranda from CSV or XLSX in the export's columns (SPEC section 5).

All or nothing: every row is checked, each bad row reported with every problem, and unless
every row is good, or when it is a dry run, the whole import rolls back. Idempotent on
reference: a row that says what the registry already says changes nothing.

Fast enough for files of thousands of rows (issue 9): rows are checked against lookups loaded
once for the whole file, and new memoranda are written in bulk, with the parts and history
that `memorandum_create` would write for each (`memoranda_import`).
"""

import csv
import datetime
import functools
import io
import operator
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_countries import countries
from openpyxl import load_workbook

from agreements.columns import COLUMNS, FORMULA_TRIGGERS
from agreements.models import MEMORANDUM_HISTORY, CooperationArea, Memorandum, Party, Signatory
from agreements.services import memorandum_update, references_generate, sdg_numbers, validate_terms
from partners.matching import InstitutionMatcher
from partners.models import Institution, Person
from partners.names import normalise
from partners.services import institution_create
from registry.history import acting_as
from registry.iteration import chunks

REQUIRED_COLUMNS = {"title", "parties"}
OPTIONAL_COLUMNS = {"supersedes"}
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
# Rows per INSERT and values per IN (...): within SQLite's limits on a statement's size.
CHUNK = 500


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
    """Turns one row's text into the arguments of `memorandum_create`, naming each problem.

    Institutions the file names for the first time are created here (`institution_create`),
    so that later rows find them; signatories are only named here (`ImportRow.signers`): their
    people are looked up for the whole file at once (`People`).
    """

    def __init__(self, matcher: InstitutionMatcher, actor):
        self.matcher = matcher
        self.actor = actor
        self.institutions_created: list[str] = []
        self.areas = {area.code: area for area in CooperationArea.objects.all()}
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
            if country and country not in self.country_codes:
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
        self.institutions_created.append(f"{label} ({country})")
        return institution

    def signers(self, row, parties: list[Institution]) -> list[tuple[str, Institution]]:
        """(full name, the party signed for) of each signatory."""
        signers = []
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
            signers.append((match["name"], institution))
        return signers

    def read(self, line: int, row: dict) -> "ImportRow":
        """The row, or the first problem of its own cells."""
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
        return ImportRow(
            line=line,
            arguments=arguments,
            signers=self.signers(row, parties),
            supersedes=self.text(row, "supersedes") if "supersedes" in row else None,
        )


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
    # Whether that memorandum is made by a row further down the file, so linked at the end.
    supersedes_later: bool = False
    # For a row that creates a memorandum: it and its signatories, checked but not yet saved.
    memorandum: Memorandum | None = None
    signatories: list[Signatory] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.memorandum.reference if self.memorandum else self.arguments["reference"]


class People:
    """The people who sign, found as `Person.objects.filter(institution=...,
    full_name__iexact=...).first()` finds them, in one query for the whole file; those not in
    the registry are made once each, checked as `person_create` checks them, saved together."""

    def __init__(self, signers: Iterable[tuple[str, Institution]]):
        self.found: dict[tuple[int, str], Person] = {}
        self.invalid: dict[tuple[int, str], ValidationError] = {}
        self.new: list[Person] = []
        institution_ids = sorted({institution.pk for _, institution in signers})
        # A chunk holds each institution's people whole, so the first of several stays first.
        for chunk in chunks(institution_ids, CHUNK):
            people = Person.objects.filter(institution_id__in=chunk)
            for person in people.order_by(*Person._meta.ordering):
                self.found.setdefault((person.institution_id, person.full_name.lower()), person)

    def get(self, name: str, institution: Institution) -> Person:
        key = (institution.pk, name.lower())
        if key in self.invalid:
            raise self.invalid[key]
        if key not in self.found:
            person = Person(institution=institution, full_name=name)
            try:
                full_clean_without_queries(person)
            except ValidationError as error:
                self.invalid[key] = error
                raise
            self.found[key] = person
            self.new.append(person)
        return self.found[key]

    def save_new(self) -> None:
        if self.new:
            Person.objects.bulk_create(self.new, batch_size=CHUNK)
            _record_creations(Person, "id", [person.pk for person in self.new])


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

    Every row is read and checked first; a row that creates a memorandum is checked as
    `memorandum_create` checks one, against lookups loaded once for the whole file. Then the
    new memoranda are written in bulk, with their parts and the history `memorandum_create`
    would record, and the rows naming a memorandum already in the registry (or made by an
    earlier row) go through `memorandum_update`, one by one. Good rows are written even when
    others are bad, so that the problems met in the database (a cycle of supersedes links)
    are reported too; all of it rolls back unless every row is good and it is not a dry run.
    """
    report = ImportReport(dry_run=dry_run)
    with acting_as(actor):
        run = _ImportRun(actor=actor, report=report)
        run.read(rows, progress)
        run.check()
        run.write()
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
        self.people: People | None = None

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
        """Sort the rows into creates and updates, in file order, and check each create."""
        self.existing = memoranda_by_reference(
            [row.reference for row in self.rows] + [row.supersedes or "" for row in self.rows]
        )
        self.by_reference = dict(self.existing)
        self.people = People(signer for row in self.rows for signer in row.signers)
        # What a row can name as the memorandum it supersedes: one in the registry, or made by
        # an earlier row.
        known = set(self.existing)
        for row in self.rows:
            row.supersedes_later = bool(row.supersedes) and row.supersedes not in known
            try:
                row.arguments["signatories"] = [
                    {"person": self.people.get(name, institution), "institution": institution}
                    for name, institution in row.signers
                ]
                if row.reference in known:
                    self.updates.append(row)
                    continue
                self.check_new(row)
            except ValidationError as error:
                self.problem(row.line, error)
                continue
            self.creates.append(row)
            if row.reference:
                known.add(row.reference)

    def check_new(self, row: ImportRow) -> None:
        """`memorandum_create`'s checks, in its order; its reference is unique by `known`, and
        a new memorandum's supersedes link cannot close a cycle until `link_later`."""
        arguments = row.arguments
        arguments["sdgs"] = sdg_numbers(arguments["sdgs"])
        validate_terms(
            stage=arguments["stage"],
            party_institutions=[party["institution"] for party in arguments["parties"]],
            signatory_institutions=[s["institution"] for s in arguments["signatories"]],
        )
        fields = {name: value for name, value in arguments.items() if name not in PARTS}
        memorandum = Memorandum(**fields, created_by=self.actor, updated_by=self.actor)
        full_clean_without_queries(
            memorandum, exclude=[] if memorandum.reference else ["reference"]
        )
        for signatory in arguments["signatories"]:
            part = Signatory(memorandum=memorandum, **signatory)
            full_clean_without_queries(part)
            if any(other.person is part.person for other in row.signatories):
                raise _unique_violation(Signatory, "person")
            row.signatories.append(part)
        row.memorandum = memorandum

    def write(self) -> None:
        self.people.save_new()
        self.create()
        self.report.created = [row.reference for row in self.creates]
        # Memoranda as `memoranda_by_reference` loaded them, until a row changes them.
        as_loaded = set(self.existing)
        for row in self.updates:
            if row.reference in as_loaded:
                memorandum = self.existing[row.reference]
                as_loaded.remove(row.reference)
            else:
                memorandum = memoranda_by_reference([row.reference])[row.reference]
            self.update(row, memorandum)
        for row in self.updates:
            if row.supersedes_later:
                self.link_later(row)

    def create(self) -> None:
        """The new memoranda in bulk, with what `memorandum_create` would write for each: its
        areas, SDGs and tags, one history entry, its parties and signatories with theirs."""
        self.give_references()
        # Links to the registry go in with the rows; links to earlier rows once those have ids
        # (pointing up the file, they cannot close a cycle); links to later rows one by one.
        for row in self.creates:
            if row.supersedes in self.existing:
                row.memorandum.supersedes = self.existing[row.supersedes]
        memoranda = [row.memorandum for row in self.creates]
        Memorandum.objects.bulk_create(memoranda, batch_size=CHUNK)
        self.by_reference |= {memorandum.reference: memorandum for memorandum in memoranda}
        to_earlier_rows = [
            row
            for row in self.creates
            if row.supersedes and not row.supersedes_later and row.supersedes not in self.existing
        ]
        for row in to_earlier_rows:
            row.memorandum.supersedes = self.by_reference[row.supersedes]
        Memorandum.objects.bulk_update(
            [row.memorandum for row in to_earlier_rows], ["supersedes"], batch_size=CHUNK
        )
        for row in self.creates:
            if row.supersedes_later:
                self.link_later(row)
        self.write_parts()

    def write_parts(self) -> None:
        ids = [row.memorandum.pk for row in self.creates]
        _relate(
            "cooperation_areas",
            [
                (row.memorandum, area.pk)
                for row in self.creates
                for area in row.arguments["cooperation_areas"]
            ],
        )
        _relate(
            "sdgs", [(row.memorandum, sdg) for row in self.creates for sdg in row.arguments["sdgs"]]
        )
        _tag([(row.memorandum, name) for row in self.creates for name in row.arguments["tags"]])
        # The history entry, once the memorandum's own fields and its relations are in place.
        _record_creations(Memorandum, "id", ids)
        _record_relations(ids)
        parties = [
            {
                "memorandum_id": row.memorandum.pk,
                "institution_id": party["institution"].pk,
                "order": order,
            }
            for row in self.creates
            for order, party in enumerate(row.arguments["parties"])
        ]
        _insert_rows(Party, parties)
        _record_creations(Party, "memorandum_id", ids)
        signatories = [signatory for row in self.creates for signatory in row.signatories]
        if signatories:
            Signatory.objects.bulk_create(signatories, batch_size=CHUNK)
            _record_creations(Signatory, "memorandum_id", ids)

    def give_references(self) -> None:
        """References for new memoranda left without one, from their year's counter in file
        order, as `memorandum_save` takes them."""
        unnamed: dict[int, list[Memorandum]] = {}
        for row in self.creates:
            if not row.memorandum.reference:
                year = (row.memorandum.signed_on or timezone.localdate()).year
                unnamed.setdefault(year, []).append(row.memorandum)
        named = {row.reference for row in self.creates if row.reference}
        for year, memoranda in unnamed.items():
            references = references_generate(year=year, count=len(memoranda), reserved=named)
            for memorandum, reference in zip(memoranda, references, strict=True):
                memorandum.reference = reference

    def update(self, row: ImportRow, memorandum: Memorandum) -> None:
        """A row naming a memorandum already there: unchanged, or changed by `memorandum_update`."""
        arguments = dict(row.arguments)
        if row.supersedes is not None and not row.supersedes_later:
            arguments["supersedes"] = self.by_reference[row.supersedes] if row.supersedes else None
        try:
            if _unchanged(memorandum, arguments):
                self.report.unchanged.append(row.reference)
                return
            del arguments["reference"]
            memorandum_update(memorandum=memorandum, actor=self.actor, **arguments)
        except ValidationError as error:
            self.problem(row.line, error)
            return
        self.report.updated.append(row.reference)

    def link_later(self, row: ImportRow) -> None:
        """Link a row to the memorandum it supersedes, made further down the file, as
        `memorandum_update(supersedes=...)` would: checked against the links in the database
        (so each is stored before the next is checked); a new memorandum's history is written
        after, so that it still has one entry."""
        target = self.by_reference.get(row.supersedes)
        if target is None:
            self.report.problems.append(
                Problem(
                    row.line,
                    "supersedes",
                    f"no memorandum “{row.supersedes}” in the registry or the file",
                )
            )
            return
        if row.memorandum is None:
            memorandum = Memorandum.objects.get(reference=row.reference)
            if memorandum.supersedes_id != target.pk:
                try:
                    memorandum_update(memorandum=memorandum, actor=self.actor, supersedes=target)
                except ValidationError as error:
                    self.problem(row.line, error)
            return
        row.memorandum.supersedes = target
        try:
            row.memorandum.full_clean()
        except ValidationError as error:
            row.memorandum.supersedes = None
            self.problem(row.line, error)
            return
        Memorandum.objects.filter(pk=row.memorandum.pk).update(supersedes=target)


# The rows a large file adds by the ten thousand (links, history) are written as plain values,
# or copied by the database: a model instance each, through `bulk_create`, costs seconds.


def _insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows given as {attname: value}, other columns at their fields' defaults; for
    rows that no `save()` or `pre_save()` would change (links, not records with timestamps)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields if field.has_default()}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(CHUNK, connection.ops.bulk_batch_size(fields, rows) or CHUNK)
    with connection.cursor() as cursor:
        for chunk in chunks(rows, size):
            values = []
            for row in chunk:
                for field in fields:
                    value = row[field.attname] if field.attname in row else defaults[field.attname]
                    # Ids and text go as they are; other values as their field prepares them.
                    if type(value) not in (int, str):
                        value = field.get_db_prep_save(value, connection)
                    values.append(value)
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([placeholders] * len(chunk))}",
                values,
            )


def _relate(field_name: str, pairs: list[tuple[Memorandum, int]]) -> None:
    """Rows of a many-to-many field's table, as `memorandum.<field>.set(ids)` adds them."""
    relation = Memorandum._meta.get_field(field_name)
    source, target = relation.m2m_column_name(), relation.m2m_reverse_name()
    unique_pairs = dict.fromkeys((memorandum.pk, related_id) for memorandum, related_id in pairs)
    _insert_rows(
        relation.remote_field.through,
        [{source: memorandum_id, target: related_id} for memorandum_id, related_id in unique_pairs],
    )


def _tag(pairs: list[tuple[Memorandum, str]]) -> None:
    """Tag memoranda as `memorandum.tags.set(names)` does: each name's tag found as taggit finds
    it (case-insensitively under TAGGIT_CASE_INSENSITIVE, the oldest of several), or made."""
    tagged_item = Memorandum.tags.through
    tag_model = tagged_item.tag_model()
    case_insensitive = getattr(settings, "TAGGIT_CASE_INSENSITIVE", False)

    def key(name: str) -> str:
        return name.lower() if case_insensitive else name

    names = list(dict.fromkeys(name for _, name in pairs))
    tags: dict[str, models.Model] = {}
    # Few names per query: SQLite parses a long OR as deeply nested as it is long.
    for chunk in chunks(names, 100):
        lookup = (
            functools.reduce(operator.or_, (Q(name__iexact=name) for name in chunk))
            if case_insensitive
            else Q(name__in=chunk)
        )
        for tag in tag_model.objects.filter(lookup).order_by("pk"):
            tags.setdefault(key(tag.name), tag)
    for name in names:
        if key(name) not in tags:
            tags[key(name)] = tag_model.objects.create(name=name)
    content_type = ContentType.objects.get_for_model(Memorandum)
    tagged = dict.fromkeys((memorandum.pk, tags[key(name)].pk) for memorandum, name in pairs)
    _insert_rows(
        tagged_item,
        [
            {"content_type_id": content_type.pk, "object_id": memorandum_id, "tag_id": tag_id}
            for memorandum_id, tag_id in tagged
        ],
    )


def _in(ids: list[int]) -> Iterator[tuple[str, list[int]]]:
    """("IN (%s, ...)", ids) a chunk at a time, within SQLite's limit of parameters."""
    for chunk in chunks(ids, CHUNK):
        yield f"IN ({', '.join(['%s'] * len(chunk))})", chunk


def _record_creations(model: type[models.Model], column: str, ids: list[int]) -> None:
    """The history records simple-history writes as rows of `model` are saved one by one, for
    those whose `column` is in `ids`: "created", with the values saved (copied by the
    database), the user simple-history records (the actor of `acting_as`), the time now."""
    history = model.history.model
    quote = connection.ops.quote_name
    copied = ", ".join(quote(field.column) for field in history.tracked_fields)
    recorded = ", ".join(
        quote(history._meta.get_field(name).column)
        for name in ("history_date", "history_type", "history_user")
    )
    when = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    user = history.get_default_history_user(model())
    with connection.cursor() as cursor:
        for condition, chunk in _in(ids):
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({copied}, {recorded}) "
                f"SELECT {copied}, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(column)} {condition} ORDER BY {quote(model._meta.pk.column)}",
                [when, "+", user.pk if user else None, *chunk],
            )


def _record_relations(ids: list[int]) -> None:
    """What simple-history records along with a memorandum's history entry of each
    many-to-many field it tracks (`create_historical_record_m2ms`): the field's rows then,
    here those of new memoranda (one entry each), copied by the database."""
    history = Memorandum.history.model
    quote = connection.ops.quote_name
    for relation in history._history_m2m_fields:
        through = relation.remote_field.through
        recorded = MEMORANDUM_HISTORY.m2m_models[relation]
        fields = through._meta.concrete_fields
        columns = ", ".join(quote(recorded._meta.get_field(field.name).column) for field in fields)
        copied = ", ".join(f"t.{quote(field.column)}" for field in fields)
        memorandum_column = f"t.{quote(relation.m2m_column_name())}"
        with connection.cursor() as cursor:
            for condition, chunk in _in(ids):
                cursor.execute(
                    f"INSERT INTO {quote(recorded._meta.db_table)} "
                    f"({columns}, {quote(recorded._meta.get_field('history').column)}) "
                    f"SELECT {copied}, h.{quote(history._meta.pk.column)} "
                    f"FROM {quote(through._meta.db_table)} t "
                    f"JOIN {quote(history._meta.db_table)} h "
                    f"ON h.{quote(history._meta.get_field('id').column)} = {memorandum_column} "
                    f"WHERE {memorandum_column} {condition}",
                    chunk,
                )


def _unique_violation(model: type[models.Model], field_name: str) -> ValidationError:
    """The error `full_clean()` raises when `model`'s unique constraint over `field_name` and
    others is violated."""
    constraint = next(
        constraint
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and field_name in constraint.fields
    )
    message = ValidationError(
        constraint.get_violation_error_message(), code=constraint.violation_error_code
    )
    return ValidationError({NON_FIELD_ERRORS: [message]})


def full_clean_without_queries(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """`instance.full_clean(exclude=exclude)`, the same checks with the same messages, without
    the queries that would make checking thousands of rows slow: its foreign keys hold objects
    the import loaded or made, so they are not looked up again; uniqueness is left to the
    caller, which checks it against what it has loaded; check constraints are evaluated in
    Python (`_holds`), and in the database only when their condition is beyond `_holds`. Their
    errors go to the field FieldErrorConstraintsMixin names."""
    model = type(instance)
    relations, checks, checked_fields = _validation_plan(model)
    errors: dict[str, list] = {}
    try:
        instance.full_clean(
            exclude={*exclude, *relations}, validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # As full_clean does: constraints only over fields that passed their own checks.
    exclude = {*exclude, *(name for name in errors if name != NON_FIELD_ERRORS)}
    values = {
        name: getattr(instance, attname) for name, attname in checked_fields if name not in exclude
    }
    error_fields = getattr(model, "constraint_error_fields", {})
    for constraint in checks:
        try:
            holds = _holds(constraint.condition, values)
        except _Excluded:
            continue  # as Django skips a constraint over an excluded field
        except _BeyondPython:
            try:
                constraint.validate(model, instance, exclude=exclude)
                holds = True
            except ValidationError:
                holds = False
        if holds is False:
            field_name = error_fields.get(constraint.name, NON_FIELD_ERRORS)
            if field_name in exclude:
                field_name = NON_FIELD_ERRORS
            errors.setdefault(field_name, []).append(
                ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code
                )
            )
    if errors:
        raise ValidationError(errors)


@functools.cache
def _validation_plan(
    model: type[models.Model],
) -> tuple[frozenset[str], list[models.CheckConstraint], list[tuple[str, str]]]:
    """For `full_clean_without_queries`, worked out once per model: its relations, its check
    constraints, and (name, attname) of the fields these may compare, as Django offers them."""
    relations = frozenset(field.name for field in model._meta.concrete_fields if field.is_relation)
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    fields = [
        (field.name, field.attname)
        for field in model._meta.local_concrete_fields
        if not field.generated  # the database computes it on saving; nothing to check before
    ]
    fields.append(("pk", model._meta.pk.attname))
    return relations, checks, fields if checks else []


class _Excluded(Exception):
    """The condition names a field left out of the check."""


class _BeyondPython(Exception):
    """The condition uses something `_holds` does not evaluate: the database must."""


COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _holds(condition: Q, values: dict[str, Any]) -> bool | None:
    """Whether a check constraint's condition holds for a row's `values`, in SQL's three-valued
    logic: None when it is unknown (a NULL compared), which a check constraint lets pass."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(child, values))
        elif isinstance(child, tuple):
            results.append(_lookup_holds(*child, values))
        else:
            raise _BeyondPython
    if condition.connector == Q.AND:
        result = False if False in results else None if None in results else True
    elif condition.connector == Q.OR:
        result = True if True in results else None if None in results else False
    else:
        raise _BeyondPython
    if condition.negated and result is not None:
        return not result
    return result


def _lookup_holds(lookup: str, value: Any, values: dict[str, Any]) -> bool | None:
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    if kind != "isnull" and kind not in COMPARISONS:
        raise _BeyondPython
    if name not in values:
        raise _Excluded
    left = values[name]
    if isinstance(value, F):
        if value.name not in values:
            raise _Excluded
        right = values[value.name]
    elif hasattr(value, "resolve_expression"):
        raise _BeyondPython
    elif isinstance(value, models.Model):
        right = value.pk
    else:
        if kind == "exact" and value is None:
            kind, value = "isnull", True  # as Django reads `field=None`
        right = value
    if kind == "isnull":
        return (left is None) is bool(right)
    if left is None or right is None:
        return None
    if kind != "exact" and (isinstance(left, str) or isinstance(right, str)):
        raise _BeyondPython  # the database's collation orders text
    try:
        return COMPARISONS[kind](left, right)
    except TypeError:
        raise _BeyondPython from None


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
