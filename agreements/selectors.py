"""Reads of memoranda: every list, page and export asks `memorandum_visible_to` first."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from partners.models import PartnerLink
from registry import roles

from .models import Memorandum, Party, Signatory


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
        )
    )
