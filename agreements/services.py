"""Writes to memoranda. Each runs in one transaction: it succeeds whole or changes nothing."""

import contextlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import F, ProtectedError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history
from taggit.models import Tag

from partners import services as partner_services
from partners.models import Institution, Person
from partners.selectors import units_edited_by
from registry import roles
from registry.characters import validate_plain_text
from registry.history import attributed, history_user
from registry.iteration import chunks
from registry.validation import ItemError
from registry.versioning import StaleVersion

from .fingerprint import stored_fingerprint, terms_prefetches
from .models import (
    MEMORANDUM_HISTORY,
    Acknowledgement,
    CalendarFeedToken,
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    ReferenceCounter,
    Signatory,
)
from .uploads import check_upload

REFERENCE_PREFIX = "MOU"
# Numbers checked against typed-in references per query, within SQLite's parameter limit.
REFERENCES_AT_A_TIME = 500
# Memoranda whose derived data is computed together: one query per part for each batch.
DERIVED_AT_A_TIME = 500


# Sent by `memorandum_derived_data_refresh` inside the writing transaction, for sub-domains that
# follow a memorandum's terms (agreements/approvals): `memoranda`, loaded with their terms
# prefetched, and `newly_signed`, the ids of those that have just become signed. A receiver may
# refuse the signing by raising SigningRefused, which undoes the write.
terms_refreshed = Signal()


class SigningRefused(ValidationError):
    """Some memoranda may not become signed: `refusals` maps each id to the refusal, on
    `stage`."""

    def __init__(self, refusals: Mapping[int, ValidationError]):
        self.refusals = dict(refusals)
        super().__init__({"stage": [m for e in self.refusals.values() for m in e.messages]})


def memorandum_derived_data_refresh(*, memoranda: Iterable[Memorandum | int]) -> None:
    """Compute again what is stored on `memoranda` (instances or ids) but derived from their
    terms, the fingerprint (agreements/fingerprint.py), and store it where it changed: the last
    step of every service that writes memoranda, one or many at a time.

    Every write of a term calls it inside its transaction, after the write: a service of
    memoranda or their parts, a merge or rename of a party's institution, a bulk import. The
    instances given are updated too, so a caller holding one reads the new value.
    """
    given = {}
    for memorandum in memoranda:
        if isinstance(memorandum, Memorandum):
            # The search document is a generated column: the database computed it as it stored
            # the row, so the instance forgets the value it held, and reading it loads the new.
            vars(memorandum).pop("search_document", None)
            given.setdefault(memorandum.pk, []).append(memorandum)
        else:
            given.setdefault(memorandum, [])
    for ids in chunks(sorted(given), DERIVED_AT_A_TIME):
        changed = []
        loaded = Memorandum.objects.filter(pk__in=ids).prefetch_related(*terms_prefetches())
        newly_signed = set()
        loaded = list(loaded.order_by())
        for memorandum in loaded:
            value = stored_fingerprint(memorandum)
            for instance in given[memorandum.pk]:
                instance.fingerprint = value
            if memorandum.fingerprint != value:
                # Only a signed memorandum has a fingerprint: one that had none was not.
                if not memorandum.fingerprint:
                    newly_signed.add(memorandum.pk)
                memorandum.fingerprint = value
                changed.append(memorandum)
        Memorandum.objects.bulk_update(changed, ["fingerprint"])
        terms_refreshed.send(sender=Memorandum, memoranda=loaded, newly_signed=newly_signed)


def _memoranda_of_institutions(institution_ids: Collection[int]) -> set[int]:
    """The memoranda whose terms name these institutions: as a party or as responsible for a
    commitment."""
    parties = Party.objects.filter(institution_id__in=institution_ids)
    commitments = Commitment.objects.filter(responsible_institution_id__in=institution_ids)
    return set(parties.values_list("memorandum_id", flat=True)) | set(
        commitments.values_list("memorandum_id", flat=True)
    )


def memoranda_of_institutions_refresh(
    *, institution_ids: Collection[int], fields: Collection[str], **signal
) -> None:
    """Receives `partners.signals.institutions_changed` (partners cannot call agreements): an
    institution's name and ROR id are part of the terms of the memoranda that name it."""
    if {"name", "ror_id"} & set(fields):
        memorandum_derived_data_refresh(memoranda=_memoranda_of_institutions(institution_ids))


def reference_generate(*, year: int) -> str:
    """The next free `MOU-<year>-<sequence>`."""
    return references_generate(year=year, count=1)[0]


def references_generate(
    *, year: int, count: int, reserved: Collection[str] = frozenset()
) -> list[str]:
    """The next `count` free `MOU-<year>-<sequence>` references, in order; the counter row's
    lock serialises concurrent calls. `reserved` are references about to be used (an import's
    own), skipped like those someone typed in by hand."""
    references: list[str] = []
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        while len(references) < count:
            wanted = min(count - len(references), REFERENCES_AT_A_TIME)
            ReferenceCounter.objects.filter(year=year).update(last=F("last") + wanted)
            last = ReferenceCounter.objects.values_list("last", flat=True).get(year=year)
            candidates = [
                f"{REFERENCE_PREFIX}-{year}-{number:04d}"
                for number in range(last - wanted + 1, last + 1)
            ]
            # Skip numbers someone typed in by hand.
            typed = set(
                Memorandum.objects.filter(reference__in=candidates).values_list(
                    "reference", flat=True
                )
            )
            references += [
                reference
                for reference in candidates
                if reference not in typed and reference not in reserved
            ]
    return references


def reference_counters_raise(*, highest: Mapping[int, int]) -> None:
    """Make each year's counter at least `highest[year]`, so that the references it generates
    pass those given by hand (the demo's fixed ones) instead of colliding with them."""
    with transaction.atomic():
        for year, sequence in highest.items():
            ReferenceCounter.objects.get_or_create(year=year)
            ReferenceCounter.objects.filter(year=year, last__lt=sequence).update(last=sequence)


def validate_terms(
    *,
    stage: str,
    party_institutions: Sequence[Institution],
    signatory_institutions: Iterable[Institution] = (),
    commitment_institutions: Iterable[Institution | None] = (),
    in_given_order: Collection[str] = ("parties", "signatories", "commitments"),
) -> None:
    """The rules that span a memorandum and its parts, naming the field.

    The part lists named in `in_given_order` are those the caller gave, in its order: a message
    about one of their rows says which row and field (`ItemError`); the others (read from the
    database, in its order) are named by their list alone.
    """
    errors: dict[str, list] = {}

    def refuse(part: str, index: int, field: str, message: str) -> None:
        messages = errors.setdefault(part, [])
        if part in in_given_order:
            messages.append(ItemError(message, index=index, field=field))
        elif message not in messages:
            messages.append(message)

    party_ids = [institution.pk for institution in party_institutions]
    for index, institution in enumerate(party_institutions):
        if institution.pk in party_ids[:index]:
            refuse(
                "parties",
                index,
                "institution",
                _("Each institution is a party once; listed more than once: %(institution)s.")
                % {"institution": institution.label},
            )
    if stage == Memorandum.Stage.SIGNED and len(set(party_ids)) < 2:
        errors.setdefault("parties", []).append(
            _("A signed memorandum needs at least two distinct parties.")
        )
    for index, institution in enumerate(signatory_institutions):
        if institution.pk not in party_ids:
            refuse(
                "signatories",
                index,
                "institution",
                _("%(institution)s is not a party of this memorandum, so no one can sign for it.")
                % {"institution": institution.label},
            )
    for index, institution in enumerate(commitment_institutions):
        if institution is not None and institution.pk not in party_ids:
            refuse(
                "commitments",
                index,
                "responsible_institution",
                _(
                    "%(institution)s is not a party of this memorandum, so it cannot be "
                    "responsible for a commitment."
                )
                % {"institution": institution.label},
            )
    if errors:
        raise ValidationError(errors)


