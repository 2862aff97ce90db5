"""Reads of institutions and people, each through one visibility function (SPEC section 2)."""

from django.db.models import Prefetch, Q, QuerySet

from agreements.models import Party, Signatory
from agreements.selectors import partner_institution_id, restrict_to_visible_memoranda
from registry import roles

from .models import Institution, InstitutionAlias, Person


def _sees_whole_directory(user) -> bool:
    return roles.reads_everything(user) or (
        roles.is_viewer(user) and partner_institution_id(user) is None
    )


def institution_visible_to(user) -> QuerySet:
    """Everyone on staff sees every institution; others only those party to what they may read."""
    if _sees_whole_directory(user):
        return Institution.objects.all()
    parties = restrict_to_visible_memoranda(user, Party.objects.all())
    allowed = Q(pk__in=parties.values("institution_id"))
    own = partner_institution_id(user)
    if own is not None:
        allowed |= Q(pk=own)
    return Institution.objects.filter(allowed)


def person_visible_to(user) -> QuerySet:
    """Everyone on staff sees every person; others only the signatories of what they may read."""
    if _sees_whole_directory(user):
        return Person.objects.all()
    signatories = restrict_to_visible_memoranda(user, Signatory.objects.all())
    return Person.objects.filter(pk__in=signatories.values("person_id"))


def can_read_contact_details(user) -> bool:
    """Emails and phone numbers are never shown to anonymous visitors."""
    return user.is_authenticated


def institution_list(user) -> QuerySet:
    return institution_visible_to(user).prefetch_related(
        Prefetch("aliases", queryset=InstitutionAlias.objects.order_by("name", "id"))
    )


def person_list(user) -> QuerySet:
    return person_visible_to(user).select_related("institution")
