"""Reads of memoranda: every list, page and export asks `memorandum_visible_to` first."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from partners.models import PartnerLink
from registry import roles

from .models import Commitment, Document, Memorandum, Party, Signatory


def partner_institution_id(user) -> int | None:
    """The institution a partner client reads for, or None for any other user."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_partner_institution_id", False)
    if cached is False:
        cached = (
            PartnerLink.objects.filter(user=user).values_list("institution_id", flat=True).first()
        )
        user._partner_institution_id = cached
    return cached


def memorandum_visibility_q(user) -> Q | None:
    """What `user` may read of memoranda, as a filter; None means everything (SPEC section 2)."""
    if roles.reads_everything(user):
        return None
    allowed = Q(visibility=Memorandum.Visibility.PUBLIC)
    if roles.is_viewer(user):
        allowed |= Q(visibility=Memorandum.Visibility.INTERNAL)
    institution_id = partner_institution_id(user)
    if institution_id is not None:
        allowed |= Exists(
            Party.objects.filter(memorandum=OuterRef("pk"), institution_id=institution_id)
        )
    return allowed


def memorandum_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The one gate for reading memoranda: lists, details, exports, statistics, feeds."""
    queryset = Memorandum.objects.all() if queryset is None else queryset
    allowed = memorandum_visibility_q(user)
    return queryset if allowed is None else queryset.filter(allowed)


def memorandum_list(user) -> QuerySet:
    """Visible memoranda with their status and everything a list row shows, in fixed queries."""
    return (
        memorandum_visible_to(user)
        .with_status()
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("institution").order_by("order", "id"),
            ),
            Prefetch(
                "signatories",
                queryset=Signatory.objects.select_related("person", "institution"),
            ),
            "cooperation_areas",
            "sdgs",
            "tags",
        )
        .select_related("created_by", "updated_by")
    )


def restrict_to_visible_memoranda(user, queryset: QuerySet, field: str = "memorandum") -> QuerySet:
    """Rows of `queryset` whose memorandum (through `field`) the user may read."""
    allowed = memorandum_visibility_q(user)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{field}__in": Memorandum.objects.filter(allowed).values("pk")})


def can_read_internal_notes(user) -> bool:
    """Internal notes are for the institution's own staff: never anonymous or partner clients."""
    return roles.reads_everything(user) or (
        roles.is_viewer(user) and partner_institution_id(user) is None
    )


def institutions_with_active_agreements(user) -> QuerySet:
    """Ids of institutions party to an active memorandum that `user` may read."""
    active = memorandum_visible_to(user).with_status().filter(status=Memorandum.Status.ACTIVE)
    return Party.objects.filter(memorandum__in=active.values("pk")).values("institution_id")


def commitment_visible_to(user) -> QuerySet:
    """Commitments of memoranda the user may read; anonymous visitors see none (SPEC 2)."""
    if not user.is_authenticated:
        return Commitment.objects.none()
    return restrict_to_visible_memoranda(user, Commitment.objects.all())


def document_visible_to(user) -> QuerySet:
    """Documents of memoranda the user may read; anonymous visitors see none (SPEC 2)."""
    if not user.is_authenticated:
        return Document.objects.none()
    return restrict_to_visible_memoranda(user, Document.objects.all())