# A signed memorandum stays on record: it may be terminated, or superseded by a later one (which
# leaves its stage signed), but not taken back; a terminated one stays terminated.
STAGES_AFTER = {
    Memorandum.Stage.SIGNED: {Memorandum.Stage.SIGNED, Memorandum.Stage.TERMINATED},
    Memorandum.Stage.TERMINATED: {Memorandum.Stage.TERMINATED},
}


OUTSIDE_UNITS = "You edit only the memoranda owned by your units and the units under them."


def check_unit_scope(
    *, actor, memorandum_ids: Iterable[int] = (), owner_units: Iterable[Any] = ()
) -> None:
    """A unit editor (`registry-unit-editor` and no wider role) writes only memoranda that its
    units own, as stored (`memorandum_ids`, else 403) and as they will be (`owner_units`, the
    owners it sets, units or None, else a refusal on `owner_unit`). Anyone else passes."""
    if actor is None or not roles.edits_own_units_only(actor):
        return
    units = set(units_edited_by(actor))
    stored = Memorandum.objects.filter(pk__in=list(memorandum_ids)).values_list(
        "owner_unit_id", flat=True
    )
    if any(owner not in units for owner in stored):
        raise PermissionDenied(OUTSIDE_UNITS)
    if any((unit.pk if unit is not None else None) not in units for unit in owner_units):
        raise ValidationError({"owner_unit": OUTSIDE_UNITS + " Choose one of them."})


def _check_stage_change(stored: str, wanted: str) -> None:
    allowed = STAGES_AFTER.get(stored)
    # A stage that does not exist is refused by `full_clean`, on the same field.
    if allowed is None or wanted in allowed or wanted not in Memorandum.Stage.values:
        return
    if stored == Memorandum.Stage.TERMINATED:
        message = _("A terminated memorandum stays terminated; record a new agreement instead.")
    else:
        message = _(
            "A signed memorandum cannot go back to %(stage)s: "
            "terminate it, or supersede it with a renewal or an amendment."
        ) % {"stage": str(Memorandum.Stage(wanted).label).lower()}
    raise ValidationError({"stage": message})


def _store_memorandum(
    memorandum: Memorandum,
    *,
    actor,
    expected_version: int | None = None,
    cooperation_areas: Iterable[CooperationArea] | None = None,
    sdgs: Iterable[int] | None = None,
    tags: Iterable[str] | None = None,
) -> None:
    """Validate and store the memorandum's own fields, then the areas, SDGs and tags given, as
    one history entry. A stored memorandum's row is locked first: its version must be the one
    expected, its stage may change only as `STAGES_AFTER` allows, and its version goes up."""
    created = memorandum.pk is None
    # Saving the fields and setting each many-to-many field would each record an entry.
    memorandum.skip_history_when_saving = True
    try:
        if created:
            memorandum.created_by = actor
        else:
            stored_version, stored_stage = (
                Memorandum.objects.select_for_update()
                .values_list("version", "stage")
                .get(pk=memorandum.pk)
            )
            if expected_version is not None and expected_version != stored_version:
                raise StaleVersion(stored_version)
            _check_stage_change(stored_stage, memorandum.stage)
            memorandum.version = stored_version + 1
        memorandum.updated_by = actor
        memorandum.full_clean(exclude=["reference"] if not memorandum.reference else None)
        if not memorandum.reference:
            year = (memorandum.signed_on or timezone.localdate()).year
            memorandum.reference = reference_generate(year=year)
        memorandum.save()
        if cooperation_areas is not None:
            memorandum.cooperation_areas.set(cooperation_areas)
        if sdgs is not None:
            memorandum.sdgs.set(sdgs)
        if tags is not None:
            memorandum.tags.set(list(tags))
    finally:
        del memorandum.skip_history_when_saving
    MEMORANDUM_HISTORY.create_historical_record(memorandum, "+" if created else "~")


def _defaults(model) -> dict[str, Any]:
    """What a part's fields hold when a row leaves them out."""
    return {
        field.name: field.get_default()
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != "memorandum"
    }


def _write_part(part, values: Mapping[str, Any], *, clean_exclude: list[str] | None) -> None:
    """Give the part these values and save it, if it is new or one of them differs (an
    unchanged part records no history). `clean_exclude` None saves without `full_clean`."""
    if part.pk is not None and not any(
        _differs(part, name, value) for name, value in values.items()
    ):
        return
    for name, value in values.items():
        setattr(part, name, value)
    if clean_exclude is not None:
        part.full_clean(exclude=clean_exclude)
    part.save()


def _differs(part, name: str, value: Any) -> bool:
    field = part._meta.get_field(name)
    if field.is_relation:
        return getattr(part, field.attname) != (value.pk if value is not None else None)
    return getattr(part, name) != value


def _replace_parts(
    memorandum: Memorandum,
    *,
    parties: Sequence[dict[str, Any]] | None,
    signatories: Sequence[dict[str, Any]] | None,
    commitments: Sequence[dict[str, Any]] | None,
) -> None:
    """Make each part list that is given the memorandum's whole list. A part that stays is
    changed in place, so that its history shows what changed: a party is the same party while
    its institution is, a signatory while its person is, and a commitment given with the `id`
    of one of the memorandum's commitments is that commitment (its reminders stay with it)."""
    if parties is not None:
        # A repeated institution is named as such, before the database's constraint refuses it.
        validate_terms(
            stage=Memorandum.Stage.DRAFT,
            party_institutions=[party["institution"] for party in parties],
        )
        stored = {
            party.institution_id: party for party in Party.objects.filter(memorandum=memorandum)
        }
        wanted = {party["institution"].pk for party in parties}
        for institution_id, party in stored.items():
            if institution_id not in wanted:
                party.delete()
        _check_party_units(parties)
        for order, row in enumerate(parties):
            party = stored.pop(row["institution"].pk, None) or Party(memorandum=memorandum)
            _write_part(party, _defaults(Party) | {"order": order} | row, clean_exclude=None)
    if signatories is not None:
        _check_signatories_once(signatories)
        people = [row["person"].pk for row in signatories]
        stored = {s.person_id: s for s in Signatory.objects.filter(memorandum=memorandum)}
        for person_id, signatory in stored.items():
            if person_id not in people:
                signatory.delete()
        for index, row in enumerate(signatories):
            signatory = stored.pop(row["person"].pk, None) or Signatory(memorandum=memorandum)
            with _refused_as_item("signatories", index):
                _write_part(signatory, _defaults(Signatory) | row, clean_exclude=[])
    if commitments is not None:
        stored = {c.pk: c for c in Commitment.objects.filter(memorandum=memorandum)}
        named = [row["id"] for row in commitments if row.get("id") is not None]
        if len(set(named)) < len(named) or not stored.keys() >= set(named):
            raise ValidationError(
                {
                    "commitments": _(
                        "Each commitment is listed once, and only this memorandum's own."
                    )
                }
            )
        for pk, commitment in stored.items():
            if pk not in named:
                commitment.delete()
        for index, row in enumerate(commitments):
            values = {name: value for name, value in row.items() if name != "id"}
            commitment = stored.get(row.get("id")) or Commitment(memorandum=memorandum)
            with _refused_as_item("commitments", index):
                _write_part(
                    commitment, _defaults(Commitment) | values, clean_exclude=["memorandum"]
                )


