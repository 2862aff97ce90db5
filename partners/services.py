"""Writes to institutions, people, partner links, API tokens and the accounts commands make,
each in one transaction and fully validated."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from registry.history import attributed

from .models import (
    Institution,
    InstitutionAlias,
    OrganisationalUnit,
    PartnerLink,
    Person,
    UnitEditorGrant,
)
from .names import normalise
from .signals import institutions_changed

# An alias as the services take it: a name alone keeps the languages the institution's alias
# of that name already has (none for a new one), so a client that only knows names (the API)
# does not lose them; a (name, language) pair says the language.
AliasName = str | tuple[str, str]


def _set_aliases(institution: Institution, aliases: Iterable[AliasName]) -> None:
    existing = list(institution.aliases.all())
    wanted: dict[tuple[str, str], str] = {}  # (normalised name, language) -> name
    for alias in aliases:
        name, language = (alias, None) if isinstance(alias, str) else alias
        name = name.strip()
        if not name:
            continue
        key = normalise(name)
        if language is None:
            languages = [old.language for old in existing if normalise(old.name) == key] or [""]
        else:
            languages = [language]
        for each in languages:
            wanted.setdefault((key, each), name)
    kept = set()
    for old in existing:
        pair = (normalise(old.name), old.language)
        if wanted.get(pair) == old.name and pair not in kept:
            kept.add(pair)
        else:
            old.delete()
    for (_key, language), name in wanted.items():
        if (normalise(name), language) not in kept:
            alias = InstitutionAlias(institution=institution, name=name, language=language)
            alias.full_clean(exclude=["institution"])
            alias.save()


def _save_institution(institution: Institution) -> Institution:
    if institution.parent_id and institution.pk and institution.parent_id == institution.pk:
        raise ValidationError({"parent": _("An institution cannot be its own parent.")})
    institution.full_clean()
    institution.save()
    return institution


@attributed
def institution_create(*, actor, aliases: Iterable[AliasName] = (), **fields: Any) -> Institution:
    institution = _save_institution(Institution(**fields))
    _set_aliases(institution, aliases)
    return institution


@attributed
def institution_update(
    *, institution: Institution, actor, aliases: Iterable[AliasName] | None = None, **fields: Any
) -> Institution:
    for name, value in fields.items():
        setattr(institution, name, value)
    _save_institution(institution)
    if aliases is not None:
        _set_aliases(institution, aliases)
    institutions_changed.send(Institution, institution_ids=[institution.pk], fields=set(fields))
    return institution


@attributed
def institution_delete(*, institution: Institution, actor) -> None:
    """Refused (ProtectedError) while the institution is party, signatory or parent anywhere."""
    institution.delete()


def _save_unit(unit: OrganisationalUnit) -> OrganisationalUnit:
    if unit.parent_id and unit.pk and unit.parent_id == unit.pk:
        raise ValidationError({"parent": "A unit cannot be its own parent."})
    unit.full_clean()
    unit.save()
    return unit


@attributed
def organisational_unit_create(*, actor, **fields: Any) -> OrganisationalUnit:
    return _save_unit(OrganisationalUnit(**fields))


@attributed
def organisational_unit_update(
    *, organisational_unit: OrganisationalUnit, actor, **fields: Any
) -> OrganisationalUnit:
    """A unit stays with its institution while units are under it or parties name it."""
    if (
        "institution" in fields
        and fields["institution"].pk != organisational_unit.institution_id
        and (organisational_unit.children.exists() or organisational_unit.parties.exists())
    ):
        raise ValidationError(
            {
                "institution": "This unit has units under it or is a party: it stays with its "
                "institution."
            }
        )
    for name, value in fields.items():
        setattr(organisational_unit, name, value)
    return _save_unit(organisational_unit)


@attributed
def organisational_unit_delete(*, organisational_unit: OrganisationalUnit, actor) -> None:
    """Refused (ProtectedError) while units are under it, or it owns or is party to agreements."""
    children = list(organisational_unit.children.all()[:10])
    if children:
        raise ProtectedError(
            f"{organisational_unit} has units under it: move or delete them first.",
            set(children),
        )
    organisational_unit.delete()


@attributed
def unit_editor_grant_create(
    *, user: AbstractBaseUser, unit: OrganisationalUnit, actor
) -> UnitEditorGrant:
    """Let `user` edit the memoranda that `unit` (or a unit under it) owns; it takes effect
    once the user is in the registry-unit-editor group."""
    grant = UnitEditorGrant(user=user, unit=unit)
    grant.full_clean()
    grant.save()
    return grant


@attributed
def unit_editor_grant_update(
    *, unit_editor_grant: UnitEditorGrant, actor, **fields: Any
) -> UnitEditorGrant:
    for name, value in fields.items():
        setattr(unit_editor_grant, name, value)
    unit_editor_grant.full_clean()
    unit_editor_grant.save()
    return unit_editor_grant


@attributed
def unit_editor_grant_delete(*, unit_editor_grant: UnitEditorGrant, actor) -> None:
    unit_editor_grant.delete()


@attributed
def person_create(*, actor, **fields: Any) -> Person:
    person = Person(**fields)
    person.full_clean()
    person.save()
    return person


@attributed
def person_update(*, person: Person, actor, **fields: Any) -> Person:
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    return person


@attributed
def person_delete(*, person: Person, actor) -> None:
    person.delete()


def institution_by_key(key: str) -> Institution:
    """An institution by id, ROR id or short name (case-insensitive), or a clear error."""
    key = key.strip()
    lookups = [{"ror_id__iexact": key}, {"short_name__iexact": key}]
    if key.isdigit():
        lookups.insert(0, {"pk": int(key)})
    for lookup in lookups:
        matches = list(Institution.objects.filter(**lookup)[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                {
                    "institution": _("“%(key)s” names more than one institution; use its id.")
                    % {"key": key}
                }
            )
    raise ValidationError(
        {"institution": _("No institution has the id, ROR id or acronym “%(key)s”.") % {"key": key}}
    )


@attributed
def partner_link_create(*, user: AbstractBaseUser, institution: Institution, actor) -> PartnerLink:
    """Make `user` the API client of `institution`: it reads what the institution may read."""
    partner_link = PartnerLink(user=user, institution=institution)
    partner_link.full_clean()
    partner_link.save()
    return partner_link


@attributed
def partner_link_update(*, partner_link: PartnerLink, actor, **fields: Any) -> PartnerLink:
    for name, value in fields.items():
        setattr(partner_link, name, value)
    partner_link.full_clean()
    partner_link.save()
    return partner_link


@attributed
def partner_link_delete(*, partner_link: PartnerLink, actor) -> None:
    """The user reads as any user of its groups again, no longer for the institution."""
    partner_link.delete()


@attributed
def api_client_create(
    *, username: str, institution_key: str | None = None, group: Group | None = None, actor
) -> Token:
    """The user named `username` (made if new, without a password), linked and tokened."""
    institution = institution_by_key(institution_key) if institution_key else None
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if institution is not None:
        partner_link = PartnerLink.objects.filter(user=user).first()
        if partner_link is None:
            partner_link_create(user=user, institution=institution, actor=actor)
        elif partner_link.institution_id != institution.pk:
            partner_link_update(partner_link=partner_link, institution=institution, actor=actor)
    if group is not None:
        user.groups.add(group)
    token, _ = Token.objects.get_or_create(user=user)
    return token


@attributed
def api_token_rotate(*, user: AbstractBaseUser, actor) -> Token:
    """A fresh key for the API client `user`; its previous key answers 401 from now on."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@attributed
