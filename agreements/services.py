"""Writes to memoranda. Each runs in one transaction: it succeeds whole or changes nothing."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partners.models import Institution

from .models import (
    Commitment,
    CooperationArea,
    Document,
    Memorandum,
    Party,
    ReferenceCounter,
    Signatory,
)

REFERENCE_PREFIX = "MOU"


class StaleVersion(Exception):
    """Someone saved the memorandum after the version the caller read."""

    def __init__(self, current_version: int):
        super().__init__(
            f"This memorandum has been changed since you read it (now version {current_version}); "
            "reload it and apply your change again."
        )
        self.current_version = current_version


def reference_generate(*, year: int) -> str:
    """The next free `MOU-<year>-<sequence>`; the counter row's lock serialises concurrent calls."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        while True:
            ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
            last = ReferenceCounter.objects.values_list("last", flat=True).get(year=year)
            reference = f"{REFERENCE_PREFIX}-{year}-{last:04d}"
            # Skip numbers someone typed in by hand.
            if not Memorandum.objects.filter(reference=reference).exists():
                return reference


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


def _replace_parts(
    memorandum: Memorandum,
    *,
    parties: Sequence[dict[str, Any]] | None,
    signatories: Sequence[dict[str, Any]] | None,
    commitments: Sequence[dict[str, Any]] | None,
) -> None:
    if parties is not None:
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


def _sdg_numbers(sdgs: Iterable[int]) -> list[int]:
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


@transaction.atomic
def memorandum_create(
    *,
    actor,
    parties: Sequence[dict[str, Any]],
    signatories: Sequence[dict[str, Any]] = (),
    commitments: Sequence[dict[str, Any]] = (),
    cooperation_areas: Iterable[CooperationArea] = (),
    sdgs: Iterable[int] = (),
    tags: Iterable[str] = (),
    **fields: Any,
) -> Memorandum:
    """Create a memorandum with its parties, signatories, commitments, areas, SDGs and tags."""
    sdgs = _sdg_numbers(sdgs)
    validate_terms(
        stage=fields.get("stage", Memorandum.Stage.DRAFT),
        party_institutions=[party["institution"] for party in parties],
        signatory_institutions=[signatory["institution"] for signatory in signatories],
        commitment_institutions=[c.get("responsible_institution") for c in commitments],
    )
    memorandum = memorandum_save(memorandum=Memorandum(**fields), actor=actor)
    _replace_parts(memorandum, parties=parties, signatories=signatories, commitments=commitments)
    memorandum.cooperation_areas.set(cooperation_areas)
    memorandum.sdgs.set(sdgs)
    memorandum.tags.set(list(tags))
    return memorandum


@transaction.atomic
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
        sdgs = _sdg_numbers(sdgs)
    for name, value in fields.items():
        setattr(memorandum, name, value)
    memorandum_save(memorandum=memorandum, actor=actor, expected_version=expected_version)
    _replace_parts(memorandum, parties=parties, signatories=signatories, commitments=commitments)
    _check_terms(memorandum)
    if cooperation_areas is not None:
        memorandum.cooperation_areas.set(cooperation_areas)
    if sdgs is not None:
        memorandum.sdgs.set(sdgs)
    if tags is not None:
        memorandum.tags.set(list(tags))
    return memorandum


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


@transaction.atomic
def commitment_create(*, memorandum: Memorandum, actor, **fields: Any) -> Commitment:
    commitment = Commitment(memorandum=memorandum, **fields)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    return commitment


@transaction.atomic
def commitment_update(*, commitment: Commitment, actor, **fields: Any) -> Commitment:
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    _check_responsible_party(commitment)
    commitment.save()
    return commitment


def commitment_delete(*, commitment: Commitment, actor) -> None:
    commitment.delete()


@transaction.atomic
def document_create(*, memorandum: Memorandum, actor, **fields: Any) -> Document:
    document = Document(memorandum=memorandum, uploaded_by=actor, **fields)
    document.full_clean(exclude=["sha256", "size"])
    document.save()
    return document