def _check_party_units(parties: Sequence[dict[str, Any]]) -> None:
    """A party that is a unit names a unit of the party's own institution."""
    wrong = [
        ItemError(Party.UNIT_OF_OTHER_INSTITUTION, index=index, field="unit")
        for index, row in enumerate(parties)
        if row.get("unit") is not None and row["unit"].institution_id != row["institution"].pk
    ]
    if wrong:
        raise ValidationError({"parties": wrong})


def _check_signatories_once(signatories: Sequence[dict[str, Any]]) -> None:
    """A person signs a memorandum once: a repeated one is named on its row, before the
    database's constraint refuses it."""
    people = [row["person"].pk for row in signatories]
    repeated = [
        ItemError(
            _("Each person signs once; listed more than once: %(person)s.")
            % {"person": row["person"]},
            index=index,
            field="person",
        )
        for index, row in enumerate(signatories)
        if row["person"].pk in people[:index]
    ]
    if repeated:
        raise ValidationError({"signatories": repeated})


def _item_refusal(list_name: str, index: int, error: ValidationError) -> ValidationError:
    """A part's own refusal (its `full_clean`) as a refusal of that item of the memorandum's
    list, so that it is shown on the row it is about."""
    named = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    return ValidationError(
        {
            list_name: [
                ItemError(message, index=index, field=None if field == NON_FIELD_ERRORS else field)
                for field, messages in named.items()
                for message in messages
            ]
        }
    )


@contextlib.contextmanager
def _refused_as_item(list_name: str, index: int):
    try:
        yield
    except ValidationError as error:
        raise _item_refusal(list_name, index, error) from error


def _check_terms(
    memorandum: Memorandum,
    *,
    signatories: Sequence[dict[str, Any]] | None = None,
    commitments: Sequence[dict[str, Any]] | None = None,
) -> None:
    """The rules over the memorandum as stored now, its parties read from the database. The
    signatories and commitments the caller gave (just stored) are checked in its order, so
    that a refusal names its row; the others as the database lists them."""
    parties = Party.objects.filter(memorandum=memorandum).select_related("institution")
    given = set()
    if signatories is None:
        stored_signatories = Signatory.objects.filter(memorandum=memorandum)
        signatory_institutions = [
            signatory.institution for signatory in stored_signatories.select_related("institution")
        ]
    else:
        given.add("signatories")
        signatory_institutions = [row["institution"] for row in signatories]
    if commitments is None:
        stored_commitments = Commitment.objects.filter(memorandum=memorandum)
        commitment_institutions = [
            commitment.responsible_institution
            for commitment in stored_commitments.select_related("responsible_institution")
        ]
    else:
        given.add("commitments")
        commitment_institutions = [row.get("responsible_institution") for row in commitments]
    validate_terms(
        stage=memorandum.stage,
        party_institutions=[party.institution for party in parties],
        signatory_institutions=signatory_institutions,
        commitment_institutions=commitment_institutions,
        in_given_order=given,
    )


def sdg_numbers(sdgs: Iterable[int]) -> list[int]:
    numbers = sorted(set(sdgs))
    invalid = [number for number in numbers if not 1 <= number <= 17]
    if invalid:
        raise ValidationError(
            {
                "sdgs": [
                    f"SDG {number} does not exist: the goals are numbered 1 to 17."
                    for number in invalid
                ]
            }
        )
    return numbers


def tag_names(tags: Iterable[str]) -> list[str]:
    """Tags as taggit stores them: each at most as long as a tag's name may be, without
    control characters (taggit's tags are written without `full_clean`)."""
    names = list(tags)
    longest = Tag._meta.get_field("name").max_length
    problems = []
    for name in names:
        if len(name) > longest:
            problems.append(
                _("A tag has at most %(longest)d characters: “%(start)s…” has %(length)d.")
                % {"longest": longest, "start": name[:20], "length": len(name)}
            )
        try:
            validate_plain_text(name)
        except ValidationError as error:
            problems += error.messages
    if problems:
        raise ValidationError({"tags": problems})
    return names


@attributed
def memorandum_create(
    *,
    actor,
    parties: Sequence[dict[str, Any]] = (),
    signatories: Sequence[dict[str, Any]] = (),
    commitments: Sequence[dict[str, Any]] = (),
    cooperation_areas: Iterable[CooperationArea] = (),
    sdgs: Iterable[int] = (),
    tags: Iterable[str] = (),
    **fields: Any,
) -> Memorandum:
    """Create a memorandum with its parties, signatories, commitments, areas, SDGs and tags."""
    check_unit_scope(actor=actor, owner_units=[fields.get("owner_unit")])
    sdgs = sdg_numbers(sdgs)
    tags = tag_names(tags)
    validate_terms(
        stage=fields.get("stage", Memorandum.Stage.DRAFT),
        party_institutions=[party["institution"] for party in parties],
        signatory_institutions=[signatory["institution"] for signatory in signatories],
        commitment_institutions=[c.get("responsible_institution") for c in commitments],
    )
    memorandum = Memorandum(**fields)
    _store_memorandum(
        memorandum, actor=actor, cooperation_areas=cooperation_areas, sdgs=sdgs, tags=tags
    )
    _replace_parts(memorandum, parties=parties, signatories=signatories, commitments=commitments)
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return memorandum


