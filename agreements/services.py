"""Writes to memoranda. Each runs in one transaction: it succeeds whole or changes nothing."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partners import services as partner_services
from partners.models import Institution
from registry.history import attributed
from registry.versioning import StaleVersion

from .fingerprint import fingerprint
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


class StaleFingerprint(Exception):
    """The fingerprint a partner acknowledged is not the memorandum's current one."""

    def __init__(self, current: str):
        super().__init__(
            "These are not the memorandum's current terms: its terms have changed since you "
            "read them. Read the memorandum again and acknowledge its current fingerprint."
        )
        self.current = current


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
) -> None:
    """The rules that span a memorandum and its parts (SPEC section 1), naming the field."""
    errors: dict[str, list[str]] = {}
    party_ids = [institution.pk for institution in party_institutions]
    repeated = sorted({i.label for i in party_institutions if party_ids.count(i.pk) > 1})
    if repeated:
        errors.setdefault("parties", []).append(
            f"Each institution is a party once; listed more than once: {', '.join(repeated)}."
        )
    if stage == Memorandum.Stage.SIGNED and len(set(party_ids)) < 2:
        errors.setdefault("parties", []).append(
            "A signed memorandum needs at least two distinct parties."
        )
    for institution in signatory_institutions:
        if institution.pk not in party_ids:
            errors.setdefault("signatories", []).append(
                f"{institution.label} is not a party of this memorandum, so no one can sign for it."
            )
    for institution in commitment_institutions:
        if institution is not None and institution.pk not in party_ids:
            errors.setdefault("commitments", []).append(
                f"{institution.label} is not a party of this memorandum, so it cannot be "
                "responsible for a commitment."
            )
    if errors:
        raise ValidationError(errors)


# A signed memorandum stays on record: it may be terminated, or superseded by a later one (which
# leaves its stage signed), but not taken back; a terminated one stays terminated.
STAGES_AFTER = {
    Memorandum.Stage.SIGNED: {Memorandum.Stage.SIGNED, Memorandum.Stage.TERMINATED},
    Memorandum.Stage.TERMINATED: {Memorandum.Stage.TERMINATED},
}


def _check_stage_change(stored: str, wanted: str) -> None:
    allowed = STAGES_AFTER.get(stored)
    # A stage that does not exist is refused by `full_clean`, on the same field.
    if allowed is None or wanted in allowed or wanted not in Memorandum.Stage.values:
        return
    if stored == Memorandum.Stage.TERMINATED:
        message = "A terminated memorandum stays terminated; record a new agreement instead."
    else:
        message = (
            f"A signed memorandum cannot go back to {Memorandum.Stage(wanted).label.lower()}: "
            "terminate it, or supersede it with a renewal or an amendment."
        )
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
        for order, row in enumerate(parties):
            party = stored.pop(row["institution"].pk, None) or Party(memorandum=memorandum)
            _write_part(party, _defaults(Party) | {"order": order} | row, clean_exclude=None)
    if signatories is not None:
        stored = {s.person_id: s for s in Signatory.objects.filter(memorandum=memorandum)}
        wanted = {signatory["person"].pk for signatory in signatories}
        for person_id, signatory in stored.items():
            if person_id not in wanted:
                signatory.delete()
        for row in signatories:
            # A person listed twice is a second, new signatory, which the constraint refuses.
            signatory = stored.pop(row["person"].pk, None) or Signatory(memorandum=memorandum)
            _write_part(signatory, _defaults(Signatory) | row, clean_exclude=[])
    if commitments is not None:
        stored = {c.pk: c for c in Commitment.objects.filter(memorandum=memorandum)}
        named = [row["id"] for row in commitments if row.get("id") is not None]
        if len(set(named)) < len(named) or not stored.keys() >= set(named):
            raise ValidationError(
                {"commitments": "Each commitment is listed once, and only this memorandum's own."}
            )
        for pk, commitment in stored.items():
            if pk not in named:
                commitment.delete()
        for row in commitments:
            values = {name: value for name, value in row.items() if name != "id"}
            commitment = stored.get(row.get("id")) or Commitment(memorandum=memorandum)
            _write_part(commitment, _defaults(Commitment) | values, clean_exclude=["memorandum"])