def api_token_revoke(*, user: AbstractBaseUser, actor) -> bool:
    """Remove the client's key (True if it had one); it answers 401 until rotated again."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


@attributed
def superuser_reset(*, username: str, email: str, password: str, actor=None) -> AbstractBaseUser:
    """The superuser `username`, made if new, active, staff, and signing in with `password`
    alone from now on (any previous password stops working)."""
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    user.is_active = user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return user


@attributed
def institution_absorb(
    *, keep: Institution, duplicates: Iterable[Institution], actor
) -> Institution:
    """Fold `duplicates` into `keep` within the directory: their people, children and partner
    links move to it, their names become its aliases, and the duplicates go. Whatever else
    refers to the duplicates must have been moved first (a protected reference stops the
    deletion). Each moved record is saved one by one so that the history shows the move."""
    duplicates = [duplicate for duplicate in duplicates if duplicate.pk != keep.pk]
    if not duplicates:
        raise ValidationError({"duplicates": _("Choose at least one other institution to merge.")})
    names = [(alias.name, alias.language) for alias in keep.aliases.all()]
    for duplicate in duplicates:
        for model, field in (
            (Person, "institution"),
            (Institution, "parent"),
            (PartnerLink, "institution"),
        ):
            for record in model.objects.filter(**{field: duplicate}):
                setattr(record, field, keep)
                record.save()
        names += [(duplicate.name, ""), (duplicate.short_name, "")]
        names += [(alias.name, alias.language) for alias in duplicate.aliases.all()]
        duplicate.delete()
    changed = set()
    if keep.ror_id is None:
        keep.ror_id = next((d.ror_id for d in duplicates if d.ror_id), None)
        changed = {"ror_id"} if keep.ror_id else set()
    _save_institution(keep)
    own = {normalise(keep.name), normalise(keep.short_name)}
    _set_aliases(
        keep, [(name, language) for name, language in names if name and normalise(name) not in own]
    )
    institutions_changed.send(Institution, institution_ids=[keep.pk], fields=changed)
    return keep