@attributed
def memorandum_update(
    *,
    memorandum: Memorandum,
    actor,
    expected_version: int | None = None,
    parties: Sequence[dict[str, Any]] | None = None,
    signatories: Sequence[dict[str, Any]] | None = None,
    commitments: Sequence[dict[str, Any]] | None = None,
    cooperation_areas: Iterable[CooperationArea] | None = None,
    sdgs: Iterable[int] | None = None,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> Memorandum:
    """Change the given fields; a part list that is given replaces the old one whole (see
    `_replace_parts`). A signed memorandum does not go back to draft or negotiation, and a
    terminated one stays terminated."""
    check_unit_scope(
        actor=actor,
        memorandum_ids=[memorandum.pk],
        owner_units=[fields["owner_unit"]] if "owner_unit" in fields else [],
    )
    if sdgs is not None:
        sdgs = sdg_numbers(sdgs)
    if tags is not None:
        tags = tag_names(tags)
    for name, value in fields.items():
        setattr(memorandum, name, value)
    _store_memorandum(
        memorandum,
        actor=actor,
        expected_version=expected_version,
        cooperation_areas=cooperation_areas,
        sdgs=sdgs,
        tags=tags,
    )
    _replace_parts(memorandum, parties=parties, signatories=signatories, commitments=commitments)
    _check_terms(memorandum, signatories=signatories, commitments=commitments)
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return memorandum


@attributed
def memorandum_delete(*, memorandum: Memorandum, actor) -> None:
    """Only drafts are deleted, by their stored stage; a signed agreement is terminated
    instead, so its record stays."""
    check_unit_scope(actor=actor, memorandum_ids=[memorandum.pk])
    stage = (
        Memorandum.objects.select_for_update()
        .filter(pk=memorandum.pk)
        .values_list("stage", flat=True)
        .first()
    )
    if stage is None:
        return
    if stage != Memorandum.Stage.DRAFT:
        raise ValidationError(
            {"stage": _("Only draft memoranda can be deleted; terminate a signed one instead.")}
        )
    memorandum.delete()


def _check_responsible_party(commitment: Commitment) -> None:
    validate_terms(
        stage=Memorandum.Stage.DRAFT,
        party_institutions=[
            party.institution
            for party in commitment.memorandum.parties.select_related("institution")
        ],
        commitment_institutions=[commitment.responsible_institution],
    )


@attributed
def commitment_create(*, memorandum: Memorandum, actor, **fields: Any) -> Commitment:
    check_unit_scope(actor=actor, memorandum_ids=[memorandum.pk])
    commitment = Commitment(memorandum=memorandum, **fields)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return commitment


@attributed
def commitment_update(*, commitment: Commitment, actor, **fields: Any) -> Commitment:
    moved_from = commitment.memorandum_id
    moved_to = fields["memorandum"].pk if "memorandum" in fields else moved_from
    check_unit_scope(actor=actor, memorandum_ids={moved_from, moved_to})
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    memorandum_derived_data_refresh(memoranda={moved_from, commitment.memorandum_id})
    return commitment


@attributed
def commitment_delete(*, commitment: Commitment, actor) -> None:
    check_unit_scope(actor=actor, memorandum_ids=[commitment.memorandum_id])
    commitment.delete()
    memorandum_derived_data_refresh(memoranda=[commitment.memorandum_id])


@attributed
def document_create(*, memorandum: Memorandum, actor, **fields: Any) -> Document:
    """Store an uploaded document: limited in size, of an accepted type by its content, under a
    generated name, with its sha256 and size recorded (agreements/uploads.py)."""
    check_unit_scope(actor=actor, memorandum_ids=[memorandum.pk])
    check_upload(fields["file"])
    document = Document(memorandum=memorandum, uploaded_by=actor, **fields)
    document.full_clean(exclude=["sha256", "size"])
    document.save()
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return document


# What a document's record may change; its file, checksum and size are those of the upload.
DOCUMENT_DETAILS = ("title", "kind", "language")


@attributed
def document_update(*, document: Document, actor, **fields: Any) -> Document:
    """Change a document's title, kind or language. Its file stays the one uploaded and
    checksummed: another file is another document (`document_create`). The stored row is
    changed, whatever the given object holds; an unchanged one is left alone."""
    check_unit_scope(actor=actor, memorandum_ids=[document.memorandum_id])
    fixed = sorted(set(fields) - set(DOCUMENT_DETAILS))
    if fixed:
        raise ValidationError(
            {
                name: Document.FILE_IS_FIXED
                if name == "file"
                else _("A document's %(field)s cannot be changed.") % {"field": name}
                for name in fixed
            }
        )
    stored = Document.objects.select_for_update().get(pk=document.pk)
    changed = {name: value for name, value in fields.items() if getattr(stored, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(stored, name, value)
        stored.full_clean()
        stored.save()
    return stored


@attributed
def document_delete(*, document: Document, actor) -> None:
    """Remove a document from its memorandum. The stored file is kept, as the history names it."""
    check_unit_scope(actor=actor, memorandum_ids=[document.memorandum_id])
    document.delete()
    memorandum_derived_data_refresh(memoranda=[document.memorandum_id])


@dataclass(frozen=True)
class DocumentChanges:
    """What one save does to a memorandum's documents: uploads (the fields of
    `document_create`), changed details (a document and the fields of `document_update`), and
    removals."""

    uploaded: Sequence[dict[str, Any]] = ()
    changed: Sequence[tuple[Document, dict[str, Any]]] = ()
    removed: Sequence[Document] = ()


@attributed
def memorandum_save(
    *,
    memorandum: Memorandum | None,
    actor,
    documents: DocumentChanges = DocumentChanges(),
    **fields: Any,
) -> Memorandum:
    """Create (`memorandum` None) or update a memorandum with its parts, and change its
    documents, as one change: a form that edits all of them at once (the admin's) saves here.
    What a document service refuses is raised on `documents`."""
    if memorandum is None:
        fields.pop("expected_version", None)
        memorandum = memorandum_create(actor=actor, **fields)
    else:
        memorandum = memorandum_update(memorandum=memorandum, actor=actor, **fields)
    try:
        for document in documents.removed:
            document_delete(document=document, actor=actor)
        for upload in documents.uploaded:
            document_create(memorandum=memorandum, actor=actor, **upload)
        for document, details in documents.changed:
            document_update(document=document, actor=actor, **details)
    except ValidationError as error:
        raise ValidationError({"documents": error.messages}) from error
    return memorandum


RENEWABLE = {Memorandum.Status.PENDING, Memorandum.Status.ACTIVE, Memorandum.Status.EXPIRED}


@attributed
def memorandum_renew(*, memorandum: Memorandum, actor) -> Memorandum:
    """A draft renewal of a signed memorandum: it supersedes the original and copies its
    parties (roles, order), areas, SDGs, tags, visibility, ownership and commitments (as
    planned again). Signatories, dates and documents are the new signing's own, so they start
    empty. The original keeps its status until the renewal is signed."""
    memorandum = Memorandum.objects.with_status().get(pk=memorandum.pk)
    if memorandum.status not in RENEWABLE:
        raise ValidationError(
            {
                "supersedes": f"{memorandum.reference} is {memorandum.get_status_display()}: "
                "only a signed memorandum that is in force, pending or expired can be renewed."
            }
        )
    in_preparation = memorandum.superseded_by.filter(
        stage__in=[Memorandum.Stage.DRAFT, Memorandum.Stage.NEGOTIATION]
    ).first()
    if in_preparation is not None:
        raise ValidationError(
            {
                "supersedes": f"{memorandum.reference} already has a renewal or amendment in "
                f"preparation: {in_preparation}."
            }
        )
    title_prefix = "Renewal of "
    title_room = Memorandum._meta.get_field("title").max_length - len(title_prefix)
    return memorandum_create(
        actor=actor,
        title=title_prefix + memorandum.title[:title_room],
        kind=Memorandum.Kind.RENEWAL,
        stage=Memorandum.Stage.DRAFT,
        supersedes=memorandum,
        summary=memorandum.summary,
        visibility=memorandum.visibility,
        auto_renew=memorandum.auto_renew,
        renewal_notice_days=memorandum.renewal_notice_days,
        owner_unit=memorandum.owner_unit,
        owner_email=memorandum.owner_email,
        parties=[
            {
                "institution": party.institution,
                "unit": party.unit,
                "role": party.role,
                "order": party.order,
            }
            for party in memorandum.parties.select_related("institution", "unit").order_by(
                "order", "id"
            )
        ],
        commitments=[
            {
                "area": commitment.area,
                "title": commitment.title,
                "description": commitment.description,
                "responsible_institution": commitment.responsible_institution,
                "due_on": commitment.due_on,
                "status": Commitment.Status.PLANNED,
            }
            for commitment in memorandum.commitments.select_related(
                "area", "responsible_institution"
            )
        ],
        cooperation_areas=list(memorandum.cooperation_areas.all()),
        sdgs=list(memorandum.sdgs.values_list("number", flat=True)),
        tags=list(memorandum.tags.names()),
    )


@attributed
def calendar_feed_token_create(*, user, actor) -> CalendarFeedToken:
    """A new calendar feed key for `user`; the one it had is revoked, so calendars subscribed
    with the old URL stop receiving the register."""
    CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return CalendarFeedToken.objects.create(user=user)


@attributed
def calendar_feed_token_revoke(*, token: CalendarFeedToken, actor) -> None:
    """From now on the token's feed URL answers 404."""
    CalendarFeedToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@attributed
def institution_merge(
    *, keep: Institution, duplicates: Iterable[Institution], actor
) -> Institution:
    """Fold `duplicates` into `keep`: every party, signature, commitment and acknowledgement
    moves to it, then the directory's own links (people, children, partner links, names as
    aliases) through `institution_absorb`, and the duplicates go.

    Each moved record is saved one by one so that the history shows the move. (The parties'
    institutions are part of a memorandum's terms, so its fingerprint changes and earlier
    acknowledgements show as stale, as after any change of terms.)
    """
    others = [duplicate for duplicate in duplicates if duplicate.pk != keep.pk]
    affected = _memoranda_of_institutions([keep.pk, *(other.pk for other in others)])
    for duplicate in others:
        for party in Party.objects.filter(institution=duplicate).select_related("memorandum"):
            if Party.objects.filter(memorandum=party.memorandum, institution=keep).exists():
                party.delete()
            else:
                party.institution = keep
                party.save()
        for model, field in ((Signatory, "institution"), (Commitment, "responsible_institution")):
            for record in model.objects.filter(**{field: duplicate}):
                setattr(record, field, keep)
                record.save()
        for acknowledgement in Acknowledgement.objects.filter(institution=duplicate):
            if Acknowledgement.objects.filter(
                memorandum_id=acknowledgement.memorandum_id,
                institution=keep,
                fingerprint=acknowledgement.fingerprint,
            ).exists():
                acknowledgement.delete()
            else:
                acknowledgement.institution = keep
                acknowledgement.save()
    kept = partner_services.institution_absorb(keep=keep, duplicates=others, actor=actor)
    memorandum_derived_data_refresh(memoranda=affected)
    return kept


@attributed
def cooperation_area_create(
    *,
    actor,
    code: str,
    name: str,
    description: str = "",
    parent: CooperationArea | None = None,
) -> CooperationArea:
    """A new cooperation area: its code a slug no other area has, its parent an existing area."""
    area = CooperationArea(code=code, name=name, description=description, parent=parent)
    area.full_clean()
    area.save()
    return area


@attributed
def cooperation_area_update(*, area: CooperationArea, actor, **fields: Any) -> CooperationArea:
    """Change the given fields; a parent that is the area itself or one of its sub-areas is
    refused on `parent`. Memoranda and commitments keep the area, so they show the change; a
    new code is part of their terms, so their fingerprints follow it."""
    code_before = area.code
    for name, value in fields.items():
        setattr(area, name, value)
    area.full_clean()
    area.save()
    if area.code != code_before:
        memorandum_derived_data_refresh(
            memoranda=set(area.memoranda.values_list("pk", flat=True))
            | set(area.commitments.values_list("memorandum_id", flat=True))
        )
    return area


@attributed
def cooperation_area_delete(*, area: CooperationArea, actor) -> None:
    """Refused (ProtectedError, naming what uses it) while a memorandum, a commitment or a
    sub-area refers to the area: removing it would change those memoranda's terms unseen."""
    # The lock makes a memorandum that takes up the area meanwhile wait for this deletion.
    area = CooperationArea.objects.select_for_update().get(pk=area.pk)
    counts = [area.memoranda.count(), area.commitments.count(), area.children.count()]
    named = [
        text % {"count": count}
        for count, text in zip(
            counts,
            [
                ngettext("%(count)d memorandum", "%(count)d memoranda", counts[0]),
                ngettext("%(count)d commitment", "%(count)d commitments", counts[1]),
                ngettext("%(count)d sub-area", "%(count)d sub-areas", counts[2]),
            ],
            strict=True,
        )
        if count
    ]
    if named:
        raise ProtectedError(
            _("The cooperation area “%(area)s” is used by %(users)s: remove it from them first.")
            % {"area": area.name, "users": ", ".join(named)},
            set(area.memoranda.all()) | set(area.commitments.all()) | set(area.children.all()),
        )
    area.delete()


# ==============================================================================================
# Bulk writes: many memoranda in one transaction (the spreadsheet import).
#
# Each memorandum is written as `memorandum_create` or `memorandum_update` writes one: its row,
# parts, areas, SDGs and tags, the people its signatories introduce, one history entry with the
# actor, its derived data; but in a few statements per batch instead of a few per memorandum.
# A row is checked in Python only as far as that needs no query: the database's constraints
# judge the rest as the rows go in. When the database refuses a batch, its rows go in one by
# one, and each one refused then is checked whole by `full_clean()`, which names its problems
# as the single services do. Every refused row is reported at once (`BulkRefused`), and then
# nothing is written.
# ==============================================================================================

# Rows per statement, and values per IN (...): few statements, within SQLite's limits.
BULK_BATCH = 1000
# A memorandum's keyword arguments that are not fields of its own.
MEMORANDUM_PARTS = ("parties", "signatories", "commitments", "cooperation_areas", "sdgs", "tags")
# What a memorandum's change writes: every column but its identity, its creation and the
# generated ones (as `save()` does).
MEMORANDUM_WRITTEN_FIELDS = [
    field.name
    for field in Memorandum._meta.concrete_fields
    if not field.primary_key
    and not field.generated
    and field.name not in {"created_at", "created_by"}
]


class BulkRefused(Exception):
    """Rows of a bulk write that cannot be written; nothing was.

    `errors` maps the position of each refused row, in the sequence given, to the
    ValidationError that the single service would raise for it.
    """

    def __init__(self, errors: Mapping[int, ValidationError]):
        super().__init__(f"{len(errors)} refused")
        self.errors = dict(sorted(errors.items()))


@attributed
def memoranda_bulk_create(*, memoranda: Sequence[Mapping[str, Any]], actor) -> list[Memorandum]:
    """Create memoranda, each from `memorandum_create`'s keyword arguments (without `actor`),
    with the same checks, rows, parts and history; the new memoranda in the order given.

    Beyond `memorandum_create`: `supersedes` may also be the reference of another memorandum
    created by the same call, before or after it; and a signatory's `person` may be a Person
    not saved yet, checked as `person_create` checks one and saved once, however many rows name
    it. Raises BulkRefused for the rows that cannot be written; the people given are then
    unsaved again.
    """
    check_unit_scope(actor=actor, owner_units=[row.get("owner_unit") for row in memoranda])
    rows = [dict(arguments) for arguments in memoranda]
    refused: dict[int, ValidationError] = {}
    new_people: list[Person] = []
    try:
        new_people = _people_save(rows, refused)
        created = _memoranda_insert(rows, actor, refused)
        _supersedes_link(rows, created, refused)
        created = _unrefused(created, refused)
        _relations_write(rows, created, replace=False)
        _memoranda_history_record(list(created.values()), created=True)
        _parts_write(rows, created, refused, replace=False)
        if refused:
            raise BulkRefused(refused)
        _derived_data_refresh_by_row(created)
    except Exception:
        _unsave(new_people)
        raise
    return list(created.values())


@attributed
def memoranda_bulk_update(
    *, changes: Sequence[tuple[Memorandum, Mapping[str, Any]]], actor
) -> list[Memorandum]:
    """Change memoranda, each with `memorandum_update`'s keyword arguments (without `actor`
    and `expected_version`) as that changes one: the same checks, a new version, one history
    entry, each part list given replacing the old one. The changed memoranda, in order.

    Each memorandum is named once. A signatory's `person` may be a Person not saved yet, as
    in `memoranda_bulk_create`. Raises BulkRefused for the changes that cannot be written; the
    memoranda given then hold the values asked for, not stored: load them again.
    """
    memoranda = [memorandum for memorandum, _ in changes]
    check_unit_scope(
        actor=actor,
        memorandum_ids=[memorandum.pk for memorandum in memoranda],
        owner_units=[row["owner_unit"] for _, row in changes if "owner_unit" in row],
    )
    if len({memorandum.pk for memorandum in memoranda}) != len(memoranda):
        raise ValueError("A bulk update changes each memorandum once.")
    rows = [dict(arguments) for _, arguments in changes]
    refused: dict[int, ValidationError] = {}
    new_people: list[Person] = []
    try:
        new_people = _people_save(rows, refused)
        changed = _memoranda_change(memoranda, rows, actor, refused)
        _relations_write(rows, changed, replace=True)
        _memoranda_history_record(list(changed.values()), created=False)
        _parts_write(rows, changed, refused, replace=True)
        _terms_check(_unrefused(changed, refused), refused)
        if refused:
            raise BulkRefused(refused)
        _derived_data_refresh_by_row(changed)
    except Exception:
        _unsave(new_people)
        raise
    return list(changed.values())


def _derived_data_refresh_by_row(memoranda: Mapping[int, Memorandum]) -> None:
    """`memorandum_derived_data_refresh` of a bulk write's memoranda (by row); a signing that
    is refused refuses its row."""
    try:
        memorandum_derived_data_refresh(memoranda=list(memoranda.values()))
    except SigningRefused as refusal:
        raise BulkRefused(
            {
                index: refusal.refusals[memorandum.pk]
                for index, memorandum in memoranda.items()
                if memorandum.pk in refusal.refusals
            }
        ) from None


def _unrefused(memoranda: dict[int, Memorandum], refused: Mapping) -> dict[int, Memorandum]:
    return {index: memorandum for index, memorandum in memoranda.items() if index not in refused}


def _own_fields(arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if name not in MEMORANDUM_PARTS}


def _clean(instance: models.Model, *, exclude: Collection[str] = ()) -> None:
    """`instance.full_clean(exclude=exclude)` without the queries that would make thousands of
    rows slow: relations hold objects the caller loaded, and uniqueness and constraints are
    the database's as the row goes in. Once this finds a problem, the whole `full_clean` runs
    and names every problem, as the single services would."""
    relations = {field.name for field in instance._meta.concrete_fields if field.is_relation}
    try:
        instance.full_clean(
            exclude={*exclude, *relations}, validate_unique=False, validate_constraints=False
        )
    except ValidationError:
        instance.full_clean(exclude=set(exclude))
        raise


def _refusal(instance: models.Model, error: Exception) -> ValidationError:
    """The problem of a row the database refused, named by `full_clean()` (which asks the
    database about the constraints) as the single services name it."""
    try:
        instance.full_clean()
    except ValidationError as named:
        return named
    return ValidationError(_("The database refused it: %(error)s") % {"error": error})


def _written(
    instances: list[models.Model], write: Callable[[list[models.Model]], object]
) -> tuple[list[models.Model], dict[int, ValidationError]]:
    """Write `instances` with `write`, all at once; when the database refuses that, one by one.
    The instances written, and the problem of each refused, by its position."""
    if not instances:
        return [], {}
    try:
        with transaction.atomic():
            write(instances)
        return instances, {}
    except (IntegrityError, DataError):
        pass
    written, refusals = [], {}
    for position, instance in enumerate(instances):
        try:
            with transaction.atomic():
                write([instance])
        except (IntegrityError, DataError) as error:
            refusals[position] = _refusal(instance, error)
        else:
            written.append(instance)
    return written, refusals


def _inserter(model: type[models.Model], *, with_history: bool) -> Callable[[list], object]:
    def insert(instances: list[models.Model]) -> None:
        for instance in instances:
            # One that went in with a batch the database then refused has an id no more.
            instance.pk = None
        if with_history:
            bulk_create_with_history(
                instances,
                model,
                batch_size=BULK_BATCH,
                default_user=history_user(),
                default_change_reason=None,
            )
        else:
            model.objects.bulk_create(instances, batch_size=BULK_BATCH)

    return insert


def _insert_for_rows(
    model: type[models.Model],
    instances: list[models.Model],
    owners: list[tuple[int, int]],
    refused: dict[int, ValidationError],
    *,
    list_name: str,
) -> None:
    """Insert parts, each with its history entry; `owners[i]` is the row that `instances[i]`
    belongs to and its place in that row's `list_name`, the row refused with its problem (on
    that item) if the database refuses it."""
    _, refusals = _written(instances, _inserter(model, with_history=True))
    for position, error in refusals.items():
        row, index = owners[position]
        refused.setdefault(row, _item_refusal(list_name, index, error))


def _people_save(rows: list[dict[str, Any]], refused: dict[int, ValidationError]) -> list[Person]:
    """Save the people not yet in the registry whom the rows' signatories name, each checked as
    `person_create` checks one; the rows naming one who fails are refused with its problem."""
    people: dict[int, Person] = {}
    naming: dict[int, list[int]] = {}
    for index, arguments in enumerate(rows):
        for signatory in arguments.get("signatories") or ():
            person = signatory["person"]
            if person.pk is None:
                people.setdefault(id(person), person)
                naming.setdefault(id(person), []).append(index)
    valid = []
    for key, person in people.items():
        try:
            _clean(person)
        except ValidationError as error:
            for index in naming[key]:
                refused.setdefault(index, error)
        else:
            valid.append(person)
    written, refusals = _written(valid, _inserter(Person, with_history=True))
    for position, error in refusals.items():
        for index in naming[id(valid[position])]:
            refused.setdefault(index, error)
    return written


def _unsave(people: list[Person]) -> None:
    """People saved by a bulk write that is rolled back: not in the registry after all."""
    for person in people:
        person.pk = None
        person._state.adding = True


def _references_give(memoranda: list[Memorandum]) -> None:
    """References for the memoranda left without one, from their year's counter in order, as
    `memorandum_create` takes them; the references typed in for the others are skipped."""
    unnamed: dict[int, list[Memorandum]] = {}
    for memorandum in memoranda:
        if not memorandum.reference:
            year = (memorandum.signed_on or timezone.localdate()).year
            unnamed.setdefault(year, []).append(memorandum)
    named = {memorandum.reference for memorandum in memoranda if memorandum.reference}
    for year, group in unnamed.items():
        references = references_generate(year=year, count=len(group), reserved=named)
        for memorandum, reference in zip(group, references, strict=True):
            memorandum.reference = reference


def _memorandum_checked(arguments: dict[str, Any], actor) -> Memorandum:
    """`memorandum_create`'s checks, in its order, of a memorandum not yet saved."""
    arguments["sdgs"] = sdg_numbers(arguments.get("sdgs", ()))
    arguments["tags"] = tag_names(arguments.get("tags", ()))
    validate_terms(
        stage=arguments.get("stage", Memorandum.Stage.DRAFT),
        party_institutions=[party["institution"] for party in arguments.get("parties", ())],
        signatory_institutions=[s["institution"] for s in arguments.get("signatories", ())],
        commitment_institutions=[
            c.get("responsible_institution") for c in arguments.get("commitments", ())
        ],
    )
    fields = _own_fields(arguments)
    if isinstance(fields.get("supersedes"), str):
        del fields["supersedes"]  # another new memorandum: linked once both are stored
    memorandum = Memorandum(**fields, created_by=actor, updated_by=actor)
    _clean(memorandum, exclude=() if memorandum.reference else ("reference",))
    return memorandum


def _memoranda_insert(
    rows: list[dict[str, Any]], actor, refused: dict[int, ValidationError]
) -> dict[int, Memorandum]:
    """The rows' memoranda, checked and inserted: row index → memorandum."""
    checked: dict[int, Memorandum] = {}
    for index, arguments in enumerate(rows):
        if index in refused:
            continue
        try:
            checked[index] = _memorandum_checked(arguments, actor)
        except ValidationError as error:
            refused[index] = error
    _references_give(list(checked.values()))
    indexes = list(checked)
    _, refusals = _written(list(checked.values()), _inserter(Memorandum, with_history=False))
    for position, error in refusals.items():
        refused[indexes[position]] = error
    return _unrefused(checked, refused)


def _supersedes_link(
    rows: list[dict[str, Any]],
    created: dict[int, Memorandum],
    refused: dict[int, ValidationError],
) -> None:
    """Link each new memorandum whose `supersedes` is the reference of another new one.

    The links are followed in memory (a memorandum stored before this call cannot lead back to
    a new one); those that close no cycle go in together. One that seems to close a cycle is
    checked by `clean()`, against the links then stored, as `memorandum_update` checks it.
    """
    by_reference = {memorandum.reference: memorandum for memorandum in created.values()}
    accepted: dict[int, int] = {}
    linked, doubtful = [], []
    for index, memorandum in created.items():
        reference = rows[index].get("supersedes")
        if not isinstance(reference, str) or not reference:
            continue
        target = by_reference.get(reference)
        if target is None:
            refused[index] = ValidationError(
                {
                    "supersedes": _("No memorandum “%(reference)s” is created along with this one.")
                    % {"reference": reference}
                }
            )
            continue
        memorandum.supersedes = target
        step = target.pk
        while step != memorandum.pk and step in accepted:
            step = accepted[step]
        if step == memorandum.pk:
            doubtful.append((index, memorandum))
        else:
            accepted[memorandum.pk] = target.pk
            linked.append(memorandum)
    Memorandum.objects.bulk_update(linked, ["supersedes"], batch_size=BULK_BATCH)
    for index, memorandum in doubtful:
        try:
            memorandum.clean()
        except ValidationError as error:
            memorandum.supersedes = None
            refused[index] = error
        else:
            Memorandum.objects.filter(pk=memorandum.pk).update(supersedes=memorandum.supersedes)


def _memoranda_change(
    memoranda: list[Memorandum],
    rows: list[dict[str, Any]],
    actor,
    refused: dict[int, ValidationError],
) -> dict[int, Memorandum]:
    """`memorandum_update`'s checks and its write of each memorandum's own fields, with a new
    version (the rows locked while they are read): row index → memorandum."""
    stored: dict[int, tuple[int, str]] = {}
    for chunk in chunks([memorandum.pk for memorandum in memoranda], BULK_BATCH):
        locked = Memorandum.objects.select_for_update().filter(pk__in=chunk)
        stored |= {
            pk: (version, stage)
            for pk, version, stage in locked.values_list("pk", "version", "stage")
        }
    now = timezone.now()
    checked: dict[int, Memorandum] = {}
    for index, memorandum in enumerate(memoranda):
        arguments = rows[index]
        if index in refused:
            continue
        try:
            if arguments.get("sdgs") is not None:
                arguments["sdgs"] = sdg_numbers(arguments["sdgs"])
            if arguments.get("tags") is not None:
                arguments["tags"] = tag_names(arguments["tags"])
            if arguments.get("parties") is not None:
                validate_terms(
                    stage=Memorandum.Stage.DRAFT,
                    party_institutions=[party["institution"] for party in arguments["parties"]],
                )
            fields = _own_fields(arguments)
            version, stage = stored[memorandum.pk]
            _check_stage_change(stage, fields.get("stage", stage))
            for name, value in fields.items():
                setattr(memorandum, name, value)
            memorandum.version = version + 1
            memorandum.updated_by = actor
            memorandum.updated_at = now
            _clean(memorandum, exclude=() if memorandum.reference else ("reference",))
        except ValidationError as error:
            refused[index] = error
            continue
        if not memorandum.reference:
            year = (memorandum.signed_on or timezone.localdate()).year
            memorandum.reference = reference_generate(year=year)
        if "supersedes" in fields:
            # Stored at once, so that the check of a later change's chain of links meets it.
            Memorandum.objects.filter(pk=memorandum.pk).update(supersedes=memorandum.supersedes)
        checked[index] = memorandum
    indexes = list(checked)
    _, refusals = _written(
        list(checked.values()),
        lambda batch: Memorandum.objects.bulk_update(
            batch, MEMORANDUM_WRITTEN_FIELDS, batch_size=BULK_BATCH
        ),
    )
    for position, error in refusals.items():
        refused[indexes[position]] = error
    changed = _unrefused(checked, refused)
    for memorandum in changed.values():
        # Its parts, areas, SDGs and tags change below: what it had prefetched is stale.
        vars(memorandum).pop("_prefetched_objects_cache", None)
    return changed


def _relations_write(
    rows: list[dict[str, Any]], memoranda: dict[int, Memorandum], *, replace: bool
) -> None:
    """The areas, SDGs and tags of the rows that give them, as `.set()` sets them; with
    `replace`, in place of those the memoranda had."""
    for field_name in ("cooperation_areas", "sdgs"):
        relation = Memorandum._meta.get_field(field_name)
        through = relation.remote_field.through
        source = through._meta.get_field(relation.m2m_field_name()).attname
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        given = {
            index: memorandum
            for index, memorandum in memoranda.items()
            if rows[index].get(field_name) is not None
        }
        if replace:
            for chunk in chunks([memorandum.pk for memorandum in given.values()], BULK_BATCH):
                through.objects.filter(**{f"{source}__in": chunk}).delete()
        links = [
            through(**{source: memorandum.pk, target: related_id})
            for index, memorandum in given.items()
            for related_id in dict.fromkeys(
                getattr(related, "pk", related) for related in rows[index][field_name]
            )
        ]
        through.objects.bulk_create(links, batch_size=BULK_BATCH)
    given = {
        index: memorandum
        for index, memorandum in memoranda.items()
        if rows[index].get("tags") is not None
    }
    if replace:
        content_type = ContentType.objects.get_for_model(Memorandum)
        for chunk in chunks([memorandum.pk for memorandum in given.values()], BULK_BATCH):
            Memorandum.tags.through.objects.filter(
                content_type=content_type, object_id__in=chunk
            ).delete()
    _tags_add([(memorandum, list(rows[index]["tags"])) for index, memorandum in given.items()])


def _tags_add(tagged: list[tuple[Memorandum, list[str]]]) -> None:
    """Tag memoranda that have no tags as `memorandum.tags.set(names)` would: taggit finds or
    makes the tags of each distinct list of names once, for the first memorandum given it,
    and the others with the same list get the same tags."""
    by_names: dict[tuple[str, ...], list[Memorandum]] = {}
    for memorandum, names in tagged:
        if names:
            by_names.setdefault(tuple(names), []).append(memorandum)
    through = Memorandum.tags.through
    content_type = ContentType.objects.get_for_model(Memorandum)
    items = []
    for names, (first, *others) in by_names.items():
        first.tags.set(list(names))
        tags = list(first.tags.all())
        items += [
            through(content_type_id=content_type.pk, object_id=memorandum.pk, tag_id=tag.pk)
            for memorandum in others
            for tag in tags
        ]
    through.objects.bulk_create(items, batch_size=BULK_BATCH)


def _memoranda_history_record(memoranda: list[Memorandum], *, created: bool) -> None:
    """One history entry per memorandum, as `memorandum_create` records it: its fields, the
    user, and the areas and SDGs it holds now (which simple-history's bulk writer leaves out,
    so they are recorded here as `create_historical_record_m2ms` records them)."""
    records = Memorandum.history.bulk_history_create(
        memoranda,
        update=not created,
        default_user=history_user(),
        default_change_reason=None,
        batch_size=BULK_BATCH,
    )
    record_of = {record.id: record for record in records}
    for relation, recorded in MEMORANDUM_HISTORY.m2m_models.items():
        through = relation.remote_field.through
        source = through._meta.get_field(relation.m2m_field_name()).attname
        columns = [field.attname for field in through._meta.concrete_fields]
        rows = []
        for chunk in chunks(record_of, BULK_BATCH):
            links = through.objects.filter(**{f"{source}__in": chunk}).order_by("pk")
            for values in links.values(*columns):
                rows.append(recorded(history=record_of[values[source]], **values))
        recorded.objects.bulk_create(rows, batch_size=BULK_BATCH)


def _parts_write(
    rows: list[dict[str, Any]],
    memoranda: dict[int, Memorandum],
    refused: dict[int, ValidationError],
    *,
    replace: bool,
) -> None:
    """The parties, signatories and commitments of the rows that give them, each with its
    history entry, as `_replace_parts` writes them; with `replace`, through `_replace_parts`
    itself, in place of the old ones."""
    kinds = (
        (Party, "parties", None),
        (Signatory, "signatories", ()),
        (Commitment, "commitments", ("memorandum",)),
    )
    for model, name, checked_except in kinds:
        given = {
            index: memorandum
            for index, memorandum in _unrefused(memoranda, refused).items()
            if rows[index].get(name) is not None
        }
        if replace:
            # A changed memorandum's parts change as `memorandum_update` changes them: a part
            # that stays keeps its row, so that its history shows what changed.
            for index, memorandum in given.items():
                try:
                    with transaction.atomic():
                        _replace_parts(
                            memorandum,
                            **{kind: None for kind in ("parties", "signatories", "commitments")}
                            | {name: rows[index][name]},
                        )
                except ValidationError as error:
                    refused.setdefault(index, error)
                except IntegrityError as error:
                    refused.setdefault(index, _refusal(memorandum, error))
            continue
        parts, owners = [], []
        for index, memorandum in given.items():
            if model is Signatory:
                try:
                    _check_signatories_once(rows[index][name])
                except ValidationError as error:
                    refused.setdefault(index, error)
                    continue
            for order, values in enumerate(rows[index][name]):
                if model is Party:
                    values = {"order": order, **values}
                part = model(memorandum=memorandum, **values)
                if checked_except is not None:
                    try:
                        _clean(part, exclude=checked_except)
                    except ValidationError as error:
                        refused.setdefault(index, _item_refusal(name, order, error))
                        continue
                parts.append(part)
                owners.append((index, order))
        _insert_for_rows(model, parts, owners, refused, list_name=name)


def _terms_check(memoranda: dict[int, Memorandum], refused: dict[int, ValidationError]) -> None:
    """The rules over a memorandum and its parts, on the parts now stored (`_check_terms`)."""
    for chunk in chunks(list(memoranda.items()), BULK_BATCH):
        ids = [memorandum.pk for _, memorandum in chunk]
        parties: dict[int, list[Institution]] = {}
        for party in Party.objects.filter(memorandum_id__in=ids).select_related("institution"):
            parties.setdefault(party.memorandum_id, []).append(party.institution)
        signing: dict[int, list[Institution]] = {}
        for signatory in Signatory.objects.filter(memorandum_id__in=ids).select_related(
            "institution"
        ):
            signing.setdefault(signatory.memorandum_id, []).append(signatory.institution)
        responsible: dict[int, list[Institution | None]] = {}
        for commitment in Commitment.objects.filter(memorandum_id__in=ids).select_related(
            "responsible_institution"
        ):
            responsible.setdefault(commitment.memorandum_id, []).append(
                commitment.responsible_institution
            )
        for index, memorandum in chunk:
            try:
                validate_terms(
                    stage=memorandum.stage,
                    party_institutions=parties.get(memorandum.pk, []),
                    signatory_institutions=signing.get(memorandum.pk, []),
                    commitment_institutions=responsible.get(memorandum.pk, []),
                    in_given_order=(),
                )
            except ValidationError as error:
                refused.setdefault(index, error)
