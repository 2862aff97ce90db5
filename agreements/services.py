"""Writes to memoranda. Each runs in one transaction: it succeeds whole or changes nothing."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partners import services as partner_services
from partners.models import Institution
from registry.history import attributed
from registry.iteration import chunks
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


class StaleFingerprint(Exception):
    """The fingerprint a partner acknowledged is not the memorandum's current one."""

    def __init__(self, current: str):
        super().__init__(
            "These are not the memorandum's current terms: its terms have changed since you "
            "read them. Read the memorandum again and acknowledge its current fingerprint."
        )
        self.current = current


def memorandum_derived_data_refresh(*, memoranda: Iterable[Memorandum | int]) -> None:
    """Compute again what is stored on `memoranda` (instances or ids) but derived from their
    terms, the fingerprint (agreements/fingerprint.py), and store it where it changed.

    Every write of a term calls it inside its transaction, after the write: a service of
    memoranda or their parts, a merge or rename of a party's institution, a bulk import. The
    instances given are updated too, so a caller holding one reads the new value.
    """
    given = {}
    for memorandum in memoranda:
        if isinstance(memorandum, Memorandum):
            given.setdefault(memorandum.pk, []).append(memorandum)
        else:
            given.setdefault(memorandum, [])
    for ids in chunks(sorted(given), DERIVED_AT_A_TIME):
        changed = []
        loaded = Memorandum.objects.filter(pk__in=ids).prefetch_related(*terms_prefetches())
        for memorandum in loaded.order_by():
            value = stored_fingerprint(memorandum)
            for instance in given[memorandum.pk]:
                instance.fingerprint = value
            if memorandum.fingerprint != value:
                memorandum.fingerprint = value
                changed.append(memorandum)
        Memorandum.objects.bulk_update(changed, ["fingerprint"])


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


def memorandum_save(
    *, memorandum: Memorandum, actor, expected_version: int | None = None
) -> Memorandum:
    """Validate and store the memorandum's own fields, bumping its version on every change."""
    with transaction.atomic():
        if memorandum.pk:
            current_version = (
                Memorandum.objects.select_for_update()
                .values_list("version", flat=True)
                .get(pk=memorandum.pk)
            )
            if expected_version is not None and expected_version != current_version:
                raise StaleVersion(current_version)
            memorandum.version = current_version + 1
        else:
            memorandum.created_by = actor
        memorandum.updated_by = actor
        memorandum.full_clean(exclude=["reference"] if not memorandum.reference else None)
        if not memorandum.reference:
            year = (memorandum.signed_on or timezone.localdate()).year
            memorandum.reference = reference_generate(year=year)
        memorandum.save()
    return memorandum


@contextmanager
def one_history_entry(memorandum: Memorandum, *, created: bool):
    """Record the steps of one save (fields, then areas and SDGs) as a single history entry."""
    memorandum.skip_history_when_saving = True
    try:
        yield
    finally:
        del memorandum.skip_history_when_saving
    MEMORANDUM_HISTORY.create_historical_record(memorandum, "+" if created else "~")


def _replace_parts(
    memorandum: Memorandum,
    *,
    parties: Sequence[dict[str, Any]] | None,
    signatories: Sequence[dict[str, Any]] | None,
    commitments: Sequence[dict[str, Any]] | None,
) -> None:
    if parties is not None:
        # A repeated institution is named as such, before the database's constraint refuses it.
        validate_terms(
            stage=Memorandum.Stage.DRAFT,
            party_institutions=[party["institution"] for party in parties],
        )
        memorandum.parties.all().delete()
        for order, party in enumerate(parties):
            Party.objects.create(
                memorandum=memorandum,
                order=party.get("order", order),
                **{key: value for key, value in party.items() if key != "order"},
            )
    if signatories is not None:
        memorandum.signatories.all().delete()
        for signatory in signatories:
            part = Signatory(memorandum=memorandum, **signatory)
            part.full_clean()
            part.save()
    if commitments is not None:
        memorandum.commitments.all().delete()
        for commitment in commitments:
            part = Commitment(memorandum=memorandum, **commitment)
            part.full_clean(exclude=["memorandum"])
            part.save()


def _check_terms(memorandum: Memorandum) -> None:
    parties = list(memorandum.parties.select_related("institution"))
    validate_terms(
        stage=memorandum.stage,
        party_institutions=[party.institution for party in parties],
        signatory_institutions=[s.institution for s in memorandum.signatories.all()],
        commitment_institutions=[c.responsible_institution for c in memorandum.commitments.all()],
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
    with one_history_entry(memorandum, created=True):
        memorandum_save(memorandum=memorandum, actor=actor)
        memorandum.cooperation_areas.set(cooperation_areas)
        memorandum.sdgs.set(sdgs)
        memorandum.tags.set(list(tags))
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
    """Change the given fields; a part list that is given replaces the old one whole."""
    if sdgs is not None:
        sdgs = sdg_numbers(sdgs)
    for name, value in fields.items():
        setattr(memorandum, name, value)
    with one_history_entry(memorandum, created=False):
        memorandum_save(memorandum=memorandum, actor=actor, expected_version=expected_version)
        if cooperation_areas is not None:
            memorandum.cooperation_areas.set(cooperation_areas)
        if sdgs is not None:
            memorandum.sdgs.set(sdgs)
        if tags is not None:
            memorandum.tags.set(list(tags))
    _replace_parts(memorandum, parties=parties, signatories=signatories, commitments=commitments)
    _check_terms(memorandum)
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return memorandum


@attributed
def memorandum_delete(*, memorandum: Memorandum, actor) -> None:
    """Only drafts are deleted; a signed agreement is terminated instead, so its record stays."""
    if memorandum.stage != Memorandum.Stage.DRAFT:
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
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return commitment


@attributed
def commitment_update(*, commitment: Commitment, actor, **fields: Any) -> Commitment:
    moved_from = commitment.memorandum_id
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    memorandum_derived_data_refresh(memoranda={moved_from, commitment.memorandum_id})
    return commitment


@attributed
def commitment_delete(*, commitment: Commitment, actor) -> None:
    commitment.delete()
    memorandum_derived_data_refresh(memoranda=[commitment.memorandum_id])


@attributed
def document_create(*, memorandum: Memorandum, actor, **fields: Any) -> Document:
    """Store an uploaded document: limited in size, of an accepted type by its content, under a
    generated name, with its sha256 and size recorded (agreements/uploads.py)."""
    check_upload(fields["file"])
    document = Document(memorandum=memorandum, uploaded_by=actor, **fields)
    document.full_clean(exclude=["sha256", "size"])
    document.save()
    memorandum_derived_data_refresh(memoranda=[memorandum])
    return document


@attributed
def document_delete(*, document: Document, actor) -> None:
    """Remove a document from the memorandum (the stored file stays, as the history refers to
    it)."""
    document.delete()
    memorandum_derived_data_refresh(memoranda=[document.memorandum_id])


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

    The memorandum's row is locked while its fingerprint is read and compared, so that a
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
    current = memorandum.fingerprint
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