def _check_terms(memorandum: Memorandum) -> None:
    # Read from the database: the parts the caller loaded with the memorandum may be replaced.
    parties = Party.objects.filter(memorandum=memorandum).select_related("institution")
    signatories = Signatory.objects.filter(memorandum=memorandum).select_related("institution")
    commitments = Commitment.objects.filter(memorandum=memorandum).select_related(
        "responsible_institution"
    )
    validate_terms(
        stage=memorandum.stage,
        party_institutions=[party.institution for party in parties],
        signatory_institutions=[signatory.institution for signatory in signatories],
        commitment_institutions=[c.responsible_institution for c in commitments],
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
    sdgs = sdg_numbers(sdgs)
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
    if sdgs is not None:
        sdgs = sdg_numbers(sdgs)
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
    _check_terms(memorandum)
    return memorandum


@attributed
def memorandum_delete(*, memorandum: Memorandum, actor) -> None:
    """Only drafts are deleted, by their stored stage; a signed agreement is terminated
    instead, so its record stays."""
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
            {"stage": "Only draft memoranda can be deleted; terminate a signed one instead."}
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
    commitment = Commitment(memorandum=memorandum, **fields)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    return commitment


@attributed
def commitment_update(*, commitment: Commitment, actor, **fields: Any) -> Commitment:
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    return commitment


@attributed
def commitment_delete(*, commitment: Commitment, actor) -> None:
    commitment.delete()


@attributed
def document_create(*, memorandum: Memorandum, actor, **fields: Any) -> Document:
    """Store an uploaded document: limited in size, of an accepted type by its content, under a
    generated name, with its sha256 and size recorded (agreements/uploads.py)."""
    check_upload(fields["file"])
    document = Document(memorandum=memorandum, uploaded_by=actor, **fields)
    document.full_clean(exclude=["sha256", "size"])
    document.save()
    return document


# What a document's record may change; its file, checksum and size are those of the upload.
DOCUMENT_DETAILS = ("title", "kind", "language")


@attributed
def document_update(*, document: Document, actor, **fields: Any) -> Document:
    """Change a document's title, kind or language. Its file stays the one uploaded and
    checksummed: another file is another document (`document_create`). The stored row is
    changed, whatever the given object holds; an unchanged one is left alone."""
    fixed = sorted(set(fields) - set(DOCUMENT_DETAILS))
    if fixed:
        raise ValidationError(
            {
                name: Document.FILE_IS_FIXED
                if name == "file"
                else f"A document's {name} cannot be changed."
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
    document.delete()


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
            {"institution": party.institution, "role": party.role, "order": party.order}
            for party in memorandum.parties.select_related("institution").order_by("order", "id")
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
def acknowledgement_create(
    *, memorandum: Memorandum, institution: Institution, fingerprint_seen: str, actor
) -> tuple[Acknowledgement, bool]:
    """`institution` (a party) acknowledges the terms it read, `fingerprint_seen`: (the
    acknowledgement, whether it is new). Acknowledging the same terms again returns the first
    acknowledgement. Raises ValidationError for a memorandum that is not signed or an
    institution that is not a party, StaleFingerprint when the terms have changed since.

    The memorandum's row is locked while the fingerprint is computed and compared, so that a
    concurrent `memorandum_update` (which locks it too) cannot slip in between.
    """
    memorandum = (
        Memorandum.objects.select_for_update().filter(pk=memorandum.pk).get()
        if memorandum.pk
        else memorandum
    )
    if memorandum.stage != Memorandum.Stage.SIGNED:
        raise ValidationError(
            {
                "fingerprint": "Only a signed memorandum can be acknowledged; this one is "
                f"{memorandum.get_stage_display().lower()}."
            }
        )
    if not memorandum.parties.filter(institution=institution).exists():
        raise ValidationError(
            {"institution": f"{institution.label} is not a party of this memorandum."}
        )
    current = fingerprint(memorandum)
    if fingerprint_seen != current:
        raise StaleFingerprint(current)
    existing = Acknowledgement.objects.filter(
        memorandum=memorandum, institution=institution, fingerprint=current
    ).first()
    if existing is not None:
        return existing, False
    acknowledgement = Acknowledgement.objects.create(
        memorandum=memorandum,
        institution=institution,
        fingerprint=current,
        acknowledged_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return acknowledgement, True


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
    return partner_services.institution_absorb(keep=keep, duplicates=others, actor=actor)
